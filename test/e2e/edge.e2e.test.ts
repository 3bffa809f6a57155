/**
 * The HTTP edge as testers attacked it (issue 10): headers a client controls must not choose the
 * links the API hands out (defect 8), and a route whose body is optional takes no body at all
 * (defect 13). Black-box: runs against any target.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildApplication, pdfBytes, portalKey, sha256, submit } from './portal.ts';
import { call, target } from './target.ts';

const EVIL = 'evil.example';
const BUNDLE = 'enterprise-opening';

describe('links the API hands out', () => {
  it('ignores X-Forwarded-Host from a client in the Location of a created material', async () => {
    const bytes = pdfBytes();
    const res = await call('POST', '/v1/materials', {
      headers: { ...portalKey(), 'x-forwarded-host': EVIL },
      body: {
        bundleId: BUNDLE,
        type: 'legal-representative-id-card',
        fileName: 'id.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: sha256(bytes),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const location = res.headers.get('location') ?? '';
    expect(location).not.toContain(EVIL);
    expect(new URL(location).host).toBe(new URL(target().baseUrl).host);
  });

  it('ignores X-Forwarded-Host from a client in the servers of openapi.json', async () => {
    const res = await call('GET', '/v1/openapi.json', { headers: { 'x-forwarded-host': EVIL } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.servers)).not.toContain(EVIL);
    expect(new URL(res.body.servers[0].url).host).toBe(new URL(target().baseUrl).host);
  });

  it('ignores X-Forwarded-Host from a client in the Location of a submitted case', async () => {
    const application = await buildApplication(BUNDLE, ['enterprise-establishment-registration']);
    const res = await call('POST', '/v1/cases', {
      headers: { ...portalKey(), 'idempotency-key': randomUUID(), 'x-forwarded-host': EVIL },
      body: application,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('location')).not.toContain(EVIL);
  });
});

describe('a withdrawal, whose reason is optional', () => {
  it('is accepted with no body and no content type', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const res = await fetch(`${target().baseUrl}/v1/cases/${submitted.body.id}/withdrawal`, {
      method: 'POST',
      headers: portalKey(),
    });
    const body = (await res.json()) as { status?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('withdrawn');
  });

  it('still refuses a body that is not JSON (415)', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const res = await call('POST', `/v1/cases/${submitted.body.id}/withdrawal`, {
      headers: { ...portalKey(), 'content-type': 'text/plain' },
      rawBody: 'reason: none',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
