/**
 * Every POST honours Idempotency-Key (issue 13; IETF draft-ietf-httpapi-idempotency-key-header):
 * each POST route of functions/routes.ts — enumerated, not listed — sent twice with one key and
 * the same request answers the same status and body, the second marked `Idempotent-Replayed:
 * true`; the key sent again with another body is refused (422 idempotency_key_reused); another
 * caller's same key is theirs; a refusal leaves the key free. A route's request that succeeds comes
 * from FIXTURES, by route name: a POST route without one fails the coverage test.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/routes.ts';
import { buildApplication, consentFor, demoApplicant, eventually, pdfBytes, sha256 } from './portal.ts';
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
import { call, isLocalTarget, target } from './target.ts';

const APPLICANT = 'qingguoxiang-catering';

/** A request that succeeds, and another body for the same route (to reuse the key with). */
interface Fixture {
  readonly request: () => Promise<RouteRequest>;
  readonly otherBody: (first: RouteRequest) => unknown;
  /**
   * What of the answer a repeat gives back unchanged: all of it (the stored answer), unless the
   * route runs again on a repeat (`idempotentRepeat: 'rerun'`) — then all but what each run records.
   */
  readonly repeated?: (body: Record<string, unknown>) => unknown;
}

const hotline = () => ({ authorization: `Bearer ${target().credentials.hotline!.token}` });
/** The portal registered as a counter (窗口). */
const counter = () => target().credentials.portals.findIndex((p) => (p as { counter?: boolean }).counter);

/** A final case of APPLICANT's (withdrawn: a case needs no more to be rated). */
async function finalCase() {
  const c = await pendingCase(0, APPLICANT);
  const withdrawn = await callRoute('withdraw-case', {
    params: { caseId: c.caseId },
    headers: as.applicant(APPLICANT),
    body: { reason: '改日再办' },
  });
  if (withdrawn.status !== 200) throw new Error(`withdrawal failed: ${JSON.stringify(withdrawn.body)}`);
  return c.caseId;
}

/** An inquiry (12345) of APPLICANT's about the bundle: its lead, LEAD, answers it. */
async function openInquiry() {
  const asked = await callRoute('create-inquiry', {
    headers: as.applicant(APPLICANT),
    body: { kind: 'consultation', text: '需要准备哪些材料？', bundleId: BUNDLE },
  });
  if (asked.status !== 201) throw new Error(`inquiry failed: ${JSON.stringify(asked.body)}`);
  return asked.body.id as string;
}

