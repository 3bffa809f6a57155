/**
 * `npm start -- --persist`: the local runtime stopped — killed outright (SIGKILL, no cleanup) or
 * with Ctrl-C (SIGINT to the whole process group, the graceful stop) — and started again keeps
 * cases and pending tasks; the applicant still follows progress and the departments finish the
 * case. Runs its own stack in a child process, as a user would.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildStack, childStack, http } from '../support/child-stack.ts';
import { pdfBytes } from './portal.ts';
import { isLocalTarget } from './target.ts';

const SERVICE = 'enterprise-establishment-registration';
let stack: ChildStack;

beforeAll(async () => {
  if (!isLocalTarget()) return;
  stack = await childStack({ persist: true });
  await stack.start();
}, 90_000);

afterAll(async () => {
  await stack?.dispose();
});

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  http(stack.baseUrl, method, path, headers, body);
const portal = () => ({ 'x-api-key': stack.credentials().portals[0]!.apiKey });
/** The enterprise that applies, signed in: its token of this run (the provider restarts with the stack). */
const APPLICANT = 'qingguoxiang-catering';
const demo = () => stack.credentials().applicants!.find((a) => a.id === APPLICANT)!;
const asApplicant = () => ({ ...portal(), authorization: `Bearer ${demo().token}` });
const dept = (id: string) => ({
  authorization: `Bearer ${stack.credentials().departments.find((d) => d.id === id)!.token}`,
});
const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string) => {
  for (let i = 0; i < 400; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not reached: ${what}`);
};
const inbox = (d: string) => call('GET', `/v1/departments/${d}/tasks?status=pending&limit=100`, dept(d));
const pendingOf = async (caseId: string, kind: string) =>
  (
    await until(
      () => inbox('market-regulation'),
      (r) =>
        r.body.items?.some((t: { caseId: string; kind: string }) => t.caseId === caseId && t.kind === kind),
      `${kind} task of ${caseId}`,
    )
  ).body.items.find((t: { caseId: string; kind: string }) => t.caseId === caseId && t.kind === kind);

/** A case, accepted, waiting for its review. */
async function caseAwaitingReview(): Promise<string> {
  const guide = await call('GET', `/v1/bundles/enterprise-opening/guide?services=${SERVICE}`);
  const form = await call('GET', `/v1/bundles/enterprise-opening/form?services=${SERVICE}`);
  const materials = [];
  for (const m of guide.body.materials.filter((x: { required: boolean }) => x.required)) {
    const bytes = pdfBytes();
    const created = await call('POST', '/v1/materials', portal(), {
      bundleId: 'enterprise-opening',
      type: m.type,
      fileName: 'f.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    materials.push({ type: m.type, materialId: created.body.id });
  }
  const submitted = await call(
    'POST',
    '/v1/cases',
    { ...asApplicant(), 'idempotency-key': randomUUID() },
    {
      bundleId: 'enterprise-opening',
      services: [SERVICE],
      applicant: { kind: 'organisation', name: demo().name, uscc: demo().uscc, phone: '13812345678' },
      form: Object.fromEntries(
        Object.entries(form.body.schema.properties).map(([k, p]) => [
          k,
          (p as { examples: unknown[] }).examples[0],
        ]),
      ),
      materials,
      delivery: { method: 'electronic' },
    },
  );
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const caseId = submitted.body.id as string;
  const acceptance = await pendingOf(caseId, 'acceptance');
  const accepted = await call('POST', `/v1/tasks/${acceptance.id}/decision`, dept('market-regulation'), {
    outcome: 'approve',
    opinion: '受理',
  });
  expect(accepted.status).toBe(200);
  await pendingOf(caseId, 'review');
  return caseId;
}

/** After the restart: progress still shows, the review is still pending, and deciding it issues. */
async function finishes(caseId: string): Promise<void> {
  const shown = await call('GET', `/v1/cases/${caseId}`, asApplicant());
  expect(shown.status).toBe(200);
  expect(shown.body.status).toBe('in_review');
  expect(
    shown.body.tasks.filter(
      (t: { kind: string; status: string }) => t.kind === 'review' && t.status === 'pending',
    ),
  ).toHaveLength(1);
  const review = await pendingOf(caseId, 'review');
  const decided = await call('POST', `/v1/tasks/${review.id}/decision`, dept('market-regulation'), {
    outcome: 'approve',
    opinion: '同意',
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  const done = await until(
    () => call('GET', `/v1/cases/${caseId}`, asApplicant()),
    (r) => r.body.status === 'issued',
    `case ${caseId} issued`,
  );
  expect(done.body.licenses).toHaveLength(1);
}

// Local only: it starts, kills and restarts its own `npm start` process on this machine; a deployed
// target (LocalStack, AWS) has no process to kill, and its durability is the services' own.
describe.skipIf(!isLocalTarget())('the local runtime with --persist', () => {
  it('keeps cases and pending tasks across a hard kill and lets them finish', async () => {
    const caseId = await caseAwaitingReview();

    await stack.kill();
    await stack.start();

    await finishes(caseId);
  }, 120_000);

  it('keeps cases and pending tasks across Ctrl-C (a graceful stop) and lets them finish', async () => {
    const caseId = await caseAwaitingReview();

    // Found by testers: a graceful stop saved the waiting execution as ABORTED, so it was never
    // resumed and the case stayed in_review for ever.
    expect(await stack.interrupt()).toBe(0);
    expect(stack.output()).toContain('stopped.');
    const before = stack.output().length;
    await stack.start();
    expect(stack.output().slice(before)).toMatch(/resumed \d+ running execution/);

    await finishes(caseId);
  }, 120_000);
});
