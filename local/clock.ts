/**
 * A simulated clock for `npm run demo:month` (scripts/demo-month.ts) — and for nothing else:
 * NOTHING BUT THAT SCRIPT MAY IMPORT THIS MODULE. It replaces `globalThis.Date` of the whole
 * process by a subclass whose `Date.now()` and `new Date()` (no arguments) answer the real time
 * plus an offset the script sets; everything else (`new Date(x)`, `Date.parse`, `Date.UTC`, the
 * prototype) is the real Date's. The script installs it before it starts its own local stack in
 * the same process, so the handlers, the local Step Functions runtime, s3rver and the identity
 * provider all read the simulated time: a month of cases really spans a month of dates.
 *
 * The HTTP servers of this process (s3rver, the dev server, the identity provider) send the
 * simulated time in their `Date` header too: Node writes that header with its own (real) Date, and
 * the AWS SDK would take the difference for clock skew and sign S3 requests in real time, which
 * s3rver — on the simulated clock — refuses (403).
 *
 * Timers (`setTimeout`) still run in real time, and DynamoDB Local (Java) keeps the real clock:
 * its TTL deletes items whose `expiresAt` is in the real past (idempotency records, old outbox
 * items) — harmless for the demo.
 */
import { ServerResponse } from 'node:http';

const RealDate = globalThis.Date;
let offsetMs = 0;
let installed = false;

class SimulatedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    // biome-ignore lint/suspicious/noExplicitAny: the real Date's own overloads, passed through
    else super(...(args as [any]));
  }
  static override now(): number {
    return RealDate.now() + offsetMs;
  }
  /** Dates made by Node's internals (the real Date) are Dates too. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof RealDate;
  }
}

/** Replaces globalThis.Date (once), the simulated time starting at `startAt` (ms since the epoch). */
export function installSimulatedClock(startAt: number): void {
  if (installed) throw new Error('the simulated clock is installed already');
  installed = true;
  offsetMs = startAt - RealDate.now();
  globalThis.Date = SimulatedDate as DateConstructor;
  const writeHead = ServerResponse.prototype.writeHead;
  ServerResponse.prototype.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (this.sendDate && !this.hasHeader('date')) this.setHeader('date', new SimulatedDate().toUTCString());
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof writeHead;
}

/**
 * Moves the simulated clock to `at` (the time then flows on in real time from there). Never
 * backwards: a clock going back would reorder what was already recorded.
 */
export function setSimulatedNow(at: number): void {
  if (!installed) throw new Error('installSimulatedClock() first');
  const current = RealDate.now() + offsetMs;
  if (at > current) offsetMs = at - RealDate.now();
}

/** The real time, whatever the simulated clock says. */
export function realNow(): number {
  return RealDate.now();
}
