/**
 * Calls routes by their name in functions/routes.ts, and the fixtures the contract tests share:
 * a case waiting for acceptance and an issued case with its licenses, created through HTTP only.
 */
import { randomUUID } from 'node:crypto';
import { httpRoutes } from '../../functions/routes.ts';
import {
  applicantAuth,
  buildApplication,
  caseAuth,
  DEFAULT_ORGANISATION,
  decide,
  departmentAuth,
  eventually,
  getCase,
  pendingTask,
  portalKey,
  submit,
} from './portal.ts';
import { type Call, call, isLocalTarget, target } from './target.ts';

export type Route = (typeof httpRoutes)[number];
export type RouteName = Route['name'];

export function route(name: string): Route {
  const r = httpRoutes.find((x) => x.name === name);
  if (!r) throw new Error(`no route named ${name} in functions/routes.ts`);
  return r;
}

/** `/v1/cases/{caseId}` + { caseId } → `/v1/cases/c-…` (each value URI-encoded). */
export function fillPath(path: string, params: Readonly<Record<string, string>> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${path}`);
    return encodeURIComponent(value);
  });
}

export interface RouteRequest {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly rawBody?: string;
}

export interface RouteCall extends Call {
  readonly route: Route;
}

export async function callRoute(name: string, request: RouteRequest = {}): Promise<RouteCall> {
  const r = route(name);
  const query = request.query ? `?${new URLSearchParams(request.query as Record<string, string>)}` : '';
  const res = await call(r.method, `${fillPath(r.path, request.params)}${query}`, {
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(request.rawBody !== undefined ? { rawBody: request.rawBody } : {}),
    ...(request.headers ? { headers: { ...request.headers } } : {}),
  });
  return { ...res, route: r };
}

export const BUNDLE = 'enterprise-opening';
export const SERVICE = 'enterprise-establishment-registration';
/** The lead department of 企业开办, and the only department of SERVICE. */
export const LEAD = 'market-regulation';
/** A department with nothing to do with the fixtures' cases. */
export const OTHER_DEPARTMENT = 'tax';

export interface PendingCase {
  readonly caseId: string;
  /** The demo applicant who applied (an organisation: SERVICE is for enterprises). */
  readonly applicantId: string;
  readonly idempotencyKey: string;
  readonly application: Awaited<ReturnType<typeof buildApplication>>;
  readonly materialIds: string[];
  /** The lead department's acceptance task, pending. */
  readonly taskId: string;
  /** Values only the owner may ever see back (applicant, form, file names). */
  readonly secrets: string[];
}

/**
 * A case of `portal` and demo applicant `applicantId` for SERVICE, with recognisable data,
 * waiting for acceptance.
 */
export async function pendingCase(portal = 0, applicantId = DEFAULT_ORGANISATION): Promise<PendingCase> {
  const application = await buildApplication(BUNDLE, [SERVICE], portal, applicantId);
  const tag = randomUUID().slice(0, 8);
  application.form = { ...application.form, enterpriseName: `常州${tag}科技有限公司` };
  const idempotencyKey = randomUUID();
  const submitted = await submit(application, idempotencyKey, portal);
  if (submitted.status !== 201) throw new Error(`submission failed: ${JSON.stringify(submitted.body)}`);
  const caseId = submitted.body.id as string;
  const task = await pendingTask(LEAD, caseId, 'acceptance');
  const applicant = application.applicant as {
    name: string;
    idNumber?: string;
    uscc?: string;
    phone: string;
  };
  return {
    caseId,
    applicantId,
    idempotencyKey,
    application,
    materialIds: application.materials.map((m) => m.materialId),
    taskId: task.id as string,
    secrets: [applicant.name, (applicant.idNumber ?? applicant.uscc)!, `常州${tag}科技有限公司`, tag],
  };
}

export interface IssuedCase extends PendingCase {
  readonly licenseIds: string[];
}

/** A case of `portal` accepted, approved and issued, with its license(s). */
export async function issuedCase(portal = 0, applicantId = DEFAULT_ORGANISATION): Promise<IssuedCase> {
  const c = await pendingCase(portal, applicantId);
  const accepted = await decide(c.taskId, LEAD, { outcome: 'approve', opinion: '予以受理' });
  if (accepted.status !== 200) throw new Error(`acceptance failed: ${JSON.stringify(accepted.body)}`);
  const review = await pendingTask(LEAD, c.caseId, 'review');
  const approved = await decide(review.id, LEAD, { outcome: 'approve', opinion: '同意' });
  if (approved.status !== 200) throw new Error(`review failed: ${JSON.stringify(approved.body)}`);
  await eventually(
    () => getCase(c.caseId, portal),
    (r) => r.body.status === 'issued',
    'issued',
  );
  const licenses = await call('GET', `/v1/cases/${c.caseId}/licenses`, {
    headers: caseAuth(c.caseId, portal),
  });
  return { ...c, licenseIds: (licenses.body.items as { id: string }[]).map((l) => l.id) };
}

/** The department's pending task of `kind` for the case, whatever its round (waits until it is opened). */
export async function openTask(departmentId: string, caseId: string, kind: 'acceptance' | 'review') {
  const res = await eventually(
    () =>
      call('GET', `/v1/departments/${departmentId}/tasks?status=pending&limit=100`, {
        headers: departmentAuth(departmentId),
      }),
    (r) => r.status === 200 && r.body.items.some((t: TaskSummary) => t.caseId === caseId && t.kind === kind),
    `${kind} task of ${departmentId} for ${caseId}`,
  );
  return (res.body.items as TaskSummary[]).find((t) => t.caseId === caseId && t.kind === kind)!;
}
interface TaskSummary {
  id: string;
  caseId: string;
  kind: string;
  round: number;
}

/** Whether the suite runs against a deployed stack rather than the local one. */
export const remote = !isLocalTarget();

/** A webhook URL the target accepts and that needs no DNS: a closed local port, or a public address. */
export const webhookUrl = () =>
  `${remote ? 'https://1.1.1.1' : 'http://127.0.0.1:9'}/contract-tests/${randomUUID()}`;

/** Credentials by who is calling. */
export const as = {
  nobody: (): Record<string, string> => ({}),
  portal: (i: number): Record<string, string> => portalKey(i),
  /** Demo applicant `id` through portal `i`: the portal's key and the applicant's token. */
  applicant: (id: string, i = 0): Record<string, string> => applicantAuth(id, i),
  department: (id: string): Record<string, string> => departmentAuth(id),
  supervisor: (): Record<string, string> => departmentAuth('supervision'),
  badKey: (): Record<string, string> => ({ 'x-api-key': `yjs_${randomUUID()}` }),
  /** Portal `i`'s valid key, with an applicant token whose signature is wrong. */
  badApplicantToken: (i = 0): Record<string, string> => {
    const [header, payload] = (target().credentials.applicants?.[0]?.token ?? 'a.b.c').split('.');
    return {
      ...portalKey(i),
      authorization: `Bearer ${header}.${payload}.${Buffer.from(randomUUID()).toString('base64url')}`,
    };
  },
  /** Well-formed, but signed with another secret. */
  badToken: (): Record<string, string> => {
    const [header, payload] = target().credentials.departments[0]!.token.split('.');
    return {
      authorization: `Bearer ${header}.${payload}.${Buffer.from(randomUUID()).toString('base64url')}`,
    };
  },
};
