/**
 * Read models over tasks: a department's inbox (paginated, with the long poll) and open tasks by
 * due date (supervision, and the sweep's deadline notices).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type TaskRecord, TaskRecordSchema } from '#core/case/model.ts';
import { longPoll } from '#core/flow/long-poll.ts';
import type { DeadlineNotice, SweptTask } from '#core/flow/sweep.ts';
import { config } from '../config.ts';
import { QueryCommand } from './commands.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { keys } from './keys.ts';
import { TASK_NOTICE_ATTRIBUTES } from './outbox.ts';
import { send } from './send.ts';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export async function departmentInbox(
  departmentId: string,
  status: TaskRecord['status'],
  limit: number,
  cursor?: string,
): Promise<Page<TaskRecord>> {
  const pk = keys.inboxPk(departmentId, status);
  const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, 'gsi1pk', pk),
    }),
  );
  const next = encodeCursor(r.LastEvaluatedKey);
  return {
    items: (r.Items ?? []).map((i) => TaskRecordSchema.parse(i)),
    ...(next ? { nextCursor: next } : {}),
  };
}

/**
 * The inbox page, read again (core/flow/long-poll.ts: 250 ms, then every 500 ms) until it holds a
 * task or `waitSeconds` have passed. Only a first page waits: a cursor means the caller is paging
 * through what is there.
 */
export async function departmentInboxWaiting(
  departmentId: string,
  status: TaskRecord['status'],
  limit: number,
  cursor: string | undefined,
  waitSeconds: number,
): Promise<Page<TaskRecord> & { reads: number }> {
  const { result, reads } = await longPoll(
    { now: Date.now, sleep: (ms) => sleep(ms) },
    () => departmentInbox(departmentId, status, limit, cursor),
    (page) => page.items.length > 0,
    cursor ? 0 : waitSeconds * 1000,
  );
  return { ...result, reads };
}

/** The deadline notices already sent for a task item (the marks `taskEventOnce` sets). */
function noticesOf(item: Record<string, unknown>): DeadlineNotice[] {
  return (Object.entries(TASK_NOTICE_ATTRIBUTES) as [DeadlineNotice, string][])
    .filter(([, attribute]) => typeof item[attribute] === 'string')
    .map(([type]) => type);
}

/** Open tasks due before `before` (ISO), earliest first, with the deadline notices sent for each. */
export async function openTasksDueBefore(
  before: string,
  limit: number,
  cursor?: string,
): Promise<Page<SweptTask>> {
  const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
      ExpressionAttributeValues: { ':pk': 'OPENTASK', ':before': before },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, 'gsi2pk', 'OPENTASK'),
    }),
  );
  const next = encodeCursor(r.LastEvaluatedKey);
  return {
    items: (r.Items ?? []).map((i) => {
      const notified = noticesOf(i);
      return { ...TaskRecordSchema.parse(i), ...(notified.length ? { notified } : {}) };
    }),
    ...(next ? { nextCursor: next } : {}),
  };
}
