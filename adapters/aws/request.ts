/**
 * One signed AWS request (SigV4 by `aws4`, sent with node:http/https over a keep-alive agent), with
 * the SDK's endpoint resolution and its standard-mode retries. What a Lambda bundles in place of
 * the AWS SDK (README "A lean AWS client"): no default credential chain (the execution role's
 * credentials are in the environment, read per request as they rotate), no endpoint discovery,
 * no checksums beyond what S3 requires.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import aws4 from 'aws4';

/** An AWS service as this client addresses it. */
export interface AwsServiceEndpoint {
  /** SigV4 signing name: dynamodb, s3, states, secretsmanager, kms, sqs. */
  readonly signingName: string;
  /** The host's first label in AWS: https://<endpointPrefix>.<region>.amazonaws.com */
  readonly endpointPrefix: string;
  /** The SDK's service id, upper case with underscores: AWS_ENDPOINT_URL_<envName>. */
  readonly envName: string;
}

export const SERVICES = {
  dynamodb: { signingName: 'dynamodb', endpointPrefix: 'dynamodb', envName: 'DYNAMODB' },
  s3: { signingName: 's3', endpointPrefix: 's3', envName: 'S3' },
  sfn: { signingName: 'states', endpointPrefix: 'states', envName: 'SFN' },
  secretsmanager: {
    signingName: 'secretsmanager',
    endpointPrefix: 'secretsmanager',
    envName: 'SECRETS_MANAGER',
  },
  kms: { signingName: 'kms', endpointPrefix: 'kms', envName: 'KMS' },
  sqs: { signingName: 'sqs', endpointPrefix: 'sqs', envName: 'SQS' },
} as const satisfies Record<string, AwsServiceEndpoint>;

type Env = Readonly<Record<string, string | undefined>>;

/** The region of this process (AWS_REGION, which Lambda sets). */
export function regionOf(env: Env = process.env): string {
  const region = env.AWS_REGION;
  if (!region) throw Object.assign(new Error('Region is missing: set AWS_REGION.'), { name: 'ConfigError' });
  return region;
}

/**
 * The service's base URL as the SDK resolves it: AWS_ENDPOINT_URL_<SERVICE>, then
 * AWS_ENDPOINT_URL (both ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else the
 * regional endpoint (amazonaws.com.cn in the China regions).
 */
export function resolveEndpoint(service: AwsServiceEndpoint, region: string, env: Env = process.env): URL {
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : env[`AWS_ENDPOINT_URL_${service.envName}`] || env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${service.endpointPrefix}.${region}.${suffix}`);
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The execution role's credentials, from the environment, read now (they rotate). */
export function credentialsOf(env: Env = process.env): Credentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw Object.assign(
      new Error('No AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.'),
      { name: 'CredentialsProviderError' },
    );
  return env.AWS_SESSION_TOKEN
    ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }
    : { accessKeyId, secretAccessKey };
}

/** One request, before signing. `path` is already URI-encoded, with its query string. */
export interface AwsRequest {
  readonly service: AwsServiceEndpoint;
  readonly region: string;
  /** Base URL (resolveEndpoint, or S3's bucket host). */
  readonly endpoint: URL;
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
}

/** A request signed for sending now, or presigned (query string) for `expiresIn` seconds. */
export interface SignedRequest {
  readonly url: URL;
  readonly headers: Record<string, string>;
}

/** Joins the endpoint's own path (if any) and the request's path. */
function fullPath(endpoint: URL, path: string): string {
  const base = endpoint.pathname.replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

/** SigV4 in the Authorization header (or, with `presign`, in the query string). */
export function signRequest(
  req: AwsRequest,
  options: {
    readonly credentials?: Credentials;
    readonly now?: Date;
    readonly presign?: { readonly expiresIn: number };
  } = {},
): SignedRequest {
  const credentials = options.credentials ?? credentialsOf();
  const headers: Record<string, string> = { ...req.headers };
  let path = fullPath(req.endpoint, req.path);
  if (options.presign) {
    const date = (options.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, '');
    path += `${path.includes('?') ? '&' : '?'}X-Amz-Date=${date}&X-Amz-Expires=${options.presign.expiresIn}`;
  } else if (options.now) headers['X-Amz-Date'] = options.now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const signed = aws4.sign(
    {
      host: req.endpoint.hostname,
      ...(req.endpoint.port ? { port: Number(req.endpoint.port) } : {}),
      method: req.method,
      path,
      headers,
      service: req.service.signingName,
      region: req.region,
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(options.presign ? { signQuery: true } : {}),
    },
    credentials,
  );
  const url = new URL(`${req.endpoint.protocol}//${req.endpoint.host}${signed.path ?? path}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {}))
    if (v !== undefined) out[k.toLowerCase()] = String(v);
  return { url, headers: out };
}

