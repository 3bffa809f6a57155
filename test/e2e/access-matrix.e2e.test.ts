/**
 * Role × route × resource: EVERY route of functions/routes.ts is called by every kind of caller —
 * nobody, portal A (the owner of the fixtures), portal B, the owning department, another
 * department, the supervisor, a bad API key and a bad token — against resources that belong to
 * portal A (case, material, licence, webhook) and to department A (its task).
 *
 *  - public routes answer 2xx to everyone;
 *  - portal routes answer 401 without a portal key, and 404 for another portal's resource;
 *  - department routes answer 401 without a department token, 403/404 to another department;
 *  - no refused answer carries anything of the resource (it is a bare problem, and none of the
 *    resource's values appear in it unless the caller sent them), nor does any answer to portal B
 *    or another department;
 *  - nothing changes: after the whole matrix the case, the task, the material, the licences and
 *    the webhook are as they were.
 *
 * A route added to the table without a fixture here fails this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/routes.ts';
import { SEEDED_PERSONS } from '../../local/setup/seed-shared-data.ts';
import { pdfBytes, sha256 } from './portal.ts';
import {
  as,
  BUNDLE,
  callRoute,
  type IssuedCase,
  issuedCase,
  LEAD,
  OTHER_DEPARTMENT,
  type PendingCase,
  pendingCase,
  type Route,
  type RouteCall,
  type RouteRequest,
  SERVICE,
  webhookUrl,
} from './routes-client.ts';

const CALLERS = {
  nobody: as.nobody,
  'portal A': () => as.portal(0),
  'portal B': () => as.portal(1),
  'owning department': () => as.department(LEAD),
  'other department': () => as.department(OTHER_DEPARTMENT),
  supervisor: as.supervisor,
  'bad api key': as.badKey,
  'bad token': as.badToken,
} as const;
type CallerName = keyof typeof CALLERS;

interface Fixtures {
  pending: PendingCase;
  issued: IssuedCase;
  materialId: string;
  /** Portal A's webhook, that must survive everyone else's attempts. */
  webhook: { id: string; url: string };
  /** Another webhook of portal A, that the owner's own DELETE may remove. */
  spareWebhookId: string;
}

interface Fixture {
  /** The request, without credentials. */
  request(f: Fixtures, caller: CallerName): RouteRequest;
  /** The owner's answer (a 4xx where the owner's success would change the fixtures). */
  owner: number;
  /** Portal B's answer on a portal route, when it is not 404 (routes without another portal's resource). */
  otherPortal?: number;
  /** Another department's answers on a department route. */
  otherDepartment?: readonly number[];
  /** Values of the resource no one but the owner may see (the supervisor may, where listed). */
  secrets?(f: Fixtures): string[];
  supervisorMaySee?: boolean;
}

const caseSecrets = (c: PendingCase) => [...c.secrets, c.caseId];
const declaration = () => {
  const bytes = pdfBytes();
  return {
    bundleId: BUNDLE,
    type: 'articles-of-association',
    fileName: 'matrix.pdf',
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: sha256(bytes),
  };
};

