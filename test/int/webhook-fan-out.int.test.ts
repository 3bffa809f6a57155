/**
 * Webhook fan-out without the outbox backlog (issue #14). The case repository's outbox item has no
 * index keys and names the case's portal; enqueue-webhooks, handed a stream record as the event
 * source mapping hands it, reads only the audience's webhooks — no UpdateItem (nothing marks an
 * event any more), no read of the case unless the event is one written before events named their
 * portal — and its SQS message reaches the receiver through the local stack's queue. The handler
 * runs in this process, so every AWS call it makes is recorded (adapters/aws-call-recorder.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsFunction, startAwsCallRecording } from '#adapters/aws-call-recorder.ts';
import { config } from '#adapters/config.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '#adapters/dynamodb/commands.ts';
import { registerPortalKey } from '#adapters/dynamodb/credential-store.ts';
import { keys } from '#adapters/dynamodb/keys.ts';
import { outboxItem } from '#adapters/dynamodb/outbox.ts';
import { send } from '#adapters/dynamodb/send.ts';
import { departmentWebhookRepository, webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import type { CaseOutboxEvent, OutboxEvent, TaskOutboxEvent } from '#core/webhooks/events.ts';
import { enqueueWebhooks } from '../../functions/enqueue-webhooks.stream.ts';
import { buildApplication, submit } from '../e2e/portal.ts';

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
}

const deliveries: Delivery[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    deliveries.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end();
  });
});
let receiverUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const eventually = async <T>(read: () => T | undefined, what: string): Promise<T> => {
  for (let i = 0; i < 200; i++) {
    const v = read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not reached: ${what}`);
};

/** The stream record of a new outbox item, as the event source mapping hands it over. */
function streamEvent(...events: OutboxEvent[]): DynamoDBStreamEvent {
  return {
    Records: events.map((event, i) => ({
      eventID: randomUUID(),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: process.env.AWS_REGION ?? 'us-east-1',
      dynamodb: {
        NewImage: marshall(outboxItem(event)) as NonNullable<
          DynamoDBStreamEvent['Records'][0]['dynamodb']
        >['NewImage'],
        SequenceNumber: String(i + 1).padStart(21, '0'),
        StreamViewType: 'NEW_IMAGE',
      },
    })),
  };
}

/** Runs the enqueue function on one batch of events, recording its AWS calls as "action count". */
async function fanOutRecorded(...events: OutboxEvent[]) {
  const recording = startAwsCallRecording();
  try {
    const answer = await runAsFunction('enqueue-webhooks', () => enqueueWebhooks(streamEvent(...events)));
    return {
      answer,
      calls: recording
        .calls()
        .map((c) => `${c.action} ${c.count}`)
        .sort(),
    };
  } finally {
    recording.stop();
  }
}

/** A portal of this test alone, with one webhook at the receiver: its secret. */
async function portalWithWebhook(portalId: string): Promise<string> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  await webhookRepository.create(
    {
      portalId,
      webhookId: `wh-${randomUUID()}`,
      url: receiverUrl,
      secret,
      createdAt: new Date().toISOString(),
    },
    10,
  );
  return secret;
}

const caseEvent = (caseId: string, portalId?: string): CaseOutboxEvent => ({
  eventId: randomUUID(),
  eventType: 'case.status_changed',
  caseId,
  status: 'in_review',
  previousStatus: 'submitted',
  occurredAt: new Date().toISOString(),
  ...(portalId ? { portalId } : {}),
});

describe('the outbox without its backlog index', () => {
  it('writes a submitted case’s event with no index keys, naming the case’s portal', async () => {
    const res = await submit(
      await buildApplication('enterprise-opening', ['enterprise-establishment-registration']),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const caseId = res.body.id as string;
    const r = await send<{ Items?: Record<string, unknown>[] }>(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.outbox(caseId, '', '').pk },
        ConsistentRead: true,
      }),
    );
    const submitted = (r.Items ?? []).filter((i) => i.eventType === 'case.status_changed');
    expect(submitted).toHaveLength(1);
    expect(Object.keys(submitted[0]!).filter((k) => k.startsWith('gsi'))).toEqual([]);
    expect(submitted[0]!.portalId).toBe((await caseRepository.get(caseId))!.portalId);
  });

  it('fans an event naming its portal out with one read of its webhook directory — no write, no read of the case', async () => {
    const portalId = `portal-int-${randomUUID()}`;
    const secret = await portalWithWebhook(portalId);
    const event = caseEvent(`c-int-${randomUUID()}`, portalId);

    const { answer, calls } = await fanOutRecorded(event);

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual(['dynamodb:BatchGetItem 1', 'sqs:SendMessage 1']);
    // Through the local stack's queue to the receiver: signed, thin, without the portal.
    const delivery = await eventually(
      () => deliveries.find((d) => d.headers['webhook-id'] === event.eventId),
      `delivery of ${event.eventId}`,
    );
    const body = new Webhook(secret).verify(delivery.raw, delivery.headers as Record<string, string>);
    expect(body).toMatchObject({ id: event.eventId, caseId: event.caseId, status: 'in_review' });
    expect(delivery.raw).not.toContain(portalId);
  });

  it('reads the case for the portal of an event written before events named it, and still writes nothing', async () => {
    const portalId = `portal-int-${randomUUID()}`;
    await portalWithWebhook(portalId);
    const caseId = `c-int-${randomUUID()}`;
    // The case as far as fan-out reads it (its portal).
    await send(
      new PutCommand({
        TableName: config().TABLE_NAME,
        Item: { ...keys.case(caseId), type: 'test-case', portalId },
      }),
    );
    try {
      const event = caseEvent(caseId);
      const { calls } = await fanOutRecorded(event);
      expect(calls).toEqual(['dynamodb:GetItem 1', 'dynamodb:Query 1', 'sqs:SendMessage 1']);
      await eventually(
        () => deliveries.find((d) => d.headers['webhook-id'] === event.eventId),
        `delivery of ${event.eventId}`,
      );
    } finally {
      await send(new DeleteCommand({ TableName: config().TABLE_NAME, Key: keys.case(caseId) }));
    }
  });
});

