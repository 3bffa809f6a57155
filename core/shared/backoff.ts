/**
 * Exponential backoff, the one formula: the step after the n-th failed try is base × 2^(n−1),
 * capped. Webhook deliveries wait with "equal jitter" (core/webhooks/backoff.ts); the storage
 * adapters' short retries of throttled or conflicting writes with "full jitter"
 * (adapters/shared/backoff.ts).
 */

export interface Backoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The un-jittered step after the `failedAttempt`-th try (1-based). */
export function backoffStepMs(failedAttempt: number, policy: Backoff): number {
  const exponent = Math.max(0, Math.min(failedAttempt - 1, 30));
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

const unit = (r: number) => Math.min(Math.max(r, 0), 1);

/** Anywhere in [0, step]: retries of many callers that failed together spread out the most. */
export function fullJitterMs(
  failedAttempt: number,
  policy: Backoff,
  random: () => number = Math.random,
): number {
  return backoffStepMs(failedAttempt, policy) * unit(random());
}

/** In [step/2, step]: spread out, yet each retry waits at least half its step. */
export function equalJitterMs(
  failedAttempt: number,
  policy: Backoff,
  random: () => number = Math.random,
): number {
  const step = backoffStepMs(failedAttempt, policy);
  return Math.round(step / 2 + (step / 2) * unit(random()));
}
