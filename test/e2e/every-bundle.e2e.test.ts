/**
 * Every bundle of every city, end to end through HTTP, generated from the catalog the API serves:
 * for each bundle (all its services chosen) a portal fills the merged form with each property's
 * first example, uploads every material the guide asks for — conditional ones only when the
 * examples make them apply, per-party ones once for each party the form counts — submits, and
 * every department approves its task (acceptance by the lead, then each review) until the case is
 * `issued` with one license per service.
 *
 * Changzhou runs on the suite's stack; Langfang on a second local stack this file starts (the
 * suite's stack serves one city). Against a deployed target only that target's city is walked.
 * Bundles run concurrently, a few at a time: the file takes about 30 s on its own (the generous
 * timeouts are for a machine busy with the rest of the suite, not the expected duration).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoCredentials } from '../../local/setup/demo-credentials.ts';
import type { LocalStack } from '../../local/stack.ts';
import { pdfBytes, sha256 } from './portal.ts';
import { type Call, flowWaitMs, isLocalTarget, target } from './target.ts';

/** At most this many bundles in flight at once per city (the machine runs the whole stack). */
const CONCURRENCY = 8;
/** Between two reads of a case: often enough to follow the flow, rarely enough not to load it. */
const POLL_MS = 150;

type Condition = { field: string; equals: unknown };
interface GuideMaterial {
  type: string;
  required: boolean;
  when?: Condition[];
  perParty?: { party: string; countField: string };
}
interface Task {
  id: string;
  kind: 'acceptance' | 'review' | 'supplement';
  departmentId: string;
  status: string;
}

/** The HTTP calls of one deployment (base URL and its demo credentials). */
function client(baseUrl: string, credentials: DemoCredentials) {
  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Call> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const portal = { 'x-api-key': credentials.portals[0]!.apiKey };
  /** A demo applicant of the deployment (a person, or an organisation for a bundle for organisations). */
  const applicantFor = (audience: string) => {
    const a = credentials.applicants?.find((x) => x.kind === audience);
    if (!a) throw new Error(`the credentials hold no demo applicant of kind ${audience}`);
    return {
      headers: { ...portal, authorization: `Bearer ${a.token}` },
      applicant:
        a.kind === 'organisation'
          ? { kind: 'organisation', name: a.name, uscc: a.uscc, phone: '13812345678' }
          : { kind: 'person', name: a.name, idNumber: a.idNumber, phone: '13812345678' },
    };
  };
  const department = (id: string) => {
    const d = credentials.departments.find((x) => x.id === id);
    if (!d) throw new Error(`no demo credentials for department ${id}`);
    return { authorization: `Bearer ${d.token}` };
  };
  return { call, portal, applicantFor, department };
}
type Client = ReturnType<typeof client>;

const holds = (c: Condition, form: Record<string, unknown>) =>
  (Array.isArray(c.equals) ? c.equals : [c.equals]).includes(form[c.field]);

/** Polls a read until `check` passes, bounded by the flow wait. */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  // Many cases at once on one machine: more patience than one case needs.
  const deadline = Date.now() + Math.max(flowWaitMs(), 60_000);
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function upload(api: Client, bundleId: string, type: string): Promise<string> {
  const bytes = pdfBytes(`${bundleId} ${type} ${randomUUID()}`);
  const created = await api.call('POST', '/v1/materials', {
    headers: api.portal,
    body: {
      bundleId,
      type,
      fileName: `${type}.pdf`,
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: sha256(bytes),
    },
  });
  expect(created.status, `${bundleId} ${type}: ${JSON.stringify(created.body)}`).toBe(201);
  const { url, method, headers } = created.body.upload;
  const put = await fetch(url, { method, headers, body: bytes });
  expect(put.status, `${bundleId} ${type} upload`).toBeLessThan(300);
  return created.body.id as string;
}

interface Walked {
  bundleId: string;
  uploads: number;
  conditionalSkipped: string[];
  perPartyCopies: number;
}