const FIXTURES: Readonly<Record<string, Fixture>> = {
  'get-health': { request: () => ({}), owner: 200 },
  'get-openapi': { request: () => ({}), owner: 200 },
  'list-bundles': { request: () => ({}), owner: 200 },
  'get-bundle': { request: () => ({ params: { bundleId: BUNDLE } }), owner: 200 },
  'get-guide': {
    request: () => ({ params: { bundleId: BUNDLE }, query: { services: SERVICE } }),
    owner: 200,
  },
  'get-form': { request: () => ({ params: { bundleId: BUNDLE }, query: { services: SERVICE } }), owner: 200 },
  'get-metrics': { request: () => ({ params: { bundleId: BUNDLE } }), owner: 200 },
  'verify-license': { request: (f) => ({ params: { licenseId: f.issued.licenseIds[0]! } }), owner: 200 },
  'create-material': { request: () => ({ body: declaration() }), owner: 201, otherPortal: 201 },
  'get-material': {
    request: (f) => ({ params: { materialId: f.materialId } }),
    owner: 200,
    secrets: (f) => caseSecrets(f.pending),
  },
  'submit-case': {
    // Portal B replays portal A's Idempotency-Key and body: it must not reach A's case.
    request: (f) => ({
      headers: { 'idempotency-key': f.pending.idempotencyKey },
      body: f.pending.application,
    }),
    owner: 201,
    otherPortal: 422,
    secrets: (f) => caseSecrets(f.pending),
  },
  prefill: {
    request: () => ({
      body: { bundleId: BUNDLE, applicant: { kind: 'person', idNumber: SEEDED_PERSONS[0]!.idNumber } },
    }),
    owner: 200,
    otherPortal: 200,
  },
  'get-case': {
    request: (f) => ({ params: { caseId: f.pending.caseId } }),
    owner: 200,
    secrets: (f) => caseSecrets(f.pending),
  },
  'submit-supplement': {
    // No correction is open: the owner is told so (409); anyone else learns nothing (404).
    request: (f) => ({
      params: { caseId: f.pending.caseId },
      body: { form: { enterpriseName: '常州矩阵科技有限公司' } },
    }),
    owner: 409,
    secrets: (f) => caseSecrets(f.pending),
  },
  'withdraw-case': {
    // The issued case is final: the owner gets 409 and the case stays issued.
    request: (f) => ({ params: { caseId: f.issued.caseId }, body: { reason: 'matrix' } }),
    owner: 409,
    secrets: (f) => caseSecrets(f.issued),
  },
  'list-licenses': {
    request: (f) => ({ params: { caseId: f.issued.caseId } }),
    owner: 200,
    secrets: (f) => [...caseSecrets(f.issued), ...f.issued.licenseIds],
  },
  'create-webhook': {
    request: () => ({ body: { url: webhookUrl(), description: 'access matrix' } }),
    owner: 201,
    otherPortal: 201,
  },
  'list-webhooks': {
    request: () => ({}),
    owner: 200,
    otherPortal: 200,
    secrets: (f) => [f.webhook.id, f.webhook.url],
  },
  'delete-webhook': {
    request: (f, caller) => ({
      params: { webhookId: caller === 'portal A' ? f.spareWebhookId : f.webhook.id },
    }),
    owner: 200,
    secrets: (f) => [f.webhook.url],
  },
  'list-tasks': {
    request: () => ({ params: { departmentId: LEAD }, query: { status: 'pending', limit: '100' } }),
    owner: 200,
    otherDepartment: [403],
    secrets: (f) => [...caseSecrets(f.pending), f.pending.taskId],
  },
  'get-task': {
    request: (f) => ({ params: { taskId: f.pending.taskId } }),
    owner: 200,
    otherDepartment: [404],
    secrets: (f) => caseSecrets(f.pending),
  },
  'decide-task': {
    // A rejection without a reason: past the ownership check for the owner (422), nothing decided.
    request: (f) => ({ params: { taskId: f.pending.taskId }, body: { outcome: 'reject' } }),
    owner: 422,
    otherDepartment: [404],
    secrets: (f) => caseSecrets(f.pending),
  },
  'get-supervision': {
    request: () => ({}),
    owner: 200,
    otherDepartment: [200],
    secrets: (f) => [...caseSecrets(f.pending), f.pending.taskId],
    supervisorMaySee: true,
  },
};

const OWNER: Record<Route['caller'], CallerName | undefined> = {
  public: undefined,
  portal: 'portal A',
  department: 'owning department',
};

/** The statuses `caller` may get from `route`. */
function expected(route: Route, fixture: Fixture, caller: CallerName): readonly number[] {
  if (route.caller === 'public') return [fixture.owner];
  if (caller === OWNER[route.caller]) return [fixture.owner];
  if (route.caller === 'portal') return caller === 'portal B' ? [fixture.otherPortal ?? 404] : [401];
  return caller === 'other department' || caller === 'supervisor'
    ? (fixture.otherDepartment ?? [403, 404])
    : [401];
}

const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'errors']);

/** Everything wrong with a non-owner's answer, as readable lines. */
function leaks(res: RouteCall, request: RouteRequest, secrets: readonly string[]): string[] {
  const found: string[] = [];
  if (res.status >= 400) {
    if (!res.headers.get('content-type')?.startsWith('application/problem+json'))
      found.push(`content-type ${res.headers.get('content-type')}`);
    const keys = typeof res.body === 'object' && res.body ? Object.keys(res.body) : ['<not an object>'];
    const extra = keys.filter((k) => !PROBLEM_KEYS.has(k));
    if (extra.length) found.push(`fields beyond a problem: ${extra.join(', ')}`);
  }
  // A value the caller sent may be echoed (e.g. the id it asked for); anything else may not.
  const sent = JSON.stringify(request);
  const answer = `${JSON.stringify(res.body)} ${JSON.stringify([...res.headers])}`;
  for (const secret of secrets)
    if (!sent.includes(secret) && answer.includes(secret)) found.push(`reveals "${secret}"`);
  return found;
}

let f: Fixtures;
const createdWebhooks: { id: string; portal: number }[] = [];

