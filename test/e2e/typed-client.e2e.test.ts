/**
 * The typed client (client/: openapi-typescript with default flags + openapi-fetch) drives whole
 * cases as a portal and the departments would: read the bundle, its guide and merged form, upload
 * the materials, apply, accept, review stage after stage (with a correction round for 企业开办),
 * supplement, and fetch the issued licenses. Strict TypeScript, no casts, no `any`: wherever the
 * generated types were wrong the document was fixed, so this file compiling is part of the test.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ApiClient,
  createDepartmentClient,
  createPortalClient,
  createPublicClient,
  type Schemas,
} from '../../client/index.ts';
import {
  applicantOfDemo,
  DEFAULT_ORGANISATION,
  DEFAULT_PERSON,
  demoApplicant,
  pdfBytes,
  sha256,
} from './portal.ts';
import { flowWaitMs, target } from './target.ts';

const baseUrl = () => target().baseUrl;
const publicApi = () => createPublicClient({ baseUrl: baseUrl() });
/** Portal 0 acting for a demo applicant (its key and the applicant's token). */
const portalFor = (applicantId: string) =>
  createPortalClient({
    baseUrl: baseUrl(),
    apiKey: target().credentials.portals[0]!.apiKey,
    token: demoApplicant(applicantId).token,
  });
function departmentApi(departmentId: string): ApiClient {
  const d = target().credentials.departments.find((x) => x.id === departmentId);
  if (!d) throw new Error(`no demo credentials for department ${departmentId}`);
  return createDepartmentClient({ baseUrl: baseUrl(), token: d.token });
}

/** Polls until `read` gives a value (bounded): the flow runs asynchronously behind the API. */
async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + flowWaitMs();
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The department's pending task of `kind` for the case, once it is open. */
function pendingTask(departmentId: string, caseId: string, kind: Schemas['TaskView']['kind']) {
  return until(`${kind} task of ${departmentId} for ${caseId}`, async () => {
    const { data, error } = await departmentApi(departmentId).GET('/v1/departments/{departmentId}/tasks', {
      params: { path: { departmentId }, query: { status: 'pending', limit: 100 } },
    });
    if (error) throw new Error(`${departmentId}'s inbox: ${error.status} ${error.detail}`);
    return data.items.find((t) => t.caseId === caseId && t.kind === kind);
  });
}

async function decide(task: Schemas['TaskView'], decision: Schemas['DecisionRequest']) {
  const { data, error, response } = await departmentApi(task.departmentId).POST(
    '/v1/tasks/{taskId}/decision',
    {
      params: { path: { taskId: task.id } },
      body: decision,
    },
  );
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  return data;
}

/** A portal prepares and submits a complete application, only from what the API publishes. */
async function apply(bundleId: string, services: readonly string[] | undefined, applicantId: string) {
  const api = publicApi();
  const path = { bundleId };
  const query = services ? { services: [...services] } : {};
  const [bundle, guide, form] = await Promise.all([
    api.GET('/v1/bundles/{bundleId}', { params: { path } }),
    api.GET('/v1/bundles/{bundleId}/guide', { params: { path, query } }),
    api.GET('/v1/bundles/{bundleId}/form', { params: { path, query } }),
  ]);
  if (!bundle.data || !guide.data || !form.data) throw new Error(`the catalog of ${bundleId} did not answer`);

  // 一表申请: every field of the ONE merged form, with its first example (valid by contract).
  const values: Record<string, string | number | boolean> = {};
  for (const [field, property] of Object.entries(form.data.schema.properties)) {
    const example = property.examples[0];
    if (example !== undefined) values[field] = example;
  }
  expect(Object.keys(values).length).toBeGreaterThan(3);

  // 一套材料: each required material declared, then its bytes PUT exactly as told.
  const portal = portalFor(applicantId);
  const materials: Schemas['Application']['materials'] = [];
  for (const m of guide.data.materials) {
    if (!m.required) continue;
    const copies = m.perParty ? Number(values[m.perParty.countField]) || 1 : 1;
    for (let i = 0; i < copies; i++) {
      const bytes = pdfBytes();
      const created = await portal.POST('/v1/materials', {
        body: {
          bundleId,
          type: m.type,
          fileName: `${m.type}.pdf`,
          contentType: 'application/pdf',
          size: bytes.length,
          sha256: sha256(bytes),
        },
      });
      if (!created.data) throw new Error(`material ${m.type}: ${JSON.stringify(created.error)}`);
      const { url, method, headers } = created.data.upload;
      expect((await fetch(url, { method, headers, body: bytes })).status).toBeLessThan(300);
      const material = await portal.GET('/v1/materials/{materialId}', {
        params: { path: { materialId: created.data.id } },
      });
      expect(material.data?.status).toBe('verified');
      materials.push({ type: m.type, materialId: created.data.id });
    }
  }

  // 一次提交, with an Idempotency-Key: the same key again answers the same case.
  const application: Schemas['Application'] = {
    bundleId,
    ...(services ? { services: [...services] } : {}),
    applicant: applicantOfDemo(applicantId),
    form: values,
    materials,
    delivery: { method: 'electronic' },
  };
  const key = randomUUID();
  const submit = () =>
    portal.POST('/v1/cases', { params: { header: { 'Idempotency-Key': key } }, body: application });
  const submitted = await submit();
  if (!submitted.data) throw new Error(`submission refused: ${JSON.stringify(submitted.error)}`);
  expect(submitted.response.status).toBe(201);
  expect(submitted.data.status).toBe('submitted');
  expect((await submit()).data?.id).toBe(submitted.data.id);
  return { bundle: bundle.data, caseId: submitted.data.id, portal };
}

