/** The long poll's schedule over a fake clock: answers at the first news, or empty at the deadline. */
import { describe, expect, it } from 'vitest';
import { longPoll, POLL_MAX_DELAY_MS, pollDelayMs } from './long-poll.ts';

function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    deps: {
      now: () => t,
      sleep: async (ms: number) => {
        slept.push(ms);
        t += ms;
      },
    },
    get time() {
      return t;
    },
  };
}

describe('the inbox long poll', () => {
  it('reads once and answers at once when there is no wait', async () => {
    const clock = fakeClock();
    const r = await longPoll(
      clock.deps,
      async () => [],
      (x) => x.length > 0,
      0,
    );
    expect(r.reads).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it('answers as soon as a read finds something, without waiting out the deadline', async () => {
    const clock = fakeClock();
    // The task appears after 1.2 s.
    const read = async () => (clock.time >= 1200 ? ['task'] : []);
    const r = await longPoll(clock.deps, read, (x) => x.length > 0, 20_000);
    expect(r.result).toEqual(['task']);
    expect(clock.time).toBeGreaterThanOrEqual(1200);
    expect(clock.time).toBeLessThan(1200 + POLL_MAX_DELAY_MS + 1);
  });

  it('answers empty once the wait has passed, never sleeping past it', async () => {
    const clock = fakeClock();
    const r = await longPoll(
      clock.deps,
      async () => [],
      (x) => x.length > 0,
      2_000,
    );
    expect(r.result).toEqual([]);
    expect(clock.time).toBe(2_000);
    // 250, 375, 500, 500, then the 375 ms left.
    expect(clock.slept).toEqual([250, 375, 500, 500, 375]);
    expect(r.reads).toBe(6);
  });

  it('re-reads quickly at first, then every half second', () => {
    expect([1, 2, 3, 4, 10].map(pollDelayMs)).toEqual([250, 375, 500, 500, 500]);
  });
});
