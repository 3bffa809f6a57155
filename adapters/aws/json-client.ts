/**
 * The AWS JSON 1.0/1.1 protocol (POST /, X-Amz-Target, application/x-amz-json-1.x) for the
 * services the Lambdas call this way: DynamoDB, Step Functions, Secrets Manager, KMS, SQS. A client
 * has the SDK's `send(command)` and `middlewareStack` (initialize step); it takes our command
 * classes and the SDK's own command objects alike (by name: GetSecretValueCommand → GetSecretValue).
 * Errors are shaped as the SDK throws them: `name` (the code), `message`, every other field of the
 * error body, `$metadata.httpStatusCode`.
 */
import {
  type CommandLike,
  commandNameOf,
  type Handler,
  type HandlerResult,
  MiddlewareStack,
} from './middleware.ts';
import {
  type AwsErrorShape,
  type AwsResponse,
  type AwsServiceEndpoint,
  type RetryPolicy,
  regionOf,
  resolveEndpoint,
  SERVICES,
  sendRequest,
} from './request.ts';

export interface JsonProtocol {
  readonly service: AwsServiceEndpoint;
  readonly targetPrefix: string;
  readonly version: '1.0' | '1.1';
  /** Output members that are blobs (base64 on the wire → Uint8Array). */
  readonly blobOutputs?: readonly string[];
  /** Output members that are timestamps (epoch seconds on the wire → Date, as the SDK gives them). */
  readonly timestampOutputs?: readonly string[];
  /** Headers every request carries (SQS: its query-compatible error codes). */
  readonly headers?: Readonly<Record<string, string>>;
}

export const PROTOCOLS = {
  dynamodb: { service: SERVICES.dynamodb, targetPrefix: 'DynamoDB_20120810', version: '1.0' },
  sfn: {
    service: SERVICES.sfn,
    targetPrefix: 'AWSStepFunctions',
    version: '1.0',
    timestampOutputs: ['startDate', 'stopDate'],
  },
  secretsmanager: {
    service: SERVICES.secretsmanager,
    targetPrefix: 'secretsmanager',
    version: '1.1',
    blobOutputs: ['SecretBinary'],
    timestampOutputs: ['CreatedDate'],
  },
  kms: {
    service: SERVICES.kms,
    targetPrefix: 'TrentService',
    version: '1.1',
    blobOutputs: ['Signature', 'PublicKey', 'CiphertextBlob', 'Plaintext'],
  },
  sqs: {
    service: SERVICES.sqs,
    targetPrefix: 'AmazonSQS',
    version: '1.0',
    headers: { 'x-amzn-query-mode': 'true' },
  },
} as const satisfies Record<string, JsonProtocol>;

/** Blobs (Uint8Array, Buffer) as base64, as the JSON protocols carry them. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Uint8Array)
      return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
    return v;
  });
}

/** The error code of a JSON-protocol answer: the body's __type after '#', else x-amzn-ErrorType. */
export function errorCodeOf(
  headers: AwsResponse['headers'],
  body: Record<string, unknown>,
): string | undefined {
  const strip = (s: string) => s.split(':')[0]!.split('#').pop()!.trim();
  const type = body.__type ?? body.code;
  if (typeof type === 'string' && type) return strip(type);
  const header = headers['x-amzn-errortype'];
  return typeof header === 'string' && header ? strip(header) : undefined;
}

/** An SDK-shaped service error from a non-2xx JSON answer. */
export function jsonError(res: AwsResponse & { body: Buffer }): AwsErrorShape {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = res.body.length ? JSON.parse(res.body.toString('utf8')) : {};
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's HTML page): the status says enough
  }
  const name =
    errorCodeOf(res.headers, body) ?? (res.status >= 500 ? 'InternalServerError' : `Http${res.status}`);
  const message = body.message ?? body.Message ?? body.errorMessage;
  const err = new Error(typeof message === 'string' ? message : name) as AwsErrorShape;
  err.name = name;
  for (const [k, v] of Object.entries(body))
    if (k !== '__type' && k !== 'message' && k !== 'Message' && k !== 'code') err[k] = v;
  // SQS (query-compatible JSON): the query protocol's code ("AWS.SimpleQueueService.NonExistentQueue;Sender").
  const query = res.headers['x-amzn-query-error'];
  if (typeof query === 'string' && query) err.Code = query.split(';')[0];
  const requestId = res.headers['x-amzn-requestid'];
  err.$fault = res.status >= 500 ? 'server' : 'client';
  err.$metadata = {
    httpStatusCode: res.status,
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
  return err;
}

