/**
 * The inbox's long poll (`GET /v1/departments/{id}/tasks?wait=20`): answer as soon as the listing
 * has something, or with the empty listing once `wait` seconds have passed. There is no change
 * feed to wait on inside a Lambda (the table's stream goes to the webhook fan-out), so the listing
 * is read again on a short schedule — quick at first, when a task is most likely to arrive right
 * after the previous answer, then every POLL_MAX_DELAY_MS — and never past the deadline.
 * Departments that want to be told rather than ask subscribe to their task events (webhooks).
 */

/** API Gateway's integration timeout is 29 s: the longest wait the API takes, with room to answer. */
export const MAX_WAIT_SECONDS = 20;
/** The first re-read comes this soon after an empty one… */
export const POLL_FIRST_DELAY_MS = 250;
/** …and the delay grows to this, never more (a task waits at most this long to be seen). */
export const POLL_MAX_DELAY_MS = 500;

export interface LongPollDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The delay before re-read number `n` (1-based): 250, 375, 500, 500 … ms. */
export function pollDelayMs(n: number): number {
  return Math.min(POLL_MAX_DELAY_MS, POLL_FIRST_DELAY_MS * 1.5 ** (n - 1));
}

/**
 * Reads until `hasNews` says the result is worth answering or `waitMs` has passed; returns the
 * last result and how many reads it took. `waitMs` 0 is one read.
 */
export async function longPoll<T>(
  deps: LongPollDeps,
  read: () => Promise<T>,
  hasNews: (result: T) => boolean,
  waitMs: number,
): Promise<{ result: T; reads: number }> {
  const deadline = deps.now() + Math.max(0, waitMs);
  let result = await read();
  let reads = 1;
  while (!hasNews(result)) {
    const left = deadline - deps.now();
    if (left <= 0) break;
    await deps.sleep(Math.min(pollDelayMs(reads), left));
    result = await read();
    reads++;
  }
  return { result, reads };
}
