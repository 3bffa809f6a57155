/**
 * The storage adapters' pause before retrying a throttled read or a transaction that lost a race:
 * full jitter over the one backoff formula (core/shared/backoff.ts).
 */
import { type Backoff, fullJitterMs } from '#core/shared/backoff.ts';

/** DynamoDB retries: 10 ms, 20 ms, 40 ms … steps (before jitter), capped at 2.56 s. */
export const STORAGE_BACKOFF: Backoff = { baseDelayMs: 10, maxDelayMs: 2560 };

/** Waits before the next try, after `failedAttempts` tries failed (1-based). */
export function pauseBeforeRetry(failedAttempts: number, policy: Backoff = STORAGE_BACKOFF): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, fullJitterMs(failedAttempts, policy)));
}