/** One bundle from its form and guide to `issued`. */
async function walk(api: Client, bundle: { id: string; audience: string; services: { id: string }[] }) {
  const started = Date.now();
  const [form, guide] = await Promise.all([
    api.call('GET', `/v1/bundles/${bundle.id}/form`),
    api.call('GET', `/v1/bundles/${bundle.id}/guide`),
  ]);
  expect(form.status, bundle.id).toBe(200);
  expect(guide.status, bundle.id).toBe(200);
  const properties = form.body.schema.properties as Record<string, { examples: unknown[] }>;
  // A real bundle asks for something: fields and materials (what it asks may be held already).
  expect(Object.keys(properties).length, bundle.id).toBeGreaterThan(0);
  expect(guide.body.materials.length + guide.body.notRequired.length, bundle.id).toBeGreaterThan(0);
  const values = Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, p.examples[0]]));

  const walked: Walked = { bundleId: bundle.id, uploads: 0, conditionalSkipped: [], perPartyCopies: 0 };
  const types: string[] = [];
  for (const m of guide.body.materials as GuideMaterial[]) {
    if (!m.required) continue;
    if (m.when && !m.when.some((c) => holds(c, values))) {
      walked.conditionalSkipped.push(m.type);
      continue;
    }
    const copies = m.perParty ? Number(values[m.perParty.countField]) : 1;
    if (m.perParty) walked.perPartyCopies += copies;
    for (let i = 0; i < copies; i++) types.push(m.type);
  }
  const materials = await Promise.all(
    types.map(async (type) => ({ type, materialId: await upload(api, bundle.id, type) })),
  );
  walked.uploads = materials.length;

  // The applicant signed in (统一身份认证): the application names them, their token goes with it.
  const { applicant, headers: asApplicant } = api.applicantFor(bundle.audience);
  const submitted = await api.call('POST', '/v1/cases', {
    headers: { ...asApplicant, 'idempotency-key': randomUUID() },
    body: { bundleId: bundle.id, applicant, form: values, materials, delivery: { method: 'electronic' } },
  });
  expect(submitted.status, `${bundle.id}: ${JSON.stringify(submitted.body)}`).toBe(201);
  const caseId = submitted.body.id as string;

  // Every department approves whatever it has pending on the case, until the case is issued.
  const decided = new Set<string>();
  const done = await until(
    async () => {
      const c = await api.call('GET', `/v1/cases/${caseId}`, { headers: asApplicant });
      for (const t of (c.body.tasks ?? []) as Task[]) {
        if (t.status !== 'pending' || decided.has(t.id) || t.kind === 'supplement') continue;
        decided.add(t.id);
        const r = await api.call('POST', `/v1/tasks/${t.id}/decision`, {
          headers: api.department(t.departmentId),
          body: { outcome: 'approve', opinion: t.kind === 'acceptance' ? '材料齐全，予以受理' : '同意' },
        });
        expect(r.status, `${bundle.id} ${t.kind} by ${t.departmentId}: ${JSON.stringify(r.body)}`).toBe(200);
      }
      return c;
    },
    (c) => ['issued', 'rejected', 'awaiting_correction'].includes(c.body.status),
    `${bundle.id} case ${caseId} issued`,
  );
  expect(done.body.status, bundle.id).toBe('issued');
  const reviewers = new Set(
    (done.body.tasks as Task[]).filter((t) => t.kind === 'review').map((t) => t.departmentId),
  );
  const licenses = await api.call('GET', `/v1/cases/${caseId}/licenses`, { headers: asApplicant });
  expect(licenses.status).toBe(200);
  expect(licenses.body.items.map((l: { serviceId: string }) => l.serviceId).sort(), bundle.id).toEqual(
    bundle.services.map((s) => s.id).sort(),
  );
  return { ...walked, reviewers: reviewers.size, ms: Date.now() - started };
}

/** Walks every bundle the API lists, CONCURRENCY at a time; returns what each walk did. */
async function walkAll(api: Client) {
  const list = await api.call('GET', '/v1/bundles');
  expect(list.status).toBe(200);
  const bundles = list.body.items as {
    id: string;
    audience: string;
    detail: string;
    services: { id: string }[];
  }[];
  expect(bundles.filter((b) => b.detail !== 'full').map((b) => b.id)).toEqual([]);
  const queue = [...bundles];
  const results: Awaited<ReturnType<typeof walk>>[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) results.push(await walk(api, b));
    }),
  );
  return { bundles, results };
}

const local = isLocalTarget();
let langfang: Promise<{ stack: LocalStack; credentials: DemoCredentials }> | undefined;

afterAll(async () => {
  if (langfang) await (await langfang).stack.stop();
});

describe.concurrent('every bundle of every city, from its form and materials to issued', () => {
  it('issues a case of each of the 29 Changzhou bundles', { timeout: 120_000 }, async () => {
    const { baseUrl, credentials } = target();
    const { bundles, results } = await walkAll(client(baseUrl, credentials));

    if (process.env.PRINT_TIMES)
      console.log(results.map((r) => `${r.bundleId} ${r.ms} ms ${r.uploads} uploads`).join('\n'));
    if (local) expect(bundles).toHaveLength(29);
    expect(results.map((r) => r.bundleId).sort()).toEqual(bundles.map((b) => b.id).sort());
    // The walk went through the catalog's growth, not around it.
    expect(results.some((r) => r.conditionalSkipped.includes('agent-authorization'))).toBe(true);
    expect(results.reduce((n, r) => n + r.perPartyCopies, 0)).toBeGreaterThan(0);
    expect(results.every((r) => r.reviewers >= 1)).toBe(true);
  });

  it.skipIf(!local)('issues a case of each of the 5 Langfang bundles', { timeout: 120_000 }, async () => {
    langfang = (async () => {
      const { startLocalStack } = await import('../../local/stack.ts');
      const { createDemoCredentials } = await import('../../local/setup/demo-credentials.ts');
      const stack = await startLocalStack({ city: 'langfang' });
      return { stack, credentials: await createDemoCredentials(stack) };
    })();
    const { stack, credentials } = await langfang;
    const { bundles, results } = await walkAll(client(stack.baseUrl, credentials));

    expect(bundles).toHaveLength(5);
    expect(results).toHaveLength(5);
    // 不动产登记 asks each seller's ID card once per seller the form counts.
    const realEstate = results.find((r) => r.bundleId === 'real-estate-registration');
    expect(realEstate?.perPartyCopies).toBeGreaterThanOrEqual(2);
  });
});
