import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffStepMs, DEFAULT_RETRY_POLICY, mayRetry, type RetryPolicy, retryDelayMs } from './backoff.ts';

describe('webhook retry backoff', () => {
  it('doubles from 1 s by default: 1, 2, 4 … 64 s between the 8 tries', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffStepMs(n, DEFAULT_RETRY_POLICY))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 64_000,
    ]);
  });

  it('caps the step', () => {
    const policy: RetryPolicy = { maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 800 };
    expect([1, 2, 3, 4, 5, 6, 12].map((n) => backoffStepMs(n, policy))).toEqual([
      50, 100, 200, 400, 800, 800, 800,
    ]);
    expect(backoffStepMs(1000, DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('jitters within [step/2, step]', () => {
    expect(retryDelayMs(3, DEFAULT_RETRY_POLICY, () => 0)).toBe(2000);
    expect(retryDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.999_999)).toBe(4000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const step = backoffStepMs(n, DEFAULT_RETRY_POLICY);
        const delay = retryDelayMs(n, DEFAULT_RETRY_POLICY, () => r);
        expect(delay).toBeGreaterThanOrEqual(step / 2);
        expect(delay).toBeLessThanOrEqual(step);
      }),
    );
  });

  it('never shrinks the step as tries go on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), (n) => {
        expect(backoffStepMs(n + 1, DEFAULT_RETRY_POLICY)).toBeGreaterThanOrEqual(
          backoffStepMs(n, DEFAULT_RETRY_POLICY),
        );
      }),
    );
  });

  it('allows 8 tries in all, then stops', () => {
    expect([1, 7].map((n) => mayRetry(n, DEFAULT_RETRY_POLICY))).toEqual([true, true]);
    expect(mayRetry(8, DEFAULT_RETRY_POLICY)).toBe(false);
  });
});
