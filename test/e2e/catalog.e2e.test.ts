import { describe, expect, it } from 'vitest';
import { call } from './target.ts';

describe('catalog over HTTP', () => {
  it('reports health with the city and catalog version', async () => {
    const res = await call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', city: 'changzhou' });
    expect(typeof res.body.catalogVersion).toBe('string');
  });

  it('lists all 29 Changzhou bundles with lead department and services', async () => {
    const res = await call('GET', '/v1/bundles');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(29);
    for (const b of res.body.items) {
      expect(b.leadDepartment.name).toBeTruthy();
      expect(b.services.length).toBeGreaterThan(0);
      for (const s of b.services) expect(s).toHaveProperty('timeLimitDays');
    }
    const opening = res.body.items.find((b: { id: string }) => b.id === 'enterprise-opening');
    expect(opening.leadDepartment.name).toBe('市市场监管局');
  });

  it('shows one bundle with its services in full', async () => {
    const res = await call('GET', '/v1/bundles/enterprise-opening');
    expect(res.status).toBe(200);
    expect(res.body.services[0]).toHaveProperty('legalBasis');
    expect(res.body.services[0]).toHaveProperty('departmentId');
  });

  it('lets a portal cache the catalog: public for 5 minutes, an ETag, and 304 while it holds', async () => {
    for (const path of [
      '/v1/bundles',
      '/v1/bundles/enterprise-opening',
      '/v1/bundles/enterprise-opening/form',
      '/v1/bundles/enterprise-opening/guide',
      '/v1/openapi.json',
    ]) {
      const first = await call('GET', path);
      expect(first.status, path).toBe(200);
      expect(first.headers.get('cache-control'), path).toBe('public, max-age=300');
      const etag = first.headers.get('etag');
      expect(etag, path).toMatch(/^"[\w-]{43}"$/);
      // The same answer, the same ETag; asked with it, 304 without a body.
      expect((await call('GET', path)).headers.get('etag'), path).toBe(etag);
      const again = await call('GET', path, { headers: { 'if-none-match': etag! } });
      expect(again.status, path).toBe(304);
      expect(again.body, path).toBeUndefined();
      expect(again.headers.get('etag'), path).toBe(etag);
      // Any other ETag (an older catalog's): the whole answer.
      const stale = await call('GET', path, { headers: { 'if-none-match': '"older"' } });
      expect(stale.status, path).toBe(200);
      expect(stale.body, path).toEqual(first.body);
    }
    // Another selection of services is another answer, with its own ETag.
    const some = await call(
      'GET',
      '/v1/bundles/enterprise-opening/form?services=enterprise-establishment-registration',
    );
    const all = await call('GET', '/v1/bundles/enterprise-opening/form');
    expect(some.headers.get('etag')).not.toBe(all.headers.get('etag'));
    // A problem is never cached.
    expect((await call('GET', '/v1/bundles/no-such-bundle')).headers.get('cache-control')).toBe('no-store');
  });

  it('answers an unknown bundle with a 404 problem, in the language asked (Chinese by default)', async () => {
    const res = await call('GET', '/v1/bundles/no-such-bundle', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, title: 'Not found' });
    expect((await call('GET', '/v1/bundles/no-such-bundle')).body).toMatchObject({
      status: 404,
      title: '未找到',
    });
  });

  it('answers an unknown route with a 404 problem, not a crash', async () => {
    const res = await call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
