/**
 * `npm start -- --persist`: the local runtime stopped — killed outright (SIGKILL, no cleanup) or
 * with Ctrl-C (SIGINT to the whole process group, the graceful stop) — and started again keeps
 * cases and pending tasks; the applicant still follows progress and the departments finish the
 * case; webhook events go on from where the table's stream was read to (its checkpoint): an event
 * committed while the stack was down goes out once, none sent before goes out again. Runs its own
 * stack in a child process, as a user would.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxItem } from '#adapters/dynamodb/outbox.ts';
import { startDynamoDbLocal } from '../../local/emulators/dynamodb-local.ts';
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

/** A webhook receiver on 127.0.0.1 (the local stack may call it): each delivery's event id and body. */
async function startReceiver() {
  const deliveries: { id: string; body: { caseId?: string; status?: string } }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        id: String(req.headers['webhook-id']),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    of: (caseId: string) => deliveries.filter((d) => d.body.caseId === caseId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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

  it('sends a webhook event committed while it was stopped once after the start, and none sent before again', async () => {
    const receiver = await startReceiver();
    try {
      const registered = await call('POST', '/v1/webhooks', portal(), { url: receiver.url });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const caseId = await caseAwaitingReview();
      await until(
        async () => receiver.of(caseId).map((d) => d.body.status),
        (s) => s.includes('submitted') && s.includes('in_review'),
        `submitted and in_review delivered for ${caseId}`,
      );
      expect(await stack.interrupt()).toBe(0);

      // Committed while no stack runs: an outbox event (as one written before events named their
      // portal) put into the persisted table with DynamoDB Local alone on the stack's data.
      const ddb = await startDynamoDbLocal({ persistDir: join(stack.dir, 'data', 'dynamodb') });
      const eventId = randomUUID();
      try {
        const client = DynamoDBDocumentClient.from(
          new DynamoDBClient({
            endpoint: ddb.endpoint,
            region: 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }),
        );
        await client.send(
          new PutCommand({
            TableName: 'yijianshi-changzhou',
            Item: outboxItem({
              eventId,
              eventType: 'case.status_changed',
              caseId,
              status: 'in_review',
              occurredAt: new Date().toISOString(),
            }),
          }),
        );
        client.destroy();
      } finally {
        await ddb.stop();
      }

      await stack.start();
      await until(
        async () => receiver.of(caseId).filter((d) => d.id === eventId),
        (d) => d.length > 0,
        `the event committed while stopped (${eventId}) delivered`,
      );
      // A later event: anything handed over again from before the stop would come before it.
      await finishes(caseId);
      await until(
        async () => receiver.of(caseId).map((d) => d.body.status),
        (s) => s.includes('issued'),
        `issued delivered for ${caseId}`,
      );
      const times = new Map<string, number>();
      for (const d of receiver.of(caseId)) times.set(d.id, (times.get(d.id) ?? 0) + 1);
      expect(
        [...times.values()].every((n) => n === 1),
        JSON.stringify([...times]),
      ).toBe(true);
      expect(receiver.of(caseId).map((d) => d.body.status)).toEqual([
        'submitted',
        'in_review',
        'in_review',
        'issued',
      ]);
    } finally {
      await receiver.close();
    }
  }, 150_000);
});