/** Our command classes: input, and the SDK command name (survives minification). */
export abstract class Command<I extends object, O> {
  abstract readonly commandName: string;
  /** Type only: what `send` answers. */
  declare readonly __output?: O;
  constructor(readonly input: I) {}
}

/** What `send` answers for a command: ours by its type, the SDK's by its handler's output. */
export type OutputOf<C> =
  C extends Command<object, infer O>
    ? O
    : C extends { resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: infer O }> }
      ? O
      : Record<string, unknown>;

/** The SDK's per-call options that this client honours. */
export interface SendCallOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

export interface JsonClientOptions {
  readonly region?: string;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
}

/** Decodes blob (base64 → Uint8Array) and timestamp (epoch seconds → Date) members of an output. */
function decodeMembers(output: Record<string, unknown>, protocol: JsonProtocol) {
  for (const k of protocol.blobOutputs ?? []) {
    const v = output[k];
    if (typeof v === 'string') output[k] = new Uint8Array(Buffer.from(v, 'base64'));
  }
  for (const k of protocol.timestampOutputs ?? []) {
    const v = output[k];
    if (typeof v === 'number') output[k] = new Date(v * 1000);
  }
  return output;
}

/** A client of one JSON-protocol service. */
export class JsonClient {
  readonly middlewareStack = new MiddlewareStack();

  constructor(
    readonly protocol: JsonProtocol,
    readonly options: JsonClientOptions = {},
  ) {}

  /** POSTs one operation and answers its parsed output (no middleware: see `send`). */
  async call(
    operation: string,
    input: Record<string, unknown>,
    options: SendCallOptions = {},
  ): Promise<Record<string, unknown>> {
    const { service, targetPrefix, version } = this.protocol;
    const region = this.options.region ?? regionOf();
    const res = await sendRequest(
      {
        service,
        region,
        endpoint: resolveEndpoint(service, region),
        method: 'POST',
        path: '/',
        headers: {
          ...this.protocol.headers,
          'content-type': `application/x-amz-json-${version}`,
          'x-amz-target': `${targetPrefix}.${operation}`,
        },
        body: Buffer.from(toJson(input)),
      },
      {
        toError: jsonError,
        abortSignal: options.abortSignal,
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    const text = (res.body as Buffer).toString('utf8');
    const output = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const requestId = res.headers['x-amzn-requestid'];
    output.$metadata = {
      httpStatusCode: res.status,
      ...(typeof requestId === 'string' ? { requestId } : {}),
    };
    return decodeMembers(output, this.protocol);
  }

  /**
   * Runs the command through the middleware stack, then the wire. `terminal` lets a client that
   * reshapes inputs and outputs (the DynamoDB document client) do so inside the stack.
   */
  protected run(
    commandName: string,
    input: Record<string, unknown>,
    terminal: Handler,
  ): Promise<HandlerResult> {
    return this.middlewareStack.resolve(terminal, { commandName, clientName: this.constructor.name })({
      input,
    });
  }

  async send<C extends CommandLike>(command: C, options: SendCallOptions = {}): Promise<OutputOf<C>> {
    const commandName = commandNameOf(command);
    const operation = commandName.replace(/Command$/, '');
    const result = await this.run(
      commandName,
      { ...(command.input as Record<string, unknown>) },
      async (args) => ({
        output: await this.call(operation, args.input, options),
      }),
    );
    return result.output as OutputOf<C>;
  }
}