// ── sending, with retries ───────────────────────────────────────────────────────────────────────

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 50 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
};

export interface AwsResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The whole body; or, for a 2xx answer to a request sent with `stream`, the body as it arrives. */
  readonly body: Buffer | Readable;
}

/** An AWS service's error, shaped as the SDK throws it. */
export interface AwsErrorShape extends Error {
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $fault?: 'client' | 'server';
  [field: string]: unknown;
}

/** How long a request may take until its answer's headers arrive (and a stream may stall). */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface SendOptions {
  /** Answer a 2xx with the body as a stream (S3 GetObject). */
  readonly stream?: boolean;
  /** Turns a non-2xx answer (its body read whole) into the service's error. */
  readonly toError: (response: AwsResponse & { body: Buffer }) => AwsErrorShape;
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
  /** Aborts the request (and its retries), as the SDK's `send(command, { abortSignal })`. */
  readonly abortSignal?: AbortSignal | undefined;
  /** Signs each attempt (credentials and date taken per attempt); default signRequest. */
  readonly sign?: (req: AwsRequest) => SignedRequest;
}

function once(
  req: AwsRequest,
  signed: SignedRequest,
  stream: boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AwsResponse> {
  const url = signed.url;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(
      url,
      {
        method: req.method,
        headers: signed.headers,
        agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (stream && status >= 200 && status < 300) {
          resolve({ status, headers: res.headers, body: res });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    out.on('timeout', () =>
      out.destroy(
        Object.assign(new Error(`Connection timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }),
      ),
    );
    out.on('error', reject);
    out.end(req.body);
  });
}

/** The SDK's standard retry mode, by default: 3 attempts, full-jitter exponential backoff from 100 ms. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const STANDARD_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 };

/** The SDK's throttling error codes (@smithy/service-error-classification). */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Whether the SDK's standard mode retries this error: throttling, 5xx, timeouts, network — never other 4xx. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (THROTTLING.has(e.name ?? '') || TRANSIENT.has(e.name ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return TRANSIENT_STATUS.has(status);
  // No answer at all: the connection failed or was cut.
  return NETWORK.has(e.code ?? '') || /socket hang up/i.test((err as Error).message ?? '');
}

/** Full jitter: a random delay in [0, min(max, base · 2^retry)). */
export function retryDelayMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/**
 * Sends `req`, signed afresh for each attempt, and retries what the SDK's standard mode retries.
 * Answers a 2xx; throws the service's error (toError) or the network's, with `$metadata.attempts`.
 */
export async function sendRequest(req: AwsRequest, options: SendOptions): Promise<AwsResponse> {
  const policy = options.retry ?? STANDARD_RETRY;
  const sign = options.sign ?? ((r: AwsRequest) => signRequest(r));
  for (let attempt = 1; ; attempt++) {
    let error: unknown;
    try {
      const res = await once(
        req,
        sign(req),
        options.stream === true,
        options.timeoutMs ?? REQUEST_TIMEOUT_MS,
        options.abortSignal,
      );
      if (res.status >= 200 && res.status < 300) return res;
      error = options.toError(res as AwsResponse & { body: Buffer });
    } catch (err) {
      error = err;
    }
    const e = error as { $metadata?: Record<string, unknown> };
    if (e && typeof e === 'object') e.$metadata = { ...(e.$metadata ?? {}), attempts: attempt };
    if ((error as { name?: string }).name === 'CredentialsProviderError') throw error;
    if (attempt >= policy.maxAttempts || options.abortSignal?.aborted || !isRetryable(error)) throw error;
    await new Promise((r) => setTimeout(r, retryDelayMs(policy, attempt - 1)));
  }
}
