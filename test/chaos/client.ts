/**
 * The chaos test's HTTP client: what a careful portal or department system does. Every request
 * may carry a planned fault (while faults are on); a 5xx or a dropped connection is retried with
 * the same body and headers — the same Idempotency-Key — after an exponential backoff with full
 * jitter (40 ms · 2ⁿ, capped at 640 ms), for up to 60 s, so a stack restart in between is ridden
 * out. Every attempt is recorded for the invariants over the answers.
 */
import {
  ERRORS_HEADER,
  encodeFault,
  FAULT_HEADER,
  INJECTED_HEADER,
  KINDS,
  Prng,
  REQUEST_ID_HEADER,
  type RequestFault,
  type Service,
} from './faults.ts';

export interface Attempt {
  readonly status: number | 'network';
  /** What the stack injected into this attempt's path ("ddb:GetCommand:TimeoutError"). */
  readonly injected: readonly string[];
  readonly planned?: string;
  /** For a 5xx: the problem's detail and the real services' errors in its path (diagnosis). */
  readonly why?: string;
  /** When it was sent and answered (ms since the epoch). */
  readonly sentAt: number;
  readonly at: number;
}

export interface Exchange {
  readonly actor: string;
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: Attempt[];
  /** The statuses a client mistake must get (undefined: not a mistake). */
  readonly mistake?: readonly number[];
  /** False only for requests sent with bad credentials on purpose. */
  readonly validCredentials: boolean;
  final?: number | 'network';
}

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the scenario reads arbitrary JSON answers
  readonly body: any;
}

/** One client per actor (a case's portal-and-departments script, the mistakes sender). */
export class Actor {
  readonly prng: Prng;
  private n = 0;
  constructor(
    readonly name: string,
    seed: number,
    private readonly world: World,
  ) {
    this.prng = new Prng(seed);
  }

  /** A fault for one attempt, drawn from this actor's stream (deterministic per seed and actor). */
  private plan(path: readonly Service[]): RequestFault | undefined {
    if (!path.length || !this.world.faultsOn() || !this.prng.chance(this.world.requestFaultRate))
      return undefined;
    const service = this.prng.pick(path);
    return { service, nth: this.prng.int(1, service === 'sfn' ? 1 : 2), kind: this.prng.pick(KINDS) };
  }

  async send(
    label: string,
    method: string,
    path: string,
    options: {
      headers?: Record<string, string>;
      body?: unknown;
      rawBody?: string;
      mistake?: readonly number[];
      validCredentials?: boolean;
      /** The services this route calls, to aim the planned faults at (default: DynamoDB only). */
      calls?: readonly Service[];
    } = {},
  ): Promise<Answer> {
    const exchange: Exchange = {
      actor: this.name,
      label,
      method,
      path,
      attempts: [],
      validCredentials: options.validCredentials ?? true,
      ...(options.mistake ? { mistake: options.mistake } : {}),
    };
    this.world.exchanges.push(exchange);
    const deadline = Date.now() + 60_000;
    const id = `${this.name}#${++this.n}`;
    for (let attempt = 0; ; attempt++) {
      const fault = this.plan(options.calls ?? ['ddb']);
      let status: number | 'network' = 'network';
      let injected: string[] = [];
      let body: unknown;
      let why: string | undefined;
      const sentAt = Date.now();
      try {
        const res = await fetch(`${this.world.baseUrl()}${path}`, {
          method,
          headers: {
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...options.headers,
            [REQUEST_ID_HEADER]: `${id}.${attempt}`,
            ...(fault ? { [FAULT_HEADER]: encodeFault(fault) } : {}),
          },
          ...(options.rawBody !== undefined
            ? { body: options.rawBody }
            : options.body !== undefined
              ? { body: JSON.stringify(options.body) }
              : {}),
          signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        injected = res.headers.get(INJECTED_HEADER)?.split(',') ?? [];
        const text = await res.text();
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        if (status >= 500)
          why = `${(body as { detail?: string } | undefined)?.detail ?? text.slice(0, 200)}${res.headers.get(ERRORS_HEADER) ? ` [${res.headers.get(ERRORS_HEADER)}]` : ''}`;
      } catch {
        status = 'network'; // refused or reset: the stack is restarting
      }
      exchange.attempts.push({
        status,
        injected,
        ...(fault ? { planned: encodeFault(fault) } : {}),
        ...(why ? { why } : {}),
        sentAt,
        at: Date.now(),
      });
      // A 401/403 to valid credentials is a violation (recorded above); it is retried like a 5xx so
      // that one defect does not stop the case and hide the others.
      const refused = (status === 401 || status === 403) && exchange.validCredentials;
      if (status !== 'network' && status < 500 && !refused) {
        exchange.final = status;
        return { status, body };
      }
      if (Date.now() > deadline) {
        exchange.final = status;
        return { status: status === 'network' ? 599 : status, body };
      }
      const cap = Math.min(640, 40 * 2 ** Math.min(attempt, 4));
      await new Promise((r) => setTimeout(r, 10 + Math.floor(this.prng.next() * cap)));
    }
  }
}

/** What every actor shares: where the stack is, whether faults are on, the record of answers. */
export interface World {
  baseUrl(): string;
  faultsOn(): boolean;
  readonly requestFaultRate: number;
  readonly exchanges: Exchange[];
  /** From the stop signal until the stack is ready again: its dependencies may be gone meanwhile. */
  readonly stops: { from: number; to: number }[];
}