/** A department of this test alone, with one webhook at the receiver (all task events). */
async function departmentWithWebhook(departmentId: string): Promise<string> {
  const webhookId = `dwh-${randomUUID()}`;
  await departmentWebhookRepository.create(
    {
      departmentId,
      webhookId,
      url: receiverUrl,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      createdAt: new Date().toISOString(),
    },
    10,
  );
  return webhookId;
}

const taskEvent = (departmentId: string): TaskOutboxEvent => ({
  eventId: randomUUID(),
  eventType: 'task.opened',
  caseId: `c-int-${randomUUID()}`,
  taskId: `c-int.r0.${departmentId}`,
  kind: 'review',
  departmentId,
  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  occurredAt: new Date().toISOString(),
});

const directoryOf = async (key: { pk: string; sk: string }) =>
  (
    await send<{ Item?: { count: number; hooks?: Record<string, { webhookId: string }> } }>(
      new GetCommand({ TableName: config().TABLE_NAME, Key: key, ConsistentRead: true }),
    )
  ).Item;

describe('the webhook directories: every owner of a batch in one read', () => {
  it('reads two departments and a portal of one batch with one BatchGetItem, and delivers to each', async () => {
    const [a, b] = [`dept-int-${randomUUID()}`, `dept-int-${randomUUID()}`];
    await departmentWithWebhook(a!);
    await departmentWithWebhook(b!);
    const portalId = `portal-int-${randomUUID()}`;
    await portalWithWebhook(portalId);
    const events = [
      taskEvent(a!),
      taskEvent(b!),
      caseEvent(`c-int-${randomUUID()}`, portalId),
      taskEvent(a!),
    ];

    const { answer, calls } = await fanOutRecorded(...events);

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual(['dynamodb:BatchGetItem 1', 'sqs:SendMessage 4']);
    for (const e of events)
      await eventually(
        () => deliveries.find((d) => d.headers['webhook-id'] === e.eventId),
        `delivery of ${e.eventId}`,
      );
  });

  it('keeps each directory as the webhooks are: registered and deleted in the same transaction', async () => {
    const departmentId = `dept-int-${randomUUID()}`;
    const first = await departmentWithWebhook(departmentId);
    const second = await departmentWithWebhook(departmentId);
    const key = keys.departmentWebhookCount(departmentId);
    expect(Object.keys((await directoryOf(key))?.hooks ?? {}).sort()).toEqual([first, second].sort());
    await departmentWebhookRepository.delete(departmentId, first);
    expect(await directoryOf(key)).toMatchObject({ count: 1, hooks: { [second]: { webhookId: second } } });
    expect(Object.keys((await directoryOf(key))?.hooks ?? {})).toEqual([second]);
  });

  it('queries an owner whose counter is from before directories, until its next registration completes it', async () => {
    const departmentId = `dept-int-${randomUUID()}`;
    const first = await departmentWithWebhook(departmentId);
    const key = keys.departmentWebhookCount(departmentId);
    // As a counter written before directories: the count alone.
    await send(
      new UpdateCommand({ TableName: config().TABLE_NAME, Key: key, UpdateExpression: 'REMOVE hooks' }),
    );
    const before = await fanOutRecorded(taskEvent(departmentId));
    expect(before.calls).toEqual(['dynamodb:BatchGetItem 1', 'dynamodb:Query 1', 'sqs:SendMessage 1']);

    const second = await departmentWithWebhook(departmentId);
    expect(await directoryOf(key)).toMatchObject({ count: 2 });
    expect(Object.keys((await directoryOf(key))?.hooks ?? {}).sort()).toEqual([first, second].sort());
    const after = await fanOutRecorded(taskEvent(departmentId));
    expect(after.calls).toEqual(['dynamodb:BatchGetItem 1', 'sqs:SendMessage 1']);
    expect(after.answer).toEqual({ batchItemFailures: [] });
  });

  it('completes a counter from before directories with a deletion too', async () => {
    const departmentId = `dept-int-${randomUUID()}`;
    const first = await departmentWithWebhook(departmentId);
    const second = await departmentWithWebhook(departmentId);
    const key = keys.departmentWebhookCount(departmentId);
    await send(
      new UpdateCommand({ TableName: config().TABLE_NAME, Key: key, UpdateExpression: 'REMOVE hooks' }),
    );
    await departmentWebhookRepository.delete(departmentId, first);
    expect(await directoryOf(key)).toMatchObject({ count: 1 });
    expect(Object.keys((await directoryOf(key))?.hooks ?? {})).toEqual([second]);
  });

  it('gives a newly registered portal an empty directory: no webhooks, found without a query', async () => {
    const portalId = `portal-int-${randomUUID()}`;
    await registerPortalKey(portalId, 'Int portal', `key-${randomUUID()}`);
    expect(await directoryOf(keys.webhookCount(portalId))).toMatchObject({ count: 0, hooks: {} });
    const { calls } = await fanOutRecorded(caseEvent(`c-int-${randomUUID()}`, portalId));
    expect(calls).toEqual(['dynamodb:BatchGetItem 1']);
    // Its first webhook goes into that directory.
    await portalWithWebhook(portalId);
    expect(await directoryOf(keys.webhookCount(portalId))).toMatchObject({ count: 1 });
    expect(Object.keys((await directoryOf(keys.webhookCount(portalId)))?.hooks ?? {})).toHaveLength(1);
  });
});
