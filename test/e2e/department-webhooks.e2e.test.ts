/**
 * Departments are told, not polled (issue 14): a department system subscribes to its task events
 * and works from them — `task.opened` as each task opens (the next stage's departments too),
 * `task.overdue` once for a task past its deadline — every delivery verified with the reference
 * `standardwebhooks` library; and the inbox's long poll answers with a task opened while it waits,
 * or empty when the wait passes.
 *
 * Receivers are HTTP servers on 127.0.0.1, which only the local stack may call
 * (WEBHOOK_ALLOW_PRIVATE): local target only. Tests that need an inbox nobody else touches use a
 * department id of their own, with a token signed by the local stack's secret.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamo } from '#adapters/dynamodb/client.ts';
import { keys } from '#adapters/dynamodb/keys.ts';
import { signDepartmentToken } from '#core/credentials/tokens.ts';
import { handler as sweep } from '#functions/mark-overdue.scheduled.ts';
import { lambdaContext } from '#local/lambda-registry.ts';
import { caseWithReview } from '#test/support/planted-cases.ts';
import { buildApplication, decide, departmentAuth, eventually, submit } from './portal.ts';
import { call, isLocalTarget, target } from './target.ts';

const BUNDLE = 'enterprise-opening';
/** 企业设立登记 (market-regulation) first; 公章刻制 (public-security) in the next stage. */
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing'];
const LEAD = 'market-regulation';
const NEXT_STAGE = 'public-security';

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: the receiver reads arbitrary JSON
  readonly body: any;
}

/**
 * A department worker's receiver: verifies each delivery with the library (refusing, 400, what
 * does not verify), answers 204 at once, and keeps the verified events, one per webhook-id.
 */
