/**
 * Intake as a portal meets it: one complete feedback (every problem in one 422), idempotent
 * retries, no duplicate from concurrent submissions, clean 4xx for malformed requests.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applicantAuth,
  buildApplication,
  DEFAULT_ORGANISATION,
  demoApplicant,
  getCase,
  submit,
  uploadMaterial,
} from './portal.ts';
import { call } from './target.ts';

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing'];

describe('submitting a case', () => {
  it('creates the case and shows it with its first timeline entry', async () => {
    const res = await submit(await buildApplication(BUNDLE, SERVICES));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'submitted', bundleId: BUNDLE, services: SERVICES });
    const shown = await getCase(res.body.id);
    expect(shown.status).toBe(200);
    expect(shown.body.timeline[0].event).toBe('submitted');
    // An enterprise applies (企业开办): its public credit code shown, its phone masked.
    expect(shown.body.applicant.uscc).toBe(demoApplicant(DEFAULT_ORGANISATION).uscc);
    expect(shown.body.applicant.phone).toMatch(/^\d{3}\*+\d{4}$/);
  });

  it('lists exactly the five injected mistakes in one 422', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const broken = {
      ...app,
      services: [...SERVICES, 'no-such-service'], // 1 unknown service
      applicant: { ...app.applicant, uscc: '91320402MA27QK3L8X' }, // 2 wrong check character
      form: { ...app.form, contactPhone: '12345' }, // 3 malformed phone
      materials: [
        ...app.materials.filter((m) => m.type !== 'articles-of-association'), // 4 missing material
        { type: 'premises-use-proof', materialId: 'm-aaaaaaaaaaaaaaaaaaaa' }, // 5 unknown material
      ].filter(
        (m, i, all) =>
          all.findIndex((x) => x.type === m.type) === i || m.materialId === 'm-aaaaaaaaaaaaaaaaaaaa',
      ),
    };
    // Keep exactly one entry for premises-use-proof: the unknown one.
    broken.materials = broken.materials.filter(
      (m) => m.type !== 'premises-use-proof' || m.materialId === 'm-aaaaaaaaaaaaaaaaaaaa',
    );
    const res = await submit(broken);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const found = (res.body.errors as { path: string; code: string }[])
      .map((e) => `${e.code} ${e.path}`)
      .sort();
    expect(found).toEqual(
      [
        'unknown_service /services/2',
        'invalid_uscc /applicant/uscc',
        'invalid_phone /form/contactPhone',
        'material_missing /materials',
        'material_unknown /materials/' +
          broken.materials.findIndex((m) => m.materialId === 'm-aaaaaaaaaaaaaaaaaaaa') +
          '/materialId',
      ].sort(),
    );
  });

  it('answers a replay with the same key and body with the same case, and a changed body with 422', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const key = randomUUID();
    const first = await submit(app, key);
    const again = await submit(app, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const changed = await submit({ ...app, delivery: { method: 'pickup' } }, key);
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('idempotency_key_reused');
  });

  it('scopes an Idempotency-Key to its portal', async () => {
    const key = randomUUID();
    const a = await submit(await buildApplication(BUNDLE, SERVICES, 0), key, 0);
    const b = await submit(await buildApplication(BUNDLE, SERVICES, 1), key, 1);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect((await getCase(a.body.id, 1)).status).toBe(404); // another portal's case is invisible
  });

  it('creates exactly one case from 50 concurrent identical submissions', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => submit(app, key)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const shown = await getCase(results[0]!.body.id);
    expect(shown.body.timeline.filter((e: { event: string }) => e.event === 'submitted')).toHaveLength(1);
    expect(
      shown.body.tasks.filter((t: { kind: string }) => t.kind === 'acceptance').length,
    ).toBeLessThanOrEqual(1);
  });

  it('requires an Idempotency-Key', async () => {
    const res = await call('POST', '/v1/cases', {
      headers: applicantAuth(DEFAULT_ORGANISATION),
      body: await buildApplication(BUNDLE, SERVICES),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('/headers/idempotency-key');
  });

  it('refuses malformed JSON, a wrong content type and an oversized body with clean 4xx', async () => {
    const headers = { ...applicantAuth(DEFAULT_ORGANISATION), 'idempotency-key': randomUUID() };
    const badJson = await call('POST', '/v1/cases', {
      headers: { ...headers, 'content-type': 'application/json' },
      rawBody: '{"bundleId": ',
    });
    expect(badJson.status).toBe(400);
    const wrongType = await call('POST', '/v1/cases', {
      headers: { ...headers, 'content-type': 'text/plain' },
      rawBody: '{}',
    });
    expect(wrongType.status).toBe(415);
    const huge = await call('POST', '/v1/cases', {
      headers: { ...headers, 'content-type': 'application/json' },
      rawBody: JSON.stringify({ pad: 'x'.repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
    const notObject = await call('POST', '/v1/cases', { headers, body: [1, 2, 3] });
    expect(notObject.status).toBe(422);
    for (const r of [badJson, wrongType, huge, notObject])
      expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a tampered upload as unverified', async () => {
    const app = await buildApplication(BUNDLE, ['enterprise-establishment-registration']);
    const bytes = Buffer.from('%PDF-1.4\n% original\n%%EOF\n');
    const tampered = Buffer.from('%PDF-1.4\n% TAMPERED\n%%EOF\n'); // same size, other bytes
    const id = await uploadMaterial(BUNDLE, 'articles-of-association', tampered, 0, {
      sha256: (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'),
    });
    const res = await submit({
      ...app,
      materials: app.materials.map((m) =>
        m.type === 'articles-of-association' ? { type: m.type, materialId: id } : m,
      ),
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'material_unverified' })]);
  });
});
