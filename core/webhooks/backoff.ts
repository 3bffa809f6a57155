/**
 * When to try a failed webhook delivery again: exponential backoff (base × 2^(n−1)), capped, with
 * "equal jitter" — half the step fixed, half random — so retries of many deliveries that failed
 * together (a receiver's outage) spread out instead of arriving in waves, while each retry still
 * waits at least half its step. After `maxAttempts` tries the delivery is dead-lettered.
 */
import { type Backoff, equalJitterMs } from '../shared/backoff.ts';

/** The un-jittered step after the `failedAttempt`-th try (1-based): the one backoff formula. */
export { backoffStepMs } from '../shared/backoff.ts';

export interface RetryPolicy extends Backoff {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
}

/** AWS defaults: 1 s, 2 s, 4 s … 64 s between the 8 tries (about 2 minutes in all). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
};

/** The delay before the next try, in [step/2, step]; `random` in [0, 1). */
export function retryDelayMs(
  failedAttempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return equalJitterMs(failedAttempt, policy, random);
}

/** Whether a delivery that has failed `attempt` times may be tried again. */
export function mayRetry(attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.maxAttempts;
}
