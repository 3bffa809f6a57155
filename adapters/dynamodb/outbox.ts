/**
 * The transactional outbox of webhook events: case status changes and task events. The case
 * repository adds one Put of an outbox item to the very transaction that changes a case's status
 * (and nothing when the status stays), and to the one that opens a department's task — so an
 * event exists iff the change committed. A case event names the case's portal when the writer
 * knows it (a new case; a transition given the record it was read as), so fan-out reads no case.
 * The sweep's task events (due soon, overdue) are written at most once per task, each with a
 * conditional mark on the task in the same transaction (`taskEventOnce`).
 *
 * From there the table's stream (NEW_IMAGE) carries each new outbox item to
 * functions/enqueue-webhooks.stream.ts — in AWS through the event source mapping (filtered on
 * INSERT and type = outbox), locally through local/webhook-dispatcher.ts reading DynamoDB Local's
 * stream the same way — which fans it out with core/webhooks/deliver.ts. Nothing marks an event
 * afterwards and no index holds a backlog: the stream's position (the mapping's checkpoint) is
 * what has been handed to delivery. The items stay in their case's OUTBOX# partition, read by
 * nobody on the hot path, until their TTL.
 */
import { randomUUID } from 'node:crypto';
import type { CaseStatus } from '#core/case/lifecycle.ts';
import type { CaseRecord, TaskRecord } from '#core/case/model.ts';
import {
  CASE_STATUS_CHANGED,
  type OutboxEvent,
  outboxEventSchema,
  TASK_DUE_SOON,
  TASK_OPENED,
  TASK_OVERDUE,
  type TaskEventType,
  type TaskOutboxEvent,
} from '#core/webhooks/events.ts';
import type { OutboxPort } from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { GetCommand, TransactWriteCommand } from './commands.ts';
import { keys } from './keys.ts';
import { isConditionFailure, isTransactionConflict, send } from './send.ts';

/** Outbox items expire (DynamoDB TTL) a month after the change: delivery is long over by then. */
export const OUTBOX_TTL_SECONDS = 30 * 24 * 3600;

const table = () => config().TABLE_NAME;

export function outboxItem(event: OutboxEvent): Record<string, unknown> {
  return {
    ...keys.outbox(event.caseId, event.occurredAt, event.eventId),
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

/** The outbox Put for a new case (its first status), naming the portal that submitted it. */
export function createdOutbox(caseId: string, status: CaseStatus, occurredAt: string, portalId: string) {
  return outboxPut({
    eventId: randomUUID(),
    eventType: CASE_STATUS_CHANGED,
    caseId,
    status,
    occurredAt,
    portalId,
  });
}

/**
 * The outbox Puts (zero or one) for a transition conditional on the status being `from` (one
 * status: see `exactFrom`) to `to`: none when `to` is undefined or equals it. `readAs`, the case
 * as the caller read it, gives the event its portal (a case never changes portal); without it the
 * fan-out reads the case.
 */
export function transitionOutbox(
  caseId: string,
  from: readonly CaseStatus[],
  to: CaseStatus | undefined,
  occurredAt: string,
  readAs?: Pick<CaseRecord, 'caseId' | 'portalId'>,
) {
  if (to === undefined || from.includes(to)) return [];
  const previousStatus = from.length === 1 ? from[0] : undefined;
  const portalId = readAs?.caseId === caseId ? readAs.portalId : undefined;
  return [
    outboxPut({
      eventId: randomUUID(),
      eventType: CASE_STATUS_CHANGED,
      caseId,
      status: to,
      ...(previousStatus ? { previousStatus } : {}),
      occurredAt,
      ...(portalId ? { portalId } : {}),
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

/** The task event of `type` for `task`, occurring at `occurredAt`. */
function taskEvent(task: TaskRecord, type: TaskEventType, occurredAt: string): TaskOutboxEvent {
  return {
    eventId: randomUUID(),
    eventType: type,
    caseId: task.caseId,
    taskId: task.taskId,
    kind: task.kind,
    departmentId: task.departmentId,
    dueAt: task.dueAt,
    occurredAt,
  };
}

/**
 * The outbox Puts (zero or one) for a task being opened, for the transaction that creates it (so
 * `task.opened` exists iff the task does, once: the task's Put is conditional on it being new).
 * None for the applicant's supplement wait: it is no department's task.
 */
export function taskOpenedOutbox(task: TaskRecord, occurredAt: string) {
  return task.kind === 'supplement' ? [] : [outboxPut(taskEvent(task, TASK_OPENED, occurredAt))];
}

/**
 * The task attribute marking that its event of a type went out (the event's id), read back by
 * the sweep's query so that a notified task costs no further write.
 */
export const TASK_NOTICE_ATTRIBUTES: Readonly<Record<typeof TASK_DUE_SOON | typeof TASK_OVERDUE, string>> = {
  [TASK_DUE_SOON]: 'dueSoonEventId',
  [TASK_OVERDUE]: 'overdueEventId',
};

/**
 * Writes the task's `type` event at most once, while the task is pending: one transaction of the
 * outbox Put and the task's mark, conditional on the mark being absent. True iff it was written
 * now (false: written before, or the task is no longer pending).
 */
export async function taskEventOnce(
  task: TaskRecord,
  type: keyof typeof TASK_NOTICE_ATTRIBUTES,
  occurredAt: string,
): Promise<boolean> {
  const event = taskEvent(task, type, occurredAt);
  for (let attempt = 0; ; attempt++) {
    try {
      await send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: keys.task(task.caseId, task.taskId),
                UpdateExpression: 'SET #mark = :id',
                ConditionExpression:
                  'attribute_exists(pk) AND #status = :pending AND attribute_not_exists(#mark)',
                ExpressionAttributeNames: { '#mark': TASK_NOTICE_ATTRIBUTES[type], '#status': 'status' },
                ExpressionAttributeValues: { ':id': event.eventId, ':pending': 'pending' },
              },
            },
            outboxPut(event),
          ],
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      if (!isTransactionConflict(err) || attempt >= 3) throw err;
    }
  }
}

/**
 * What reaches the outbox's consumer from the table's stream: new outbox items only — not TTL
 * deletions, not any other item of the table. An event pattern as Lambda's filter criteria take
 * it: the deployed mapping's (infra/city-stack.ts, checked in
 * infra/webhooks-and-usage-plans.test.ts) and the local one's (local/webhook-dispatcher.ts).
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: ['outbox'] } } },
} as const;

/** An outbox event from a DynamoDB Streams NEW_IMAGE (its attributes are flat strings). */
export function outboxEventFromImage(
  image: Record<string, { S?: string } | undefined> | undefined,
): OutboxEvent | undefined {
  // Every field of every event type is a string attribute (task events included).
  if (image?.type?.S !== 'outbox') return undefined;
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(image)) if (typeof v?.S === 'string') flat[k] = v.S;
  const parsed = outboxEventSchema().safeParse(flat);
  return parsed.success ? parsed.data : undefined;
}

/** Fan-out's reads: the portal of a case whose event does not name it (written before it did). */
export const outboxStore: OutboxPort = {
  async portalOf(caseId) {
    const r = await send<{ Item?: { portalId?: string } }>(
      new GetCommand({ TableName: table(), Key: keys.case(caseId), ProjectionExpression: 'portalId' }),
    );
    return r.Item?.portalId;
  },
};
