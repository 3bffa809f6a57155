/**
 * One structured logger per Lambda, created at module scope: one JSON line per entry, with the
 * fields Powertools Logger writes (level, message, timestamp, service, cold_start, function_name,
 * function_arn, function_memory_size, function_request_id, xray_trace_id, sampling_rate), so log
 * queries and metric filters read it alike. Ours, not @aws-lambda-powertools/logger, since issue 14:
 * that is 21 KiB in every bundle — a fifth of a catalog route's 100 KiB budget — for the four
 * methods and the context middleware used here.
 *
 * Personal data never reaches it: handlers log ids and counts, not bodies; `redact` is the last
 * line of defence for anything that looks like an ID number, credit code, phone number or token.
 */
import type { Context } from 'aws-lambda';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = keyof typeof LEVELS;

const levelOf = (name: string | undefined): Level | undefined => {
  const upper = name?.toUpperCase();
  return upper && upper in LEVELS ? (upper as Level) : undefined;
};

/** An Error as a log field: its name, message, where it was thrown, and its cause. */
function errorField(err: Error): Record<string, unknown> {
  return {
    name: err.name,
    message: err.message,
    ...(err.stack ? { stack: err.stack } : {}),
    ...(err.cause !== undefined
      ? { cause: err.cause instanceof Error ? errorField(err.cause) : err.cause }
      : {}),
  };
}

/** JSON.stringify's replacer: Errors anywhere in an entry as their fields, bigints as strings. */
const replacer = (_key: string, value: unknown) =>
  value instanceof Error ? errorField(value) : typeof value === 'bigint' ? value.toString() : value;

export class JsonLogger {
  #lambda: Record<string, unknown> = {};
  #coldStart = true;
  readonly #threshold: number;

  constructor(
    readonly serviceName: string,
    level: Level,
  ) {
    // Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL) may only raise the threshold.
    const floor = levelOf(process.env.AWS_LAMBDA_LOG_LEVEL);
    this.#threshold = Math.max(LEVELS[level], floor ? LEVELS[floor] : 0);
  }

  debug(message: string, extra?: object | Error): void {
    this.#write('DEBUG', message, extra);
  }
  info(message: string, extra?: object | Error): void {
    this.#write('INFO', message, extra);
  }
  warn(message: string, extra?: object | Error): void {
    this.#write('WARN', message, extra);
  }
  error(message: string, extra?: object | Error): void {
    this.#write('ERROR', message, extra);
  }

  /** The invocation's fields on every entry until `clearContext` (invocation does both). */
  addContext(context: Context): void {
    this.#lambda = {
      cold_start: this.#coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: context.memoryLimitInMB,
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.#coldStart = false;
  }

  clearContext(): void {
    this.#lambda = {};
  }

  #write(level: Level, message: string, extra: object | Error | undefined): void {
    if (LEVELS[level] < this.#threshold) return;
    const trace = process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    const entry = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.serviceName,
      ...this.#lambda,
      sampling_rate: 0,
      ...(trace ? { xray_trace_id: trace } : {}),
      ...(extra instanceof Error ? { error: errorField(extra) } : extra),
    };
    const line = `${JSON.stringify(entry, replacer)}\n`;
    if (LEVELS[level] >= LEVELS.WARN) process.stderr.write(line);
    else process.stdout.write(line);
  }
}

export const logger = new JsonLogger(
  process.env.POWERTOOLS_SERVICE_NAME ?? 'yijianshi',
  levelOf(process.env.LOG_LEVEL) ?? 'INFO',
);

/**
 * Every function's entry point: each entry of an invocation carries its Lambda context (cleared when
 * it returns). A failure goes to `onError`, which answers for the function or rethrows; the context
 * stays for the error's own entries, and the next invocation replaces it. This is all the
 * functions took from middy, whose core imports Node's streaming modules at load (node:stream,
 * stream/promises, stream/web, timers: ~4 ms of every cold start, README "Performance").
 */
export function invocation<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  options: {
    readonly log?: JsonLogger;
    readonly onError?: (err: unknown, event: E, context: Context) => Promise<R>;
  } = {},
): (event: E, context: Context) => Promise<R> {
  const log = options.log ?? logger;
  // As middy did: a caller that passes no context (a test, a local runner) gets an empty one.
  return async (event, context = {} as Context) => {
    log.addContext(context);
    try {
      const result = await fn(event, context);
      log.clearContext();
      return result;
    } catch (err) {
      if (!options.onError) throw err;
      return options.onError(err, event, context);
    }
  };
}

const PATTERNS: [RegExp, string][] = [
  [/\b\d{17}[\dXx]\b/g, '[id-number]'],
  [/\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b/g, '[uscc]'],
  [/\b1[3-9]\d{9}\b/g, '[phone]'],
  [/\b(Bearer\s+)[\w.~+/=-]+/gi, '$1[token]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, sub] of PATTERNS) out = out.replace(re, sub);
  return out;
}
