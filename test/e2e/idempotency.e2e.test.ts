/**
 * Every POST honours Idempotency-Key (issue 13; IETF draft-ietf-httpapi-idempotency-key-header):
 * each POST route of functions/routes.ts — enumerated, not listed — sent twice with one key and
 * the same request answers the same status and body, the second marked `Idempotent-Replayed:
 * true`; the key sent again with another body is refused (422 idempotency_key_reused); another
 * caller's same key is theirs; a refusal leaves the key free. A route's request that succeeds comes
 * from FIXTURES, by route name: a POST route without one fails the coverage test.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/routes.ts';
import { buildApplication, consentFor, demoApplicant, pdfBytes, sha256 } from './portal.ts';
import {
  as,
  BUNDLE,
  callRoute,
  LEAD,
  pendingCase,
  type RouteRequest,
  SERVICE,
  webhookUrl,
} from './routes-client.ts';
import { call } from './target.ts';

const APPLICANT = 'qingguoxiang-catering';

/** A request that succeeds, and another body for the same route (to reuse the key with). */
interface Fixture {
  readonly request: () => Promise<RouteRequest>;
  readonly otherBody: (first: RouteRequest) => unknown;
}

const declaration = () => {
  const bytes = pdfBytes();
  return {
    bundleId: BUNDLE,
    type: 'articles-of-association',
    fileName: 'idempotent.pdf',
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: sha256(bytes),
  };
};

const FIXTURES: Record<string, Fixture> = {
  'create-material': {
    request: async () => ({ headers: as.portal(0), body: declaration() }),
    otherBody: () => declaration(),
  },
  'create-webhook': {
    request: async () => ({ headers: as.portal(0), body: { url: webhookUrl(), description: 'idempotency' } }),
    otherBody: () => ({ url: webhookUrl() }),
  },
  'create-department-webhook': {
    request: async () => ({
      params: { departmentId: LEAD },
      headers: as.department(LEAD),
      body: { url: webhookUrl() },
    }),
    otherBody: () => ({ url: webhookUrl() }),
  },
  prefill: {
    request: async () => ({
      headers: as.applicant(APPLICANT),
      body: {
        bundleId: BUNDLE,
        applicant: { kind: 'organisation', uscc: demoApplicant(APPLICANT).uscc },
        consent: await consentFor(BUNDLE),
      },
    }),
    otherBody: (first) => ({ ...(first.body as object), bundleId: 'newborn' }),
  },
  'decide-task': {
    request: async () => {
      const c = await pendingCase(0, APPLICANT);
      return {
        params: { taskId: c.taskId },
        headers: as.department(LEAD),
        body: { outcome: 'approve', opinion: '予以受理' },
      };
    },
    otherBody: () => ({ outcome: 'reject', reason: '另一份决定' }),
  },
  'withdraw-case': {
    request: async () => {
      const c = await pendingCase(0, APPLICANT);
      return { params: { caseId: c.caseId }, headers: as.applicant(APPLICANT), body: { reason: '不再需要' } };
    },
    otherBody: () => ({ reason: '另一个理由' }),
  },
  'submit-case': {
    // Its own mechanism (the key is required, recorded in the case's transaction).
    request: async () => ({
      headers: { ...as.applicant(APPLICANT), 'idempotency-key': randomUUID() },
      body: await buildApplication(BUNDLE, [SERVICE], 0, APPLICANT),
    }),
    otherBody: (first) => ({ ...(first.body as object), delivery: { method: 'pickup' } }),
  },
};

const posts = httpRoutes.filter((r) => r.method === 'POST');

describe('Idempotency-Key on every POST', () => {
  it('has a fixture for every POST route (a new route needs one here)', () => {
    expect(posts.map((r) => r.name).filter((n) => !FIXTURES[n])).toEqual([]);
  });

  it('documents the header on every POST in the OpenAPI document', async () => {
    const doc = await call('GET', '/v1/openapi.json');
    for (const r of posts) {
      const op = doc.body.paths[r.path].post;
      const names = (op.parameters ?? []).map((p: { name: string }) => p.name.toLowerCase());
      expect(names, r.name).toContain('idempotency-key');
    }
  });

  describe.each(posts.filter((r) => FIXTURES[r.name]).map((r) => [r.name] as const))('%s', (name) => {
    let request: RouteRequest;
    let key: string;
    let first: Awaited<ReturnType<typeof callRoute>>;

    beforeAll(async () => {
      request = await FIXTURES[name]!.request();
      key = (request.headers?.['idempotency-key'] as string | undefined) ?? randomUUID();
      request = { ...request, headers: { ...request.headers, 'idempotency-key': key } };
      first = await callRoute(name, request);
      expect(first.status, JSON.stringify(first.body)).toBeGreaterThanOrEqual(200);
      expect(first.status).toBeLessThan(300);
    }, 60_000);

    it('answers a repeated key and request with the same status and body, marked as a replay', async () => {
      const again = await callRoute(name, request);
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('refuses the key with another body (422 idempotency_key_reused)', async () => {
      const other = await callRoute(name, { ...request, body: FIXTURES[name]!.otherBody(request) });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
    });
  });
});

describe('the generic mechanism', () => {
  it('creates one webhook for concurrent duplicates: the others replay or are told to retry (409 + Retry-After)', async () => {
    const key = randomUUID();
    const body = { url: webhookUrl(), description: 'concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call('POST', '/v1/webhooks', { headers: { ...as.portal(0), 'idempotency-key': key }, body }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(created.length + busy.length).toBe(4);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    for (const b of busy) {
      expect(b.body.code).toBe('idempotency_key_in_use');
      expect(Number(b.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const list = await call('GET', '/v1/webhooks', { headers: as.portal(0) });
    expect(list.body.items.filter((w: { url: string }) => w.url === body.url)).toHaveLength(1);
  });

  it('keeps keys per caller: another portal’s same key is its own request', async () => {
    const key = randomUUID();
    const a = await call('POST', '/v1/materials', {
      headers: { ...as.portal(0), 'idempotency-key': key },
      body: declaration(),
    });
    const b = await call('POST', '/v1/materials', {
      headers: { ...as.portal(1), 'idempotency-key': key },
      body: declaration(),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBe('false');
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('leaves the key free after a refusal: a corrected request with it succeeds', async () => {
    const key = randomUUID();
    const headers = { ...as.portal(0), 'idempotency-key': key };
    const refused = await call('POST', '/v1/materials', { headers, body: { ...declaration(), size: 0 } });
    expect(refused.status).toBe(422);
    const corrected = await call('POST', '/v1/materials', { headers, body: declaration() });
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get('idempotent-replayed')).toBe('false');
  });

  it('refuses a malformed key with 400', async () => {
    const res = await call('POST', '/v1/materials', {
      headers: { ...as.portal(0), 'idempotency-key': 'x'.repeat(300) },
      body: declaration(),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: '/headers/idempotency-key', code: 'malformed' }),
    ]);
  });
});
