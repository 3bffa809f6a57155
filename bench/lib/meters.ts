/**
 * Watches every AWS SDK call the system makes in this process. The handlers and task functions run
 * in-process (local/lambda-registry.ts) and share the module-scope clients of adapters/
 * (`dynamo`, `s3`, `sfn`), so one middleware on each client sees every storage round trip — of the
 * handlers, the task functions, the authorizer and the benchmark's own "raw" calls alike — without
 * touching the product's code.
 *
 * Optionally asks DynamoDB for ReturnConsumedCapacity=INDEXES on every call (cost benchmark).
 */
import { performance } from 'node:perf_hooks';
import { currentFunction } from '#adapters/aws-call-recorder.ts';

export type Service = 'dynamodb' | 's3' | 'sfn';

export interface ConsumedUnits {
  /** Read units reported for the table and its indexes. */
  read: number;
  /** Write units reported for the table and its indexes. */
  write: number;
  /** Of `write`, the part reported for global secondary indexes. */
  gsiWrite: number;
}

export interface CallRecord {
  service: Service;
  /** SDK command name without the "Command" suffix: GetItem, TransactWriteItems, HeadObject, … */
  command: string;
  startedAt: number;
  ms: number;
  ok: boolean;
  errorName?: string;
  /** A presigned URL made locally (no request): S3's presigner runs the client's middleware and answers with the URL. Not a storage call. */
  presigned?: boolean;
  units?: ConsumedUnits;
  /** Which function made the call: the one running while a call recording is on, else the entry file (functions/<file>) when `attribute` is on; else undefined. */
  origin?: string;
  /** A JSON copy of the command's input (document-client shape), when `capture` is on. */
  input?: Record<string, unknown>;
}

/** The smallest structural view of an SDK v3 client we need. */
export interface MiddlewareClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority?: 'high' | 'low' }): void;
  };
}

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<
    string,
    { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }
  >;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

function unitsOf(command: string, consumed: Capacity | Capacity[] | undefined): ConsumedUnits | undefined {
  if (!consumed) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  const isRead = READS.has(command);
  let total = 0;
  let gsi = 0;
  for (const c of list) {
    total += c.CapacityUnits ?? 0;
    for (const ix of Object.values(c.GlobalSecondaryIndexes ?? {})) gsi += ix.CapacityUnits ?? 0;
  }
  return isRead ? { read: total, write: 0, gsiWrite: 0 } : { read: 0, write: total, gsiWrite: gsi };
}

/** The functions/ entry file found in an (async) stack trace, e.g. "submit-case.handler.ts". */
function originOf(stack: string | undefined): string | undefined {
  const m = /functions\/([\w-]+\.(?:handler|task|authorizer|scheduled)\.ts)/.exec(stack ?? '');
  return m?.[1];
}

/**
 * A stack trace deep enough to reach the functions/ entry file through the adapters, the use case
 * and the SDK's middleware (V8 keeps 10 frames by default).
 */
function deepStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  try {
    return new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export class Meters {
  private inflight = 0;
  private lastActivity = performance.now();
  private readonly sinks = new Set<(r: CallRecord) => void>();
  /** Ask DynamoDB for consumed capacity (adds ReturnConsumedCapacity to every request). */
  consumedCapacity = false;
  /** Capture a stack trace per call to tell which function made it (slow: probes only). */
  attribute = false;
  /** Keep a copy of each call's input (to replay what an operation wrote). */
  capture = false;
  /** Calls this returns true for are neither recorded nor count as activity (local-only machinery). */
  ignore: (service: Service, command: string, input: Record<string, unknown>) => boolean = () => false;

  install(service: Service, client: MiddlewareClient): void {
    client.middlewareStack.add(
      (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { commandName?: string },
      ) =>
        async (args: { input: Record<string, unknown> }) => {
          const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          if (this.ignore(service, command, args.input)) return next(args);
          // The function running (set by the local Lambda registry while a call recording is on), else the
          // entry file found in a stack trace when `attribute` is on.
          const origin = currentFunction() ?? (this.attribute ? originOf(deepStack()) : undefined);
          if (service === 'dynamodb' && this.consumedCapacity) args.input.ReturnConsumedCapacity = 'INDEXES';
          const startedAt = performance.now();
          this.inflight++;
          this.lastActivity = startedAt;
          const input = this.capture
            ? (JSON.parse(JSON.stringify(args.input)) as Record<string, unknown>)
            : undefined;
          const base = {
            service,
            command,
            startedAt,
            ...(origin ? { origin } : {}),
            ...(input ? { input } : {}),
          };
          try {
            const result = await next(args);
            const units =
              service === 'dynamodb'
                ? unitsOf(command, result.output.ConsumedCapacity as Capacity | Capacity[] | undefined)
                : undefined;
            const presigned = 'presigned' in (result.output ?? {});
            this.emit({
              ...base,
              ms: performance.now() - startedAt,
              ok: true,
              ...(units ? { units } : {}),
              ...(presigned ? { presigned } : {}),
            });
            return result;
          } catch (err) {
            this.emit({
              ...base,
              ms: performance.now() - startedAt,
              ok: false,
              errorName: (err as Error).name,
            });
            throw err;
          } finally {
            this.inflight--;
            this.lastActivity = performance.now();
          }
        },
      { step: 'initialize', name: `bench-meter-${service}`, priority: 'high' },
    );
  }

  /** Other activity that should delay `idle()` (e.g. Step Functions history events). */
  touch(): void {
    this.lastActivity = performance.now();
  }

  private emit(record: CallRecord): void {
    for (const sink of this.sinks) sink(record);
  }

  /** Calls every SDK call to `sink` until the returned function is called. */
  subscribe(sink: (r: CallRecord) => void): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Collects the SDK calls made while `fn` runs (by anyone in this process). */
  async collect<T>(fn: () => Promise<T>): Promise<{ result: T; calls: CallRecord[] }> {
    const calls: CallRecord[] = [];
    const stop = this.subscribe((r) => calls.push(r));
    try {
      const result = await fn();
      return { result, calls };
    } finally {
      stop();
    }
  }

  /**
   * Resolves once no SDK call is in flight and none started or ended for `quietMs` — i.e. the
   * background work a request set off (the next state machine step, its task function) is done.
   */
  async idle(quietMs = 15, timeoutMs = 10_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const now = performance.now();
      if (this.inflight === 0 && now - this.lastActivity >= quietMs) return true;
      if (now > deadline) return false;
      await new Promise((r) => setTimeout(r, Math.max(1, quietMs - (now - this.lastActivity))));
    }
  }
}

/** "GetItem ×2, TransactWriteItems, StartExecution" from a list of calls (order kept, runs merged). */
export function describeCalls(calls: readonly Pick<CallRecord, 'command'>[]): string {
  const parts: { command: string; n: number }[] = [];
  for (const c of calls) {
    const last = parts[parts.length - 1];
    if (last && last.command === c.command) last.n++;
    else parts.push({ command: c.command, n: 1 });
  }
  return parts.map((p) => (p.n > 1 ? `${p.command} ×${p.n}` : p.command)).join(', ');
}
