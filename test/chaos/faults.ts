/**
 * The faults the chaos test injects at the adapters, shaped like what the AWS SDK throws, and the
 * small seeded PRNG both processes (the test and its stack) draw from. Pure: no I/O here.
 */
import { createHash } from 'node:crypto';

export const SERVICES = ['ddb', 's3', 'sfn'] as const;
export type Service = (typeof SERVICES)[number];

/**
 * How a call fails. `before`: the request never reached the service (throttled, refused, reset,
 * timed out). `lost`: the service did the work but the answer never came back (the socket timed
 * out after the commit) — the case a client retry must be safe for.
 */
export const KINDS = [
  'TimeoutError',
  'ThrottlingException',
  'ServiceUnavailable',
  'ECONNRESET',
  'LostResponse',
] as const;
export type FaultKind = (typeof KINDS)[number];

/** A fault planned for one HTTP request: the `nth` call (1-based) to `service` in its path fails. */
export interface RequestFault {
  readonly service: Service;
  readonly nth: number;
  readonly kind: FaultKind;
}

export const FAULT_HEADER = 'x-chaos-fault';
export const REQUEST_ID_HEADER = 'x-chaos-id';
/** Set by the stack process on a response: the faults injected into that request's path. */
export const INJECTED_HEADER = 'x-chaos-injected';
/** Set by the stack process on a response: errors the real services answered in that request's path. */
export const ERRORS_HEADER = 'x-chaos-errors';

export const encodeFault = (f: RequestFault) => `${f.service}/${f.nth}/${f.kind}`;

export function decodeFault(value: string | undefined): RequestFault | undefined {
  const m = /^(ddb|s3|sfn)\/(\d{1,2})\/([A-Za-z]+)$/.exec(value ?? '');
  if (!m || !(KINDS as readonly string[]).includes(m[3]!)) return undefined;
  return { service: m[1] as Service, nth: Number(m[2]), kind: m[3] as FaultKind };
}

/** An error as the SDK v3 would throw it for `kind` on `service`. */
export function sdkError(service: Service, kind: FaultKind): Error {
  const withMeta = (name: string, message: string, status: number | undefined, fault: 'client' | 'server') =>
    Object.assign(new Error(message), {
      name,
      $fault: fault,
      $metadata: { ...(status ? { httpStatusCode: status } : {}), attempts: 1, totalRetryDelay: 0 },
      $retryable: { throttling: name.includes('Throttl') || name === 'SlowDown' },
    });
  switch (kind) {
    case 'TimeoutError':
    case 'LostResponse':
      // @smithy/node-http-handler: "Connection timed out after N ms" / socket timeout.
      return Object.assign(new Error('socket timed out after 1000 ms'), {
        name: 'TimeoutError',
        $metadata: {},
      });
    case 'ECONNRESET':
      return Object.assign(new Error('read ECONNRESET'), {
        name: 'Error',
        code: 'ECONNRESET',
        errno: -104,
        syscall: 'read',
        $metadata: {},
      });
    case 'ThrottlingException':
      return service === 's3'
        ? withMeta('SlowDown', 'Please reduce your request rate.', 503, 'server')
        : service === 'ddb'
          ? withMeta('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400, 'client')
          : withMeta('ThrottlingException', 'Rate exceeded', 400, 'client');
    case 'ServiceUnavailable':
      return service === 's3'
        ? withMeta('ServiceUnavailable', 'Service Unavailable', 503, 'server')
        : withMeta(
            service === 'ddb' ? 'InternalServerError' : 'ServiceUnavailable',
            'Service unavailable',
            service === 'ddb' ? 500 : 503,
            'server',
          );
  }
}

/** 32-bit seed from any label (the run's seed plus a stream name): streams are independent. */
export function seedOf(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

/** mulberry32: small, fast, good enough for schedules; the same seed gives the same sequence. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}