/** What the owners see of the fixtures; the matrix must leave all of it unchanged. */
async function snapshot() {
  const [pendingView, task, issuedView, licenses, material, webhooks] = await Promise.all([
    callRoute('get-case', { headers: as.portal(0), params: { caseId: f.pending.caseId } }),
    callRoute('get-task', { headers: as.department(LEAD), params: { taskId: f.pending.taskId } }),
    callRoute('get-case', { headers: as.portal(0), params: { caseId: f.issued.caseId } }),
    callRoute('list-licenses', { headers: as.portal(0), params: { caseId: f.issued.caseId } }),
    callRoute('get-material', { headers: as.portal(0), params: { materialId: f.materialId } }),
    callRoute('list-webhooks', { headers: as.portal(0) }),
  ]);
  // Presigned links are signed afresh on every read; everything else must be identical.
  const { materials: _links, ...taskWithoutLinks } = task.body;
  return {
    pendingCase: pendingView.body,
    task: taskWithoutLinks,
    taskMaterials: (task.body.materials as { type: string; materialId?: string }[]).map((m) => [
      m.type,
      m.materialId,
    ]),
    issuedCase: issuedView.body,
    licenses: (licenses.body.items as { id: string; serviceId: string }[]).map((l) => [l.id, l.serviceId]),
    material: material.body,
    webhook: (webhooks.body.items as { id: string }[]).find((w) => w.id === f.webhook.id),
  };
}
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  const [pending, issued] = await Promise.all([pendingCase(0), issuedCase(0)]);
  const hook = async () => {
    const r = await callRoute('create-webhook', {
      headers: as.portal(0),
      body: { url: webhookUrl(), description: 'access matrix fixture' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    createdWebhooks.push({ id: r.body.id, portal: 0 });
    return r.body as { id: string; url: string };
  };
  const [webhook, spare] = [await hook(), await hook()];
  f = { pending, issued, materialId: pending.materialIds[0]!, webhook, spareWebhookId: spare.id };
  before = await snapshot();
  expect(before.task.status).toBe('pending');
  expect(before.webhook).toBeDefined();
}, 60_000);

/** Webhooks are limited per portal and receive every case event: none is left behind. */
async function deleteCreatedWebhooks(keep: readonly string[] = [f.webhook.id, f.spareWebhookId]) {
  const gone = createdWebhooks.filter((w) => !keep.includes(w.id));
  await Promise.all(
    gone.map((w) =>
      callRoute('delete-webhook', { headers: as.portal(w.portal), params: { webhookId: w.id } }),
    ),
  );
  createdWebhooks.splice(0, createdWebhooks.length, ...createdWebhooks.filter((w) => keep.includes(w.id)));
}

afterAll(() => deleteCreatedWebhooks([]));

describe('every route × every caller', () => {
  it.each(httpRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers each caller as its role allows, revealing nothing',
    async (_, route) => {
      const fixture = FIXTURES[route.name];
      expect(
        fixture,
        `no access-matrix fixture for route "${route.name}": add one to FIXTURES`,
      ).toBeDefined();
      const failures: string[] = [];
      await Promise.all(
        (Object.keys(CALLERS) as CallerName[]).map(async (caller) => {
          const request = fixture!.request(f, caller);
          const res = await callRoute(route.name, {
            ...request,
            headers: { ...request.headers, ...CALLERS[caller]() },
          });
          if (route.name === 'create-webhook' && res.status === 201)
            createdWebhooks.push({ id: res.body.id, portal: caller === 'portal B' ? 1 : 0 });
          const allowed = expected(route, fixture!, caller);
          if (!allowed.includes(res.status))
            failures.push(
              `${caller}: ${res.status}, expected ${allowed.join(' or ')} — ${JSON.stringify(res.body).slice(0, 300)}`,
            );
          const isOwner = route.caller === 'public' || caller === OWNER[route.caller];
          const maySee = caller === 'supervisor' && fixture!.supervisorMaySee;
          if (!isOwner && !maySee)
            for (const leak of leaks(res, request, fixture!.secrets?.(f) ?? []))
              failures.push(`${caller}: ${leak}`);
          if (res.status >= 400 && res.body?.status !== res.status)
            failures.push(`${caller}: problem status ${res.body?.status} ≠ HTTP ${res.status}`);
        }),
      );
      await deleteCreatedWebhooks();
      expect(failures).toEqual([]);
    },
  );

  it('leaves the case, the task, the material, the licences and the webhook as they were', async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(after.task.status).toBe('pending');
    expect(after.issuedCase.status).toBe('issued');
    // And portal B's replay of A's Idempotency-Key made no case of B's with A's data.
    const replayedAsB = await callRoute('get-case', {
      headers: as.portal(1),
      params: { caseId: f.pending.caseId },
    });
    expect(replayedAsB.status).toBe(404);
  });

  it('has a fixture for every route, and none for a route that is gone', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(httpRoutes.map((r) => r.name).sort());
  });
});
