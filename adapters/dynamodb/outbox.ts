/**
 * The transactional outbox of case status changes (webhooks). The case repository adds one Put of
 * an outbox item to the very transaction that changes a case's status — so an event exists iff
 * the change committed — and nothing when the status stays. From there:
 *  - in AWS, DynamoDB Streams (NEW_IMAGE, filtered on type = outbox) invokes
 *    functions/enqueue-webhooks.stream.ts;
 *  - locally, local/webhook-dispatcher.ts polls the sparse gsi2 partition OUTBOX.
 * Both fan out with core/webhooks/deliver.ts and then mark the event dispatched, which takes it out
 * of that partition: what remains there is the backlog not yet handed to delivery.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseStatus } from '#core/case/lifecycle.ts';
import { CASE_STATUS_CHANGED, type OutboxEvent, OutboxEventSchema } from '#core/webhooks/events.ts';
import type { OutboxPort } from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { keys } from './keys.ts';
import { isConditionFailure, send } from './send.ts';

/** Outbox items expire (DynamoDB TTL) a month after the change: delivery is long over by then. */
export const OUTBOX_TTL_SECONDS = 30 * 24 * 3600;

const table = () => config().TABLE_NAME;

export function outboxItem(event: OutboxEvent): Record<string, unknown> {
  return {
    ...keys.outbox(event.caseId, event.occurredAt, event.eventId),
    ...keys.pendingOutbox(event.occurredAt, event.eventId),
    type: 'outbox',
    ...event,
    expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_TTL_SECONDS,
  };
}

function outboxPut(event: OutboxEvent) {
  return {
    Put: { TableName: table(), Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' },
  };
}

/** The outbox Put for a new case (its first status). */
export function createdOutbox(caseId: string, status: CaseStatus, occurredAt: string) {
  return outboxPut({ eventId: randomUUID(), eventType: CASE_STATUS_CHANGED, caseId, status, occurredAt });
}

/**
 * The outbox Puts (zero or one) for a transition conditional on the status being `from` (one
 * status: see `exactFrom`) to `to`: none when `to` is undefined or equals it.
 */
export function transitionOutbox(
  caseId: string,
  from: readonly CaseStatus[],
  to: CaseStatus | undefined,
  occurredAt: string,
) {
  if (to === undefined || from.includes(to)) return [];
  const previousStatus = from.length === 1 ? from[0] : undefined;
  return [
    outboxPut({
      eventId: randomUUID(),
      eventType: CASE_STATUS_CHANGED,
      caseId,
      status: to,
      ...(previousStatus ? { previousStatus } : {}),
      occurredAt,
    }),
  ];
}

/**
 * A transition may accept several current statuses; the outbox needs the exact previous one. With
 * one status (every caller today) that is it; with several and a status change, the current
 * status is read and the condition narrowed to it (null: it is none of them — the transition
 * fails as its condition would have).
 */
export async function exactFrom(
  caseId: string,
  from: readonly CaseStatus[],
  to: CaseStatus | undefined,
): Promise<readonly CaseStatus[] | null> {
  if (to === undefined || from.length <= 1) return from;
  const r = await send<{ Item?: { status?: CaseStatus } }>(
    new GetCommand({
      TableName: table(),
      Key: keys.case(caseId),
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  const current = r.Item?.status;
  return current && from.includes(current) ? [current] : null;
}

/** Outbox events not yet dispatched, oldest first (local dispatcher; operators' backlog). */
export async function pendingOutboxEvents(limit = 25): Promise<OutboxEvent[]> {
  const r = await send<{ Items?: Record<string, unknown>[] }>(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': 'OUTBOX' },
      Limit: limit,
    }),
  );
  return (r.Items ?? []).flatMap((i) => {
    const parsed = OutboxEventSchema.safeParse(i);
    return parsed.success ? [parsed.data] : [];
  });
}

/** An outbox event from a DynamoDB Streams NEW_IMAGE (its attributes are flat strings). */
export function outboxEventFromImage(
  image: Record<string, { S?: string } | undefined> | undefined,
): OutboxEvent | undefined {
  if (image?.type?.S !== 'outbox') return undefined;
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(image)) if (typeof v?.S === 'string') flat[k] = v.S;
  const parsed = OutboxEventSchema.safeParse(flat);
  return parsed.success ? parsed.data : undefined;
}

export const outboxStore: OutboxPort = {
  async portalOf(caseId) {
    const r = await send<{ Item?: { portalId?: string } }>(
      new GetCommand({ TableName: table(), Key: keys.case(caseId), ProjectionExpression: 'portalId' }),
    );
    return r.Item?.portalId;
  },

  async markDispatched(event) {
    try {
      await send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.outbox(event.caseId, event.occurredAt, event.eventId),
          UpdateExpression: 'SET dispatchedAt = :now REMOVE gsi2pk, gsi2sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // expired meanwhile: nothing to mark
    }
  },
};
