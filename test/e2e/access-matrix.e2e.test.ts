/**
 * Role × route × resource: EVERY route (the spec of every functions/*.handler.ts) is called by
 * every kind of caller — nobody, portal A (the owner of the fixtures) without an applicant's
 * token, portal B, applicant A through portal A (the owner of the cases), applicant B through
 * portal A, applicant A through portal B, the owning department, another department, the
 * supervisor, the 12345 hotline, a bad API key, a bad token and portal A with a bad applicant token — against
 * resources that belong to portal A (case, material, license, webhook), to applicant A (the cases)
 * and to department A (its task).
 *
 * Nothing here is per route: requests and expectations come from each route's spec.
 *  - The request fills the path parameters by name from the fixtures (a case id names the pending
 *    case for reads and the issued — final — case for writes, so the owner changes nothing; any
 *    other parameter takes the first example its spec gives), sends
 *    the fixture's Idempotency-Key where the spec takes one, and a body: the fixture body for the
 *    body schemas below (where what a stranger sends matters), `{}` for any other.
 *  - public routes answer everyone (no 401/403, never 5xx);
 *  - a route for portals answers 401 without a portal key; portal B gets 404 for a route about one
 *    of A's resources (a path parameter A owns) — or the 4xx its malformed request earns anywhere —
 *    and for any other a non-5xx answer of its own; a portal's key with an applicant's token is
 *    that portal on these routes;
 *  - a route for applicants answers 401 without both the portal key and a valid applicant token
 *    (portal A alone, a bad applicant token); another applicant through portal A, or applicant A
 *    through portal B, gets 404 for a route about A's case, and for any other (prefill, the case
 *    list, the access log) an answer of its own — which must hold nothing of A's;
 *  - a route for departments answers 401 without a department token; another department (and the
 *    supervisor) gets 403/404 for a route about department A's inbox or task;
 *  - a route for the 12345 hotline answers 401 to everyone but the hotline (a department's token too);
 *  - the owner never gets 401, 403, 404 or a 5xx;
 *  - no refused answer carries anything of the resources (it is a bare problem, and none of their
 *    values appear in it unless the caller sent them), nor does any answer to a non-owner;
 *  - an authorisation (帮办代办) is applicant A's whichever portal A signs in through: A's DELETE
 *    revokes a spare one (the other of A's two DELETEs finds it revoked, 409), anyone else's is 404;
 *  - nothing changes: after the whole matrix the case, the task, the material, the licenses, the
 *    webhooks and the authorisation are as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ApplicationSchema } from '../../core/case/application.ts';
import { PrefillRequestSchema } from '../../core/catalog/prefill.ts';
import { DecisionRequestSchema } from '../../core/flow/decide-task.ts';
import { DeclarationSchema, DeclarationSetSchema } from '../../core/materials/declaration.ts';
import { WebhookRequestSchema } from '../../core/webhooks/register.ts';
import { httpRoutes } from '../../functions/routes.ts';
import { consentFor, demoApplicant, pdfBytes, sha256 } from './portal.ts';
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
  webhookUrl,
} from './routes-client.ts';
import { target } from './target.ts';

/** The applicant who owns the fixtures' cases (an enterprise: the bundle is for enterprises), and another. */
const APPLICANT_A = 'qingguoxiang-catering';
const APPLICANT_B = 'yunhe-digital';

/** Each caller: its headers, and what it is — which portal, which applicant — for the rules. */
const CALLERS = {
  nobody: { headers: as.nobody },
  'portal A': { headers: () => as.portal(0), portal: 'A' },
  'portal B': { headers: () => as.portal(1), portal: 'B' },
  'applicant A (portal A)': { headers: () => as.applicant(APPLICANT_A, 0), portal: 'A', applicant: 'A' },
  'applicant B (portal A)': { headers: () => as.applicant(APPLICANT_B, 0), portal: 'A', applicant: 'B' },
  'applicant A (portal B)': { headers: () => as.applicant(APPLICANT_A, 1), portal: 'B', applicant: 'A' },
  'owning department': { headers: () => as.department(LEAD), department: 'A' },
  'other department': { headers: () => as.department(OTHER_DEPARTMENT), department: 'B' },
  supervisor: { headers: as.supervisor, department: 'supervisor' },
  // 12345: the hotline operators' token (a caller kind of its own).
  hotline: {
    headers: () => ({ authorization: `Bearer ${target().credentials.hotline!.token}` }),
    hotline: true,
  },
  'bad api key': { headers: as.badKey },
  'bad token': { headers: as.badToken },
  // A valid portal key with an applicant token that is not one: a portal, and no applicant.
  'portal A with a bad applicant token': { headers: () => as.badApplicantToken(0), portal: 'A' },
} as const satisfies Record<
  string,
  {
    headers: () => Record<string, string>;
    portal?: 'A' | 'B';
    applicant?: 'A' | 'B';
    department?: 'A' | 'B' | 'supervisor';
    hotline?: true;
  }
