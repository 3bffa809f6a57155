/**
 * Sends a DynamoDB command; an outage (network, throttling, 5xx) becomes UnavailableError (→ 503
 * problem, safe to retry). Conditional-check failures and transaction cancellations pass through
 * for the repository to interpret.
 */

import { UnavailableError } from '#core/shared/errors.ts';
import { config } from '../config.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import { dynamo } from './client.ts';
import { BatchGetCommand, QueryCommand } from './commands.ts';

const PASS_THROUGH = new Set([
  'ConditionalCheckFailedException',
  'TransactionCanceledException',
  'ValidationException',
]);

/** Test seam for fault injection (issue: failures mid-request give a clean 503, no partial write). */
export const faults = { before: undefined as undefined | ((command: unknown) => void) };

// biome-ignore lint/suspicious/noExplicitAny: every lib-dynamodb command type is accepted here
export async function send<T>(command: any): Promise<T> {
  try {
    faults.before?.(command);
    return (await dynamo.send(command)) as T;
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
    if (PASS_THROUGH.has(name)) throw err;
    throw new UnavailableError('The database is unavailable; please retry.', { cause: err });
  }
}

export function isConditionFailure(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e.name === 'ConditionalCheckFailedException') return true;
  return (
    e.name === 'TransactionCanceledException' &&
    (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

export function isTransactionConflict(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  return (
    e.name === 'TransactionConflictException' ||
    (e.name === 'TransactionCanceledException' &&
      (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict'))
  );
}

/**
 * Every item of one partition (optionally only sort keys starting with `skPrefix`, or within
 * `between` [from, to]; optionally filtered on `type`), following LastEvaluatedKey: the one
 * paginated partition read of the repositories.
 */
export async function queryPartition(
  pk: string,
  options: {
    skPrefix?: string;
    between?: readonly [string, string];
    /** Only items whose `type` is one of these (a FilterExpression: billed as read before it). */
    types?: readonly string[];
    consistent?: boolean;
  } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const values: Record<string, unknown> = { ':pk': pk };
  let condition = 'pk = :pk';
  if (options.skPrefix) {
    condition += ' AND begins_with(sk, :sk)';
    values[':sk'] = options.skPrefix;
  } else if (options.between) {
    condition += ' AND sk BETWEEN :from AND :to';
    values[':from'] = options.between[0];
    values[':to'] = options.between[1];
  }
  const types = options.types ?? [];
  types.forEach((t, i) => {
    values[`:type${i}`] = t;
  });
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        KeyConditionExpression: condition,
        ...(types.length
          ? {
              FilterExpression: `#type IN (${types.map((_, i) => `:type${i}`).join(', ')})`,
              ExpressionAttributeNames: { '#type': 'type' },
            }
          : {}),
        ExpressionAttributeValues: values,
        ...(options.consistent ? { ConsistentRead: true } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * The items under `keys` that exist, read strongly consistent with BatchGetItem — 100 keys a call,
 * the keys DynamoDB leaves unprocessed asked again after a pause (then UnavailableError). In no
 * particular order: the caller tells them apart by their keys.
 */
export async function getItems(keys: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const table = config().TABLE_NAME;
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 8) throw new UnavailableError('The database is throttling reads; please retry.');
      if (attempt) await pauseBeforeRetry(attempt + 1);
      const r = await send<{
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      }>(new BatchGetCommand({ RequestItems: { [table]: { Keys: [...pending], ConsistentRead: true } } }));
      out.push(...(r.Responses?.[table] ?? []));
      pending = r.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return out;
}
