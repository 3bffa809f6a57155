/**
 * What a portal does, through HTTP only: read the guide and the merged form, upload the required
 * materials to their presigned URLs, and build a complete application from the schema's examples —
 * those through the typed client (client/index.ts), so every e2e test exercises the document.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createPortalClient, createPublicClient } from '../../client/index.ts';
import { idNumberCheckCharacter } from '../../core/shared/identifiers.ts';
import { call, flowWaitMs, target } from './target.ts';

export const portalKey = (i = 0) => ({ 'x-api-key': target().credentials.portals[i]!.apiKey });

/** Portal `i`'s typed client (client/index.ts), with the signed-in applicant's token when given. */
export const portalClient = (i = 0, applicantId?: string) =>
  createPortalClient({
    baseUrl: target().baseUrl,
    apiKey: target().credentials.portals[i]!.apiKey,
    ...(applicantId ? { token: demoApplicant(applicantId).token } : {}),
  });

/** The demo applicant a test acts as when it does not say (a person), and the organisation one. */
export const DEFAULT_PERSON = 'chen-jing';
export const DEFAULT_ORGANISATION = 'qingguoxiang-catering';

type ApplicantCredential = NonNullable<ReturnType<typeof target>['credentials']['applicants']>[number];

/** A demo applicant of the credentials (`.local/credentials.json` `applicants`), by id. */
export function demoApplicant(id: string): ApplicantCredential {
  const a = target().credentials.applicants?.find((x) => x.id === id);
  if (!a) throw new Error(`no demo applicant "${id}" in the credentials (is the identity provider running?)`);
  return a;
}

/** The demo applicant an application names (by ID number or credit code), if any. */
export function demoApplicantOf(applicant: unknown): ApplicantCredential | undefined {
  const a = (applicant ?? {}) as { kind?: string; idNumber?: string; uscc?: string };
  return target().credentials.applicants?.find((x) =>
    a.kind === 'organisation'
      ? x.kind === 'organisation' && x.uscc === a.uscc
      : x.kind === 'person' && x.idNumber === a.idNumber,
  );
}

/** Portal `portal`'s key and demo applicant `id`'s token: an applicant-scoped call. */
export const applicantAuth = (id: string = DEFAULT_PERSON, portal = 0) => ({
  ...portalKey(portal),
  authorization: `Bearer ${demoApplicant(id).token}`,
});

/** Who submitted each case this worker submitted: reads of it go with that applicant's token. */
const submittedBy = new Map<string, string>();
/** The demo applicant who submitted `caseId` (through `submit`), or the default person. */
export const applicantOfCase = (caseId: string): string => submittedBy.get(caseId) ?? DEFAULT_PERSON;
/** Applicant-scoped headers for a case: its portal's key and its applicant's token. */
export const caseAuth = (caseId: string, portal = 0) => applicantAuth(applicantOfCase(caseId), portal);

/** The application's `applicant` for a demo applicant. */
export function applicantOfDemo(id: string) {
  const a = demoApplicant(id);
  return a.kind === 'organisation'
    ? { kind: 'organisation' as const, name: a.name, uscc: a.uscc!, phone: '13812345678' }
    : { kind: 'person' as const, name: a.name, idNumber: a.idNumber!, phone: '13812345678' };
}
export const departmentAuth = (departmentId: string) => {
  const d = target().credentials.departments.find((x) => x.id === departmentId);
  if (!d) throw new Error(`no demo credentials for department ${departmentId}`);
  return { authorization: `Bearer ${d.token}` };
};

/** A small but real PDF. */
export function pdfBytes(label = randomUUID()): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A fresh valid resident ID number (GB 11643). */
export function newIdNumber(): string {
  const seq = String(Math.floor(Math.random() * 900) + 100);
  const first17 = `32040219900101${seq}`;
  return first17 + idNumberCheckCharacter(first17);
}

export async function uploadMaterial(
  bundleId: string,
  type: string,
  bytes = pdfBytes(),
  portal = 0,
  declared?: { sha256?: string; contentType?: string },
) {
  const created = await portalClient(portal).POST('/v1/materials', {
    body: {
      bundleId,
      type,
      fileName: `${type}.pdf`,
      contentType: declared?.contentType ?? 'application/pdf',
      size: bytes.length,
      sha256: declared?.sha256 ?? sha256(bytes),
    },
  });
  expect(created.response.status, JSON.stringify(created.error)).toBe(201);
  if (!created.data) throw new Error(`material ${type} not declared: ${JSON.stringify(created.error)}`);
  const { url, method, headers } = created.data.upload;
  const put = await fetch(url, { method, headers, body: bytes });
  expect(put.status).toBeLessThan(300);
  return created.data.id;
}

/**
 * A complete, valid application for `services` of `bundleId` (all when omitted), as demo applicant
 * `applicantId` — by default a person, or an organisation for a bundle for organisations.
 */