>;
type CallerName = keyof typeof CALLERS;
type CallerFacts = {
  portal?: 'A' | 'B';
  applicant?: 'A' | 'B';
  department?: 'A' | 'B' | 'supervisor';
  hotline?: true;
};
const facts = (caller: CallerName): CallerFacts => CALLERS[caller] as CallerFacts;

interface Fixtures {
  pending: PendingCase;
  issued: IssuedCase;
  materialId: string;
  /** Portal A's webhook, that must survive everyone else's attempts. */
  webhook: { id: string; url: string };
  /** Another webhook of portal A, that the owner's own DELETE may remove. */
  spareWebhookId: string;
  /** Department A's webhook (task events), that must survive everyone else's attempts, and a spare. */
  departmentWebhook: { id: string; url: string };
  spareDepartmentWebhookId: string;
  /** Applicant A's consent to prefill the bundle's form. */
  prefillConsent: Awaited<ReturnType<typeof consentFor>>;
  /** Applicant A's inquiry (12345) through portal A about the pending case: routed to department A. */
  inquiryId: string;
  /** Applicant A's authorisation of a helper (帮办代办), that must survive everyone else's attempts, and a spare. */
  authorisationId: string;
  spareAuthorisationId: string;
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

/**
 * Bodies worth sending as they are, by the body schema of a route (any route taking that schema
 * gets it). Every other body is `{}`: refused by the owner's route for what it lacks, never a way in.
 */
const BODIES = new Map<z.core.$ZodType, (f: Fixtures) => unknown>([
  // Portal B replays portal A's Idempotency-Key and body: it must not reach A's case.
  [ApplicationSchema, (f) => f.pending.application],
  [DeclarationSchema, () => declaration()],
  [DeclarationSetSchema, () => ({ items: [declaration(), declaration()] })],
  // Prefill asks about applicant A, whoever calls: only A may learn anything.
  [
    PrefillRequestSchema,
    (f) => ({
      bundleId: BUNDLE,
      applicant: { kind: 'organisation', uscc: demoApplicant(APPLICANT_A).uscc },
      consent: f.prefillConsent,
    }),
  ],
  [WebhookRequestSchema, () => ({ url: webhookUrl(), description: 'access matrix' })],
  // A rejection without a reason: past the ownership check for the owner (422), nothing decided.
  [DecisionRequestSchema, () => ({ outcome: 'reject' })],
]);

/**
 * Whether `caller` is asked `r` at all: on a portal's own routes a portal key with an applicant's
 * token (valid or not) is that portal — portal A's owner rules would apply twice (and two owners
 * would race to delete the same webhook), so only portal A itself calls them.
 */
const asks = (r: Route, caller: CallerName): boolean =>
  !(r.caller === 'portal' && facts(caller).portal === 'A' && caller !== 'portal A');

/**
 * Whether `caller` owns what a route for `kind` is about: portal A's resources, applicant A's
 * case through portal A — or, for an applicant route about no resource (prefill about A, the
 * case list, the access log), applicant A through any portal: A's own data is A's to see.
 */
function isOwnerOf(kind: Route['caller'], caller: CallerName, aboutOwned = true): boolean {
  const c = facts(caller);
  if (kind === 'public') return true;
  if (kind === 'portal') return c.portal === 'A';
  if (kind === 'applicant') return c.applicant === 'A' && (c.portal === 'A' || !aboutOwned);
  if (kind === 'hotline') return c.hotline === true;
  return c.department === 'A';
}

/** Whether `caller` holds a valid credential of the kind a route for `kind` takes (owner or not). */
function isOfKind(kind: Route['caller'], caller: CallerName): boolean {
  const c = facts(caller);
  if (kind === 'portal') return c.portal !== undefined;
  if (kind === 'applicant') return c.portal !== undefined && c.applicant !== undefined;
  if (kind === 'department') return c.department !== undefined;
  if (kind === 'hotline') return c.hotline === true;
  return true;
}

/** Path parameters that name something of portal A's or department A's. */
const OWNED = new Set(['caseId', 'materialId', 'webhookId', 'taskId', 'departmentId', 'inquiryId']);
/** Routes whose answer may show every department's work to the supervisor (电子监察). */
const SUPERVISOR_SEES = new Set(['get-supervision']);

const paramsOf = (r: Route) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** The request `caller` sends to `r`, from the spec and the fixtures alone. */
function requestFor(r: Route, f: Fixtures, caller: CallerName): RouteRequest {
  const writes = r.method !== 'GET';
  const value: Record<string, () => string> = {
    bundleId: () => BUNDLE,
    caseId: () => (writes ? f.issued.caseId : f.pending.caseId),
    materialId: () => f.materialId,
    taskId: () => f.pending.taskId,
    licenseId: () => f.issued.licenseIds[0]!,
    departmentId: () => LEAD,
    inquiryId: () => f.inquiryId,
    // Applicant A's, through any portal (not in OWNED): A's own DELETE revokes the spare.
    authorisationId: () =>
      facts(caller).applicant === 'A' && r.method === 'DELETE' ? f.spareAuthorisationId : f.authorisationId,
    webhookId: () =>
      r.path.startsWith('/v1/departments/')
        ? isOwnerOf('department', caller) && r.method === 'DELETE'
          ? f.spareDepartmentWebhookId
          : f.departmentWebhook.id
        : isOwnerOf('portal', caller) && r.method === 'DELETE'
          ? f.spareWebhookId
          : f.webhook.id,
  };
  // Any other parameter: the first example its spec gives (`.meta({ examples: [...] })`).
  const example = (p: string) => {
    const schema = (r.params as z.core.$ZodObject | undefined)?._zod.def.shape[p];
    return (schema && z.globalRegistry.get(schema)?.examples) as unknown[] | undefined;
  };
  const params = Object.fromEntries(
    paramsOf(r).map((p) => {
      const v = value[p]?.() ?? example(p)?.[0];
      if (typeof v !== 'string')
        throw new Error(
          `${r.name}: give the path parameter {${p}} an example in its spec (.meta({ examples }))`,
        );
      return [p, v];
    }),
  );
  const headerNames = Object.keys((r.headers as z.core.$ZodObject | undefined)?._zod.def.shape ?? {});
  return {
    params,
    ...(headerNames.includes('idempotency-key')
      ? { headers: { 'idempotency-key': f.pending.idempotencyKey } }
      : {}),
    ...(r.body ? { body: (BODIES.get(r.body.schema) ?? (() => ({})))(f) } : {}),
  };
}

/** Why `status` is not an answer `caller` may get from `r`, or undefined when it may. */
function refusal(r: Route, caller: CallerName, status: number): string | undefined {
  if (status >= 500) return 'a 5xx';
  if (r.caller === 'public')
    return status === 401 || status === 403 ? 'refused on a public route' : undefined;
  if (
    isOwnerOf(
      r.caller,
      caller,
      paramsOf(r).some((p) => OWNED.has(p)),
    )
  )
    return [401, 403, 404].includes(status) ? 'refused to the owner' : undefined;
  if (!isOfKind(r.caller, caller))
    return status === 401 ? undefined : 'expected 401 without the right credential';
  // A request malformed in itself is refused before any resource is looked up: that says nothing
  // about the resource (the same answer for every id), so it is no leak.
  if ([400, 413, 415, 422].includes(status)) return undefined;
  const aboutOwned = paramsOf(r).some((p) => OWNED.has(p));
  // Prefill about applicant A: another applicant is refused (403) — and learns nothing of A.
  if (!aboutOwned && r.caller === 'applicant' && r.body?.schema === PrefillRequestSchema)
    return status === 403 || status === 404 ? undefined : 'expected 403/404 asking about another applicant';
  if (!aboutOwned) return status === 401 || status === 403 ? 'refused a caller of the right kind' : undefined;
  return r.caller === 'portal' || r.caller === 'applicant'
    ? status === 404
      ? undefined
      : 'expected 404 for another portal’s or applicant’s resource'
    : [403, 404].includes(status)
      ? undefined
      : 'expected 403/404 for another department’s work';
}

/** Everything any fixture holds that only its owners may see. */
const allSecrets = (f: Fixtures) => [
  ...caseSecrets(f.pending),
  ...caseSecrets(f.issued),
  ...f.issued.licenseIds,
  f.pending.taskId,
  f.webhook.id,
  f.webhook.url,
  f.inquiryId,
  f.authorisationId,
];

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
const createdDepartmentWebhooks: string[] = [];

/** What the owners see of the fixtures; the matrix must leave all of it unchanged. */
async function snapshot() {
  const [pendingView, task, issuedView, licenses, material, webhooks, departmentWebhooks, authorisations] =
    await Promise.all([
      callRoute('get-case', { headers: as.applicant(APPLICANT_A), params: { caseId: f.pending.caseId } }),
      callRoute('get-task', { headers: as.department(LEAD), params: { taskId: f.pending.taskId } }),
      callRoute('get-case', { headers: as.applicant(APPLICANT_A), params: { caseId: f.issued.caseId } }),
      callRoute('list-licenses', { headers: as.applicant(APPLICANT_A), params: { caseId: f.issued.caseId } }),
      callRoute('get-material', { headers: as.portal(0), params: { materialId: f.materialId } }),
      callRoute('list-webhooks', { headers: as.portal(0) }),
      callRoute('list-department-webhooks', {
        headers: as.department(LEAD),
        params: { departmentId: LEAD },
      }),
      callRoute('list-authorisations', { headers: as.applicant(APPLICANT_A) }),
    ]);
  // Presigned links are signed afresh on every read; everything else must be identical.
  const { materials: _links, ...taskWithoutLinks } = task.body;
  const { licenses: issuedLicenses, ...issuedWithoutLinks } = issuedView.body;
  return {
    pendingCase: pendingView.body,
    task: taskWithoutLinks,
    taskMaterials: (task.body.materials as { type: string; materialId?: string }[]).map((m) => [
      m.type,
      m.materialId,
    ]),
    issuedCase: issuedWithoutLinks,
    issuedCaseLicenses: (issuedLicenses as { id: string; serviceId: string }[]).map((l) => [
      l.id,
      l.serviceId,
    ]),
    licenses: (licenses.body.items as { id: string; serviceId: string }[]).map((l) => [l.id, l.serviceId]),
    material: material.body,
    webhook: (webhooks.body.items as { id: string }[]).find((w) => w.id === f.webhook.id),
    departmentWebhook: (departmentWebhooks.body.items as { id: string }[]).find(
      (w) => w.id === f.departmentWebhook.id,
    ),
    authorisation: (authorisations.body.items as { id: string }[]).find((a) => a.id === f.authorisationId),
  };
}
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  const [pending, issued] = await Promise.all([pendingCase(0, APPLICANT_A), issuedCase(0, APPLICANT_A)]);
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
  const departmentHook = async () => {
    const r = await callRoute('create-department-webhook', {
      headers: as.department(LEAD),
      params: { departmentId: LEAD },
      body: { url: webhookUrl(), description: 'access matrix fixture' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    createdDepartmentWebhooks.push(r.body.id);
    return r.body as { id: string; url: string };
  };
  const [departmentWebhook, spareDepartment] = [await departmentHook(), await departmentHook()];
  const inquiry = await callRoute('create-inquiry', {
    headers: as.applicant(APPLICANT_A, 0),
    body: { kind: 'consultation', text: '办到哪一步了？', caseId: pending.caseId },
  });
  expect(inquiry.status, JSON.stringify(inquiry.body)).toBe(201);
  expect(inquiry.body.departmentId).toBe(LEAD);
  const authorise = async () => {
    const r = await callRoute('create-authorisation', {
      headers: as.applicant(APPLICANT_A, 0),
      body: {
        helper: { kind: 'person', idNumber: demoApplicant('zhao-min').idNumber, name: '赵敏' },
        scope: { bundleIds: [BUNDLE] },
        // From tomorrow: never in force during the run, so that it lets the helper act in no other test.
        validFrom: new Date(Date.now() + 86_400_000).toISOString(),
        expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as string;
  };
  const [authorisationId, spareAuthorisationId] = [await authorise(), await authorise()];
  f = {
    pending,
    issued,
    materialId: pending.materialIds[0]!,
    webhook,
    spareWebhookId: spare.id,
    departmentWebhook,
    spareDepartmentWebhookId: spareDepartment.id,
    prefillConsent: await consentFor(BUNDLE),
    inquiryId: inquiry.body.id,
    authorisationId,
    spareAuthorisationId,
  };
  before = await snapshot();
  expect(before.task.status).toBe('pending');
  expect(before.webhook).toBeDefined();
  expect(before.departmentWebhook).toBeDefined();
  expect(before.authorisation).toMatchObject({ state: 'not_yet_valid' });
}, 60_000);

/** Webhooks are limited per portal and receive every case event: none is left behind. */
async function deleteCreatedWebhooks(
  keep: readonly string[] = [
    f.webhook.id,
    f.spareWebhookId,
    f.departmentWebhook.id,
    f.spareDepartmentWebhookId,
  ],
) {
  const gone = createdWebhooks.filter((w) => !keep.includes(w.id));
  await Promise.all(
    gone.map((w) =>
      callRoute('delete-webhook', { headers: as.portal(w.portal), params: { webhookId: w.id } }),
    ),
  );
  createdWebhooks.splice(0, createdWebhooks.length, ...createdWebhooks.filter((w) => keep.includes(w.id)));
  const goneOfDepartment = createdDepartmentWebhooks.filter((id) => !keep.includes(id));
  await Promise.all(
    goneOfDepartment.map((webhookId) =>
      callRoute('delete-department-webhook', {
        headers: as.department(LEAD),
        params: { departmentId: LEAD, webhookId },
      }),
    ),
  );
  createdDepartmentWebhooks.splice(
    0,
    createdDepartmentWebhooks.length,
    ...createdDepartmentWebhooks.filter((id) => !goneOfDepartment.includes(id)),
  );
}

afterAll(() => deleteCreatedWebhooks([]));

describe('every route × every caller', () => {
  it.each(httpRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers each caller as its role allows, revealing nothing',
    async (_, route) => {
      const failures: string[] = [];
      await Promise.all(
        (Object.keys(CALLERS) as CallerName[])
          .filter((caller) => asks(route, caller))
          .map(async (caller) => {
            const request = requestFor(route, f, caller);
            const res = await callRoute(route.name, {
              ...request,
              headers: { ...request.headers, ...CALLERS[caller].headers() },
            });
            if (route.name === 'create-department-webhook' && res.status === 201)
              createdDepartmentWebhooks.push(res.body.id);
            if (route.name === 'create-webhook' && res.status === 201)
              createdWebhooks.push({ id: res.body.id, portal: facts(caller).portal === 'B' ? 1 : 0 });
            const wrong = refusal(route, caller, res.status);
            if (wrong)
              failures.push(`${caller}: ${res.status}, ${wrong} — ${JSON.stringify(res.body).slice(0, 300)}`);
            const isOwner = isOwnerOf(
              route.caller,
              caller,
              paramsOf(route).some((p) => OWNED.has(p)),
            );
            const maySee = caller === 'supervisor' && SUPERVISOR_SEES.has(route.name);
            if (!isOwner && !maySee)
              for (const leak of leaks(res, request, allSecrets(f))) failures.push(`${caller}: ${leak}`);
            if (res.status >= 400 && res.body?.status !== res.status)
              failures.push(`${caller}: problem status ${res.body?.status} ≠ HTTP ${res.status}`);
          }),
      );
      await deleteCreatedWebhooks();
      expect(failures).toEqual([]);
    },
  );

  it('leaves the case, the task, the material, the licenses and the webhook as they were', async () => {
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(after.task.status).toBe('pending');
    expect(after.issuedCase.status).toBe('issued');
    // And portal B's replay of A's Idempotency-Key made no case of B's with A's data.
    const replayedAsB = await callRoute('get-case', {
      headers: as.applicant(APPLICANT_A, 1),
      params: { caseId: f.pending.caseId },
    });
    expect(replayedAsB.status).toBe(404);
  });
});
