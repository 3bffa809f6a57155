/**
 * Sends a DynamoDB command; an outage (network, throttling, 5xx) becomes UnavailableError (→ 503
 * problem, safe to retry). Conditional-check failures and transaction cancellations pass through
 * for the repository to interpret.
 */
import { UnavailableError } from '#core/shared/errors.ts';
import { dynamo } from './client.ts';

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