async function startReceiver() {
  let secret = '';
  const events = new Map<string, Delivery>();
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        const body = new Webhook(secret).verify(raw, req.headers as Record<string, string>);
        events.set(req.headers['webhook-id'] as string, { headers: req.headers, raw, body });
        res.writeHead(204).end();
      } catch {
        refused++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/yjs/tasks`,
    useSecret: (s: string) => {
      secret = s;
    },
    refused: () => refused,
    /** Verified events about a case (or task), deduplicated by webhook-id. */
    about: (id: string) => [...events.values()].filter((d) => d.body.caseId === id || d.body.taskId === id),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function subscribe(departmentId: string, receiver: Receiver, auth = departmentAuth(departmentId)) {
  const created = await call('POST', `/v1/departments/${departmentId}/webhooks`, {
    headers: auth,
    body: { url: receiver.url, description: 'e2e department worker' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.events).toEqual(['task.opened', 'task.due_soon', 'task.overdue']);
  receiver.useSecret(created.body.secret);
  return created.body as { id: string; secret: string };
}

/** The task.opened event of the case's task of `kind` at the receiver (waits for it). */
const opened = (receiver: Receiver, caseId: string, kind: string) =>
  eventually(
    async () => receiver.about(caseId).find((d) => d.body.type === 'task.opened' && d.body.kind === kind),
    (d) => d !== undefined,
    `task.opened (${kind}) of ${caseId}`,
  ).then((d) => d!);

/** A department of its own (an inbox no other test touches), with a token the local stack accepts. */
async function ownDepartment() {
  const departmentId = `e2e-dept-${randomUUID().slice(0, 8)}`;
  const { token } = await signDepartmentToken(process.env.TOKEN_SECRET!, {
    departmentId,
    city: process.env.CITY_ID!,
    ttlSeconds: 3600,
  });
  return { departmentId, auth: { authorization: `Bearer ${token}` } };
}

/** The outbox events of a case of one type, as stored. */
async function outboxEvents(caseId: string, eventType: string) {
  const r = await dynamo.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME!,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.outbox(caseId, '', '').pk },
      ConsistentRead: true,
    }),
  );
  return (r.Items ?? []).filter((i) => i.eventType === eventType);
}

describe.skipIf(!isLocalTarget())('department webhooks (local stack only)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('tells each department its tasks as they open, signed and thin, and the department decides from them', async () => {
    // Prepare: the lead department and the next stage's department subscribe.
    const lead = await startReceiver();
    const next = await startReceiver();
    cleanup.push(lead.close, next.close);
    for (const [departmentId, receiver] of [
      [LEAD, lead],
      [NEXT_STAGE, next],
    ] as const) {
      const hook = await subscribe(departmentId, receiver);
      cleanup.push(() =>
        call('DELETE', `/v1/departments/${departmentId}/webhooks/${hook.id}`, {
          headers: departmentAuth(departmentId),
        }),
      );
    }

    // Act: a case is submitted; each department decides what its events told it — no inbox read.
    const application = await buildApplication(BUNDLE, SERVICES);
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const acceptance = await opened(lead, caseId, 'acceptance');
    expect(
      (await decide(acceptance.body.taskId, LEAD, { outcome: 'approve', opinion: '予以受理' })).status,
    ).toBe(200);
    const review = await opened(lead, caseId, 'review');
    expect((await decide(review.body.taskId, LEAD, { outcome: 'approve', opinion: '同意' })).status).toBe(
      200,
    );
    const seal = await opened(next, caseId, 'review');
    expect((await decide(seal.body.taskId, NEXT_STAGE, { outcome: 'approve', opinion: '同意' })).status).toBe(
      200,
    );

    // Assess: each event is the department's own, thin, linked to the task, verified by the library.
    for (const [departmentId, d] of [
      [LEAD, acceptance],
      [LEAD, review],
      [NEXT_STAGE, seal],
    ] as const) {
      expect(Object.keys(d.body).sort()).toEqual(
        ['caseId', 'departmentId', 'dueAt', 'id', 'kind', 'links', 'occurredAt', 'taskId', 'type'].sort(),
      );
      expect(d.body).toMatchObject({ type: 'task.opened', caseId, departmentId });
      expect(d.headers['webhook-id']).toBe(d.body.id);
      expect(d.body.links.task).toBe(`${target().baseUrl}/v1/tasks/${d.body.taskId}`);
      for (const personal of [
        application.applicant.name,
        application.applicant.uscc,
        application.applicant.phone,
      ])
        if (personal) expect(d.raw).not.toContain(personal);
      const detail = await call('GET', new URL(d.body.links.task).pathname, {
        headers: departmentAuth(departmentId),
      });
      expect(detail.status).toBe(200);
    }
    // The next stage's department heard only of its own task; nothing failed verification.
    expect(next.about(caseId).every((d) => d.body.departmentId === NEXT_STAGE)).toBe(true);
    expect(lead.about(caseId).every((d) => d.body.departmentId === LEAD)).toBe(true);
    expect(lead.refused() + next.refused()).toBe(0);
  });

  it('tells a department once that a task is overdue, however often the sweep runs', async () => {
    // Prepare: a department of its own subscribes; one of its tasks was due last week.
    const { departmentId, auth } = await ownDepartment();
    const receiver = await startReceiver();
    cleanup.push(receiver.close);
    await subscribe(departmentId, receiver, auth);
    const dueAt = new Date(Date.now() - 7 * 24 * 3600_000).toISOString();
    const { caseId, taskId } = await caseWithReview(departmentId, dueAt);

    // Act: the scheduled sweep, twice (the stack's own timer may run it too).
    await sweep({}, lambdaContext('mark-overdue'));
    await sweep({}, lambdaContext('mark-overdue'));

    // Assess: one task.overdue stored, and delivered, for the task; no due_soon for a task past due.
    expect(await outboxEvents(caseId, 'task.overdue')).toHaveLength(1);
    expect(await outboxEvents(caseId, 'task.due_soon')).toHaveLength(0);
    const overdue = await eventually(
      async () => receiver.about(taskId).filter((d) => d.body.type === 'task.overdue'),
      (list) => list.length >= 1,
      'task.overdue',
    );
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.body).toMatchObject({ taskId, caseId, departmentId, dueAt, kind: 'review' });
    expect((await outboxEvents(caseId, 'task.opened')).length).toBe(1);
  });

  it('keeps department webhooks to their department', async () => {
    const { departmentId, auth } = await ownDepartment();
    const receiver = await startReceiver();
    cleanup.push(receiver.close);
    const hook = await subscribe(departmentId, receiver, auth);
    // Another department can neither list, subscribe for, nor delete it.
    for (const [method, path] of [
      ['GET', `/v1/departments/${departmentId}/webhooks`],
      ['POST', `/v1/departments/${departmentId}/webhooks`],
      ['DELETE', `/v1/departments/${departmentId}/webhooks/${hook.id}`],
    ] as const)
      expect(
        (
          await call(method, path, {
            headers: departmentAuth(LEAD),
            ...(method === 'POST' ? { body: { url: receiver.url } } : {}),
          })
        ).status,
      ).toBe(403);
    // Its own: listed without the secret, then deleted (once).
    const listed = await call('GET', `/v1/departments/${departmentId}/webhooks`, { headers: auth });
    expect(listed.body.items).toEqual([
      {
        id: hook.id,
        url: receiver.url,
        description: 'e2e department worker',
        events: expect.any(Array),
        createdAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);
    const path = `/v1/departments/${departmentId}/webhooks/${hook.id}`;
    expect((await call('DELETE', path, { headers: auth })).status).toBe(200);
    expect((await call('DELETE', path, { headers: auth })).status).toBe(404);
    // Events are a choice among task events only.
    const bad = await call('POST', `/v1/departments/${departmentId}/webhooks`, {
      headers: auth,
      body: { url: receiver.url, events: ['case.status_changed'] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('/events');
  });
});

describe.skipIf(!isLocalTarget())('the inbox long poll', () => {
  it('answers with a task opened while it waits', async () => {
    const { departmentId, auth } = await ownDepartment();
    const started = Date.now();
    const poll = call('GET', `/v1/departments/${departmentId}/tasks?wait=20`, { headers: auth });
    // The task opens after the poll has begun (its first read found nothing).
    await new Promise((r) => setTimeout(r, 300));
    const { taskId } = await caseWithReview(
      departmentId,
      new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
    );
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { id: string }) => t.id)).toEqual([taskId]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('answers empty once the wait has passed, and at once without a wait', async () => {
    const { departmentId, auth } = await ownDepartment();
    const started = Date.now();
    const waited = await call('GET', `/v1/departments/${departmentId}/tasks?wait=1`, { headers: auth });
    expect(waited.status).toBe(200);
    expect(waited.body.items).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const now = await call('GET', `/v1/departments/${departmentId}/tasks`, { headers: auth });
    expect(now.body.items).toEqual([]);
    expect(
      (await call('GET', `/v1/departments/${departmentId}/tasks?wait=21`, { headers: auth })).status,
    ).toBe(422);
  });
});
