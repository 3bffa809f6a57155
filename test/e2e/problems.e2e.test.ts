/**
 * One problem shape for every refusal (issue 13): the edge's own 401s (the authorizer refusing,
 * a credential missing) and the handlers' problems alike carry type, title, status, code and
 * instance, the CORS headers, and on a 401 a WWW-Authenticate challenge; codes are the catalogue's;
 * handlers answer in the language Accept-Language asks for (zh-CN by default, en on request).
 */
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../../core/shared/error-codes.ts';
import { applicantAuth, departmentAuth, portalKey } from './portal.ts';
import { as, BUNDLE } from './routes-client.ts';
import { type Call, call } from './target.ts';

function expectProblem(res: Call, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(res.body).toMatchObject({ type: `https://yijianshi.dev/problems/${code}`, status, code });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(typeof res.body.instance).toBe('string');
  expect(res.body.instance.length).toBeGreaterThan(0);
  expect(isErrorCode(res.body.code)).toBe(true);
}

describe('401 from the edge (the authorizer, a missing credential)', () => {
  it.each([
    ['no credential on a portal route', 'POST', '/v1/materials', as.nobody()],
    ['a bad API key', 'POST', '/v1/materials', as.badKey()],
    ['a bad department token', 'GET', '/v1/departments/market-regulation/tasks', as.badToken()],
    ['no credential on an applicant route', 'GET', '/v1/cases', as.nobody()],
  ])('answers %s with the project’s problem, a challenge and CORS', async (_what, method, path, headers) => {
    const res = await call(method, path, { headers, ...(method === 'POST' ? { body: {} } : {}) });
    expectProblem(res, 401, 'unauthorized');
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('Bearer realm="yijianshi"');
    expect(challenge).toContain('ApiKey');
    expect(res.headers.get('access-control-expose-headers')).toContain('www-authenticate');
  });

  it('answers a credential of the wrong kind (a department token on a portal route) in the same shape', async () => {
    const res = await call('POST', '/v1/webhooks', {
      headers: departmentAuth('market-regulation'),
      body: {},
    });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('answers an applicant route without the applicant’s token in the same shape, with its precise challenge', async () => {
    const res = await call('GET', '/v1/cases', { headers: portalKey() });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  });

  it('answers an unknown path with the same shape (404 not_found)', async () => {
    const res = await call('GET', '/v1/no-such-thing');
    expectProblem(res, 404, 'not_found');
  });
});

describe('Accept-Language', () => {
  const invalidMaterial = (language?: string) =>
    call('POST', '/v1/materials', {
      headers: { ...portalKey(), ...(language ? { 'accept-language': language } : {}) },
      body: { bundleId: BUNDLE, type: 'articles-of-association', fileName: 'a.pdf', size: 0 },
    });

  it('answers in zh-CN by default, saying so', async () => {
    const res = await invalidMaterial();
    expectProblem(res, 422, 'validation_failed');
    expect(res.headers.get('content-language')).toBe('zh-CN');
    expect(res.headers.get('vary')).toMatch(/accept-language/i);
    expect(res.body.title).toMatch(/[\u4e00-\u9fff]/);
    expect(res.body.detail).toMatch(/[\u4e00-\u9fff]/);
    for (const e of res.body.errors) expect(e.message, e.code).toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers in English for en (q-values honoured), with the same codes and paths', async () => {
    const zh = await invalidMaterial('zh-CN');
    const en = await invalidMaterial('zh-CN;q=0.4, en-GB;q=0.8');
    expect(en.headers.get('content-language')).toBe('en');
    expect(en.body.title).toBe('The request breaks one or more rules');
    for (const e of en.body.errors) expect(e.message, e.code).not.toMatch(/[\u4e00-\u9fff]/);
    const shape = (r: Call) =>
      r.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`);
    expect(shape(en)).toEqual(shape(zh));
    expect(shape(en)).toEqual(
      expect.arrayContaining(['/contentType required', '/sha256 required', '/size out_of_range']),
    );
  });

  it('names a missing delivery address `required` at /delivery/address, and an empty supplement by its own code', async () => {
    const res = await call('POST', '/v1/cases', {
      headers: { ...applicantAuth(), 'idempotency-key': crypto.randomUUID() },
      body: { bundleId: BUNDLE, delivery: { method: 'courier' } },
    });
    expectProblem(res, 422, 'validation_failed');
    const codes = res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`);
    expect(codes).toContain('/delivery/address required');
    for (const e of res.body.errors) expect(isErrorCode(e.code), e.code).toBe(true);

    const empty = await call('POST', '/v1/cases/c-none/supplements', { headers: applicantAuth(), body: {} });
    expectProblem(empty, 422, 'validation_failed');
    expect(empty.body.errors).toEqual([expect.objectContaining({ path: '/form', code: 'empty_supplement' })]);
  });
});