/**
 * Every department of the bundle approves each review it is given, stage after stage, until the
 * case is issued; `onReview` may decide a task otherwise (a correction) and act on it.
 */
async function reviewUntilIssued(
  caseId: string,
  bundle: Schemas['BundleDetail'],
  portal: ApiClient,
  onReview?: (task: Schemas['TaskView']) => Promise<boolean>,
) {
  const departments = [...new Set(bundle.services.map((s) => s.departmentId))];
  return until(`case ${caseId} issued`, async () => {
    const view = await portal.GET('/v1/cases/{caseId}', { params: { path: { caseId } } });
    if (!view.data) throw new Error(`case ${caseId}: ${JSON.stringify(view.error)}`);
    if (view.data.status === 'issued') return view.data;
    expect(['in_review', 'submitted', 'awaiting_correction']).toContain(view.data.status);
    for (const departmentId of departments) {
      const inbox = await departmentApi(departmentId).GET('/v1/departments/{departmentId}/tasks', {
        params: { path: { departmentId }, query: { status: 'pending', limit: 100 } },
      });
      for (const task of inbox.data?.items ?? []) {
        if (task.caseId !== caseId || task.kind !== 'review') continue;
        if (onReview && (await onReview(task))) continue;
        await decide(task, { outcome: 'approve', opinion: '同意' });
      }
    }
    return undefined;
  });
}

/** The issued case's licenses, each downloadable. */
async function licensesOf(caseId: string, portal: ApiClient) {
  const { data, error } = await portal.GET('/v1/cases/{caseId}/licenses', { params: { path: { caseId } } });
  if (!data) throw new Error(`licenses of ${caseId}: ${JSON.stringify(error)}`);
  for (const license of data.items) expect((await fetch(license.downloadUrl)).status).toBe(200);
  return data.items;
}

describe('the typed client drives whole cases', () => {
  it('企业开办 (an organisation): staged reviews, one correction round, licenses issued', async () => {
    const services = ['enterprise-establishment-registration', 'company-seal-filing'];
    const { bundle, caseId, portal } = await apply('enterprise-opening', services, DEFAULT_ORGANISATION);
    const lead = bundle.leadDepartment.id;

    // 受理: the lead department reads the application (only the fields it needs), then accepts.
    const acceptance = await pendingTask(lead, caseId, 'acceptance');
    const detail = await departmentApi(lead).GET('/v1/tasks/{taskId}', {
      params: { path: { taskId: acceptance.id } },
    });
    if (!detail.data) throw new Error(`task ${acceptance.id}: ${JSON.stringify(detail.error)}`);
    expect(detail.data.case.personalData).toBe('full');
    expect(Object.values(detail.data.form).every((f) => f.title.length > 0)).toBe(true);
    await decide(acceptance, { outcome: 'approve', opinion: '予以受理' });

    // The police ask for a correction once; the applicant supplements; they approve after it.
    let corrected = false;
    const issued = await reviewUntilIssued(caseId, bundle, portal, async (task) => {
      if (task.departmentId !== 'public-security' || corrected) return false;
      corrected = true;
      await decide(task, {
        outcome: 'correct',
        corrections: [{ path: '/form/sealCount', message: '请确认印章数量' }],
      });
      const waiting = await until('awaiting_correction', async () => {
        const v = await portal.GET('/v1/cases/{caseId}', { params: { path: { caseId } } });
        return v.data?.status === 'awaiting_correction' ? v.data : undefined;
      });
      expect(waiting.correction?.items.map((i) => i.path)).toEqual(['/form/sealCount']);
      const supplemented = await portal.POST('/v1/cases/{caseId}/supplements', {
        params: { path: { caseId } },
        body: { form: { sealCount: 2 } },
      });
      expect(supplemented.error, JSON.stringify(supplemented.error)).toBeUndefined();
      expect(supplemented.response.status).toBe(202);
      return true;
    });
    expect(corrected).toBe(true);
    expect(issued.services.map((s) => s.result)).toEqual(['approved', 'approved']);
    expect(issued.timeline.map((e) => e.event)).toEqual(
      expect.arrayContaining(['submitted', 'accepted', 'correction_requested', 'supplemented', 'issued']),
    );
    expect((await licensesOf(caseId, portal)).map((l) => l.serviceId).sort()).toEqual([...services].sort());
  });

  it('新生儿出生 (a person): the whole bundle, every department in its stage, licenses issued', async () => {
    const { bundle, caseId, portal } = await apply('newborn', undefined, DEFAULT_PERSON);
    await decide(await pendingTask(bundle.leadDepartment.id, caseId, 'acceptance'), { outcome: 'approve' });
    const issued = await reviewUntilIssued(caseId, bundle, portal);
    expect(issued.services.every((s) => s.result === 'approved')).toBe(true);
    const licenses = await licensesOf(caseId, portal);
    expect(licenses.map((l) => l.serviceId).sort()).toEqual(bundle.services.map((s) => s.id).sort());

    // The applicant's own list has the case; a problem comes back typed as the Problem.
    const mine = await portal.GET('/v1/cases', { params: { query: { limit: 100 } } });
    expect(mine.data?.items.some((c) => c.id === caseId)).toBe(true);
    const missing = await portal.GET('/v1/cases/{caseId}', { params: { path: { caseId: 'c-nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.status).toBe(404);
  });
});
