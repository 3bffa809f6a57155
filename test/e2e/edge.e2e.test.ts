/**
 * The HTTP edge as testers attacked it (issue 10): headers a client controls must not choose the
 * links the API hands out (defect 8), a route whose body is optional takes no body at all
 * (defect 13), and the storage refuses to overwrite a verified material's bytes (defect 10).
 * Black-box: runs against any target.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applicantAuth,
  buildApplication,
  caseAuth,
  DEFAULT_ORGANISATION,
  pdfBytes,
  portalKey,
  sha256,
  submit,
} from './portal.ts';
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
      headers: {
        ...applicantAuth(DEFAULT_ORGANISATION),
        'idempotency-key': randomUUID(),
        'x-forwarded-host': EVIL,
      },
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
      headers: caseAuth(submitted.body.id),
    });
    const body = (await res.json()) as { status?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('withdrawn');
  });

  it('still refuses a body that is not JSON (415)', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const res = await call('POST', `/v1/cases/${submitted.body.id}/withdrawal`, {
      headers: { ...caseAuth(submitted.body.id), 'content-type': 'text/plain' },
      rawBody: 'reason: none',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('a verified material', () => {
  it('cannot be overwritten through its presigned URL: the second PUT is 412, as on AWS S3', async () => {
    const bytes = pdfBytes();
    const created = await call('POST', '/v1/materials', {
      headers: portalKey(),
      body: {
        bundleId: BUNDLE,
        type: 'legal-representative-id-card',
        fileName: 'id.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: sha256(bytes),
      },
    });
    const { url, method, headers } = created.body.upload;
    expect((await fetch(url, { method, headers, body: bytes })).status).toBe(200);
    const verified = await call('GET', `/v1/materials/${created.body.id}`, { headers: portalKey() });
    expect(verified.body.status).toBe('verified');

    // Same size and headers, other bytes: only the precondition can refuse it.
    const other = Buffer.from(bytes.toString('latin1').replace(/[0-9a-f]/g, 'x'), 'latin1');
    expect(other.length).toBe(bytes.length);
    const overwrite = await fetch(url, { method, headers, body: other });

    expect(overwrite.status).toBe(412);
    expect(await overwrite.text()).toContain('<Code>PreconditionFailed</Code>');
    const after = await call('GET', `/v1/materials/${created.body.id}`, { headers: portalKey() });
    expect(after.body).toMatchObject({ status: 'verified', size: bytes.length });
  });
});