export async function buildApplication(
  bundleId: string,
  services?: string[],
  portal = 0,
  applicantId?: string,
) {
  const api = createPublicClient({ baseUrl: target().baseUrl });
  const path = { bundleId };
  const query = services ? { services: [...services] } : {};
  const [guide, form, bundle] = await Promise.all([
    api.GET('/v1/bundles/{bundleId}/guide', { params: { path, query } }),
    api.GET('/v1/bundles/{bundleId}/form', { params: { path, query } }),
    api.GET('/v1/bundles/{bundleId}', { params: { path } }),
  ]);
  expect(guide.response.status).toBe(200);
  expect(form.response.status).toBe(200);
  if (!guide.data || !form.data) throw new Error(`no guide or form for ${bundleId}`);
  const values: Record<string, unknown> = Object.fromEntries(
    Object.entries(form.data.schema.properties).map(([k, p]) => [k, p.examples[0]]),
  );
  const materials = [];
  for (const m of guide.data.materials) {
    if (!m.required) continue;
    // A material asked per party (each heir, each seller…) once for each party the form counts.
    const copies = m.perParty ? Number(values[m.perParty.countField]) || 1 : 1;
    for (let i = 0; i < copies; i++)
      materials.push({
        type: m.type,
        materialId: await uploadMaterial(bundleId, m.type, pdfBytes(), portal),
      });
  }
  return {
    bundleId,
    ...(services ? { services } : {}),
    applicant: applicantOfDemo(
      applicantId ?? (bundle.data?.audience === 'organisation' ? DEFAULT_ORGANISATION : DEFAULT_PERSON),
    ),
    form: values,
    materials,
    delivery: { method: 'electronic' },
  };
}

/** Polls a read until `check` passes (bounded): the flow runs asynchronously behind the API. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = flowWaitMs(),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Submits as the demo applicant the application names (the default person when it names none of
 * them — an application refused for its applicant anyway), through `portal`.
 */
export async function submit(application: unknown, key: string = randomUUID(), portal = 0) {
  const who =
    demoApplicantOf((application as { applicant?: unknown } | null)?.applicant)?.id ?? DEFAULT_PERSON;
  const res = await call('POST', '/v1/cases', {
    headers: { ...applicantAuth(who, portal), 'idempotency-key': key },
    body: application,
  });
  if (res.status === 201 && typeof res.body?.id === 'string') submittedBy.set(res.body.id, who);
  return res;
}

export async function getCase(caseId: string, portal = 0) {
  return call('GET', `/v1/cases/${caseId}`, { headers: caseAuth(caseId, portal) });
}

/** The department's pending task for the case (waits until it is opened). */
export async function pendingTask(
  departmentId: string,
  caseId: string,
  kind: 'acceptance' | 'review',
  round = 0,
) {
  const res = await eventually(
    () =>
      call('GET', `/v1/departments/${departmentId}/tasks?status=pending&limit=100`, {
        headers: departmentAuth(departmentId),
      }),
    (r) =>
      r.status === 200 &&
      r.body.items.some(
        (t: { caseId: string; kind: string; round: number }) =>
          t.caseId === caseId && t.kind === kind && t.round === round,
      ),
    `${kind} task of ${departmentId} for ${caseId}`,
  );
  return res.body.items.find(
    (t: { caseId: string; kind: string; round: number }) =>
      t.caseId === caseId && t.kind === kind && t.round === round,
  );
}

export async function decide(taskId: string, departmentId: string, decision: Record<string, unknown>) {
  return call('POST', `/v1/tasks/${taskId}/decision`, {
    headers: departmentAuth(departmentId),
    body: decision,
  });
}

/**
 * The authorizer's context for demo applicant `id` through `portalId` — what a handler invoked
 * directly (int tests) receives when the authorizer has verified that applicant's token.
 */
export function applicantContext(id: string = DEFAULT_PERSON, portalId = 'portal-a') {
  const a = demoApplicant(id);
  const identity =
    a.kind === 'organisation'
      ? {
          kind: 'organisation',
          subject: `test-${a.id}`,
          uscc: a.uscc,
          name: a.name,
          actingPerson: {
            subject: `test-${a.id}`,
            name: a.actingPerson!.name,
            idNumber: a.actingPerson!.idNumber,
          },
          role: a.actingPerson!.role,
          assurance: a.assurance,
        }
      : {
          kind: 'person',
          subject: `test-${a.id}`,
          name: a.name,
          idNumber: a.idNumber,
          assurance: a.assurance,
        };
  return { callerKind: 'applicant', portalId, applicant: JSON.stringify(identity) };
}

/**
 * The applicant's consent to reuse held data for `bundleId` (and `services`): every field of the
 * merged form, for an hour — what a portal sends after showing the applicant the preview.
 */
export async function consentFor(bundleId: string, services?: readonly string[]) {
  const form = await createPublicClient({ baseUrl: target().baseUrl }).GET('/v1/bundles/{bundleId}/form', {
    params: { path: { bundleId }, query: services ? { services: [...services] } : {} },
  });
  expect(form.response.status).toBe(200);
  if (!form.data) throw new Error(`no form for ${bundleId}`);
  return {
    fields: Object.keys(form.data.schema.properties),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}