/** From tomorrow: never in force while tests run, so that it lets 赵敏 act in none of them (identity.e2e). */
const helperAuthorisation = (days: number) => ({
  helper: { kind: 'person', idNumber: demoApplicant('zhao-min').idNumber, name: '赵敏' },
  scope: { bundleIds: ['after-death'] },
  validFrom: new Date(Date.now() + 86_400_000).toISOString(),
  expiresAt: new Date(Date.now() + (1 + days) * 86_400_000).toISOString(),
});

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
  'create-materials': {
    request: async () => ({ headers: as.portal(0), body: { items: [declaration(), declaration()] } }),
    otherBody: () => ({ items: [declaration()] }),
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
    // Run again on a repeat (no copy of the applicant's data is kept): a new consent record.
    repeated: ({ consent, ...rest }) => ({
      ...rest,
      consent: { ...(consent as object), id: undefined, recordedAt: undefined },
    }),
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
  'submit-counter-case': {
    // Its own mechanism too, as POST /v1/cases.
    request: async () => ({
      headers: {
        ...as.portal(counter()),
        'idempotency-key': randomUUID(),
        'applicant-verified-in-person': 'officer-idem',
      },
      body: await buildApplication('newborn', undefined, counter(), 'liu-yang'),
    }),
    otherBody: (first) => ({ ...(first.body as object), delivery: { method: 'pickup' } }),
  },
  'submit-supplement': {
    request: async () => {
      const c = await pendingCase(0, APPLICANT);
      const asked = await callRoute('decide-task', {
        params: { taskId: c.taskId },
        headers: as.department(LEAD),
        body: {
          outcome: 'correct',
          opinion: '请补正',
          corrections: [{ path: '/form/enterpriseName', message: '名称不规范' }],
        },
      });
      if (asked.status !== 200) throw new Error(`correction failed: ${JSON.stringify(asked.body)}`);
      await eventually(
        () => callRoute('get-case', { params: { caseId: c.caseId }, headers: as.applicant(APPLICANT) }),
        (r) => r.body.status === 'awaiting_correction',
        'awaiting_correction',
      );
      return {
        params: { caseId: c.caseId },
        headers: as.applicant(APPLICANT),
        body: { form: { enterpriseName: '常州更正后科技有限公司' } },
      };
    },
    otherBody: () => ({ form: { enterpriseName: '常州另一更正科技有限公司' } }),
  },
  'create-rating': {
    request: async () => ({
      params: { caseId: await finalCase() },
      headers: as.applicant(APPLICANT),
      body: { overall: 5, comment: '办得快' },
    }),
    otherBody: () => ({ overall: 4 }),
  },
  'complete-rectification': {
    request: async () => {
      const caseId = await finalCase();
      // A 差评 opens a rectification for the lead department.
      const rated = await callRoute('create-rating', {
        params: { caseId },
        headers: as.applicant(APPLICANT),
        body: { overall: 1, comment: '等候太久' },
      });
      if (rated.status !== 201) throw new Error(`rating failed: ${JSON.stringify(rated.body)}`);
      const rectification = (rated.body.rectifications as { id: string; departmentId: string }[]).find(
        (r) => r.departmentId === LEAD,
      )!;
      return {
        params: { rectificationId: rectification.id },
        headers: as.department(LEAD),
        body: { action: '增设取号机', followUp: { contacted: true, satisfied: true, note: '电话回访' } },
      };
    },
    otherBody: () => ({
      action: '另一项整改',
      followUp: { contacted: true, satisfied: false, note: '仍不满意' },
    }),
  },
  'create-inquiry': {
    request: async () => ({
      headers: as.applicant(APPLICANT),
      body: { kind: 'consultation', text: '企业开办需要几天？', bundleId: BUNDLE },
    }),
    otherBody: (first) => ({ ...(first.body as object), text: '另一个问题' }),
  },
  'answer-inquiry': {
    request: async () => ({
      params: { inquiryId: await openInquiry() },
      headers: as.department(LEAD),
      body: { text: '请备齐章程与住所证明。' },
    }),
    otherBody: () => ({ text: '另一份答复' }),
  },
  'create-hotline-inquiry': {
    request: async () => ({
      headers: hotline(),
      body: {
        kind: 'complaint',
        text: '窗口等候太久',
        bundleId: BUNDLE,
        applicant: {
          kind: 'organisation',
          name: '常州青果巷餐饮管理有限公司',
          uscc: demoApplicant(APPLICANT).uscc,
        },
      },
    }),
    otherBody: (first) => ({ ...(first.body as object), text: '另一通来电' }),
  },
  'create-authorisation': {
    request: async () => ({ headers: as.applicant('zhou-ting'), body: helperAuthorisation(1) }),
    otherBody: () => helperAuthorisation(2),
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
      const repeated = FIXTURES[name]!.repeated ?? ((b) => b);
      expect(repeated(again.body)).toEqual(repeated(first.body));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('refuses the key with another body (422 idempotency_key_reused)', async () => {
      const other = await callRoute(name, { ...request, body: FIXTURES[name]!.otherBody(request) });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
    });
  });
});

describe('a prefill repeated with its Idempotency-Key', () => {
  it.skipIf(!isLocalTarget())(
    'keeps no copy of the applicant’s data: the repeat looks them up again, under a new consent, logged again',
    async () => {
      const headers = { ...as.applicant(APPLICANT), 'idempotency-key': randomUUID() };
      const body = {
        bundleId: BUNDLE,
        applicant: { kind: 'organisation', uscc: demoApplicant(APPLICANT).uscc },
        consent: await consentFor(BUNDLE),
      };
      const first = await call('POST', '/v1/prefill', { headers, body });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.found).toBe(true);

      // The idempotency store holds the request's fingerprint, never the answer.
      expect(await storedAnswersHolding(first.body.consent.id)).toEqual([]);

      const again = await call('POST', '/v1/prefill', { headers, body });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.form).toEqual(first.body.form);
      // A new lookup: its consent recorded again, and both reads in the applicant's access log.
      expect(again.body.consent.id).not.toBe(first.body.consent.id);
      const log = await call('GET', '/v1/me/access-log?limit=100', { headers: as.applicant(APPLICANT) });
      const reads = (log.body.items as { at: string; purpose: string }[])
        .filter((e) => e.purpose === `prefill:${BUNDLE}`)
        .map((e) => e.at);
      expect(reads).toEqual(
        expect.arrayContaining([first.body.consent.recordedAt, again.body.consent.recordedAt]),
      );
    },
  );
});

/** The idempotency records (adapters/dynamodb/idempotency-store.ts) whose kept answer contains `text`. */
async function storedAnswersHolding(text: string): Promise<unknown[]> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const found: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME!,
        FilterExpression: '#type = :type AND contains(answer.body, :text)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': 'idempotentRequest', ':text': text },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    found.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  db.destroy();
  return found;
}

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
