/**
 * What adapters/s3 needs of S3, over request.ts: PutObject, GetObject (the body as a Node stream),
 * HeadObject, DeleteObject, and presigned PUT/GET URLs — through a client with the SDK's `send`
 * and `middlewareStack` (presigning runs the stack too, answering `{ presigned }`, as the SDK's
 * presigner does). Path-style addressing when S3_FORCE_PATH_STYLE=true (emulators), else
 * virtual-hosted. Payloads are signed with their SHA-256 (x-amz-content-sha256), presigned URLs
 * with UNSIGNED-PAYLOAD; no other checksum unless the caller sets one (ChecksumSHA256).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { OutputOf, SendCallOptions } from './json-client.ts';
import { type CommandLike, commandNameOf, MiddlewareStack } from './middleware.ts';
import {
  type AwsErrorShape,
  type AwsRequest,
  type AwsResponse,
  type Credentials,
  type RetryPolicy,
  regionOf,
  resolveEndpoint,
  SERVICES,
  sendRequest,
  signRequest,
} from './request.ts';

interface Metadata {
  $metadata: { httpStatusCode?: number; requestId?: string };
}

export interface PutObjectInput {
  Bucket: string;
  Key: string;
  Body?: Uint8Array | string;
  ContentType?: string;
  ContentLength?: number;
  ContentDisposition?: string;
  CacheControl?: string;
  ChecksumSHA256?: string;
  IfNoneMatch?: string;
  IfMatch?: string;
  Metadata?: Record<string, string>;
}
export interface PutObjectOutput extends Metadata {
  ETag?: string;
  ChecksumSHA256?: string;
  VersionId?: string;
}
export interface GetObjectInput {
  Bucket: string;
  Key: string;
  IfMatch?: string;
  IfNoneMatch?: string;
  Range?: string;
  VersionId?: string;
  ResponseContentDisposition?: string;
  ResponseContentType?: string;
}
/** A response body as it arrives, with the SDK's helpers for reading it whole. */
export type ResponseBody = Readable & {
  transformToByteArray(): Promise<Uint8Array>;
  transformToString(encoding?: BufferEncoding): Promise<string>;
};
export interface ObjectAttributes extends Metadata {
  ContentLength?: number;
  ContentType?: string;
  ContentDisposition?: string;
  CacheControl?: string;
  ETag?: string;
  LastModified?: Date;
  VersionId?: string;
  ChecksumSHA256?: string;
  Metadata?: Record<string, string>;
}
export interface GetObjectOutput extends ObjectAttributes {
  Body?: ResponseBody;
}
export interface HeadObjectInput {
  Bucket: string;
  Key: string;
  IfMatch?: string;
  VersionId?: string;
}
export type HeadObjectOutput = ObjectAttributes;
export interface DeleteObjectInput {
  Bucket: string;
  Key: string;
  VersionId?: string;
}
export interface DeleteObjectOutput extends Metadata {
  VersionId?: string;
}

abstract class S3Command<I extends object, O> {
  abstract readonly commandName: string;
  declare readonly __output?: O;
  constructor(readonly input: I) {}
}
export class PutObjectCommand extends S3Command<PutObjectInput, PutObjectOutput> {
  readonly commandName = 'PutObjectCommand';
}
export class GetObjectCommand extends S3Command<GetObjectInput, GetObjectOutput> {
  readonly commandName = 'GetObjectCommand';
}
export class HeadObjectCommand extends S3Command<HeadObjectInput, HeadObjectOutput> {
  readonly commandName = 'HeadObjectCommand';
}
export class DeleteObjectCommand extends S3Command<DeleteObjectInput, DeleteObjectOutput> {
  readonly commandName = 'DeleteObjectCommand';
}

type S3Output<C> = C extends S3Command<object, infer O> ? O : OutputOf<C>;

/** RFC 3986 encoding of one path segment or query component, as SigV4 canonicalises it. */
export const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const encodeKey = (key: string) => key.split('/').map(uriEncode).join('/');

/** A bucket that can be a host name label (else path-style, as the SDK falls back). */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export interface S3ClientOptions {
  readonly region?: string;
  /** @default process.env.S3_FORCE_PATH_STYLE === 'true' */
  readonly forcePathStyle?: boolean;
  readonly retry?: RetryPolicy;
}

type Input = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** Request headers of an operation's input (only those the input sets). */
function headersOf(input: Input): Record<string, string> {
  const map: [string, string][] = [
    ['ContentType', 'content-type'],
    ['ContentLength', 'content-length'],
    ['ContentDisposition', 'content-disposition'],
    ['CacheControl', 'cache-control'],
    ['ChecksumSHA256', 'x-amz-checksum-sha256'],
    ['IfNoneMatch', 'if-none-match'],
    ['IfMatch', 'if-match'],
    ['Range', 'range'],
  ];
  const headers: Record<string, string> = {};
  for (const [member, header] of map) {
    const v = str(input[member]);
    if (v !== undefined) headers[header] = v;
  }
  for (const [k, v] of Object.entries((input.Metadata ?? {}) as Record<string, string>))
    headers[`x-amz-meta-${k.toLowerCase()}`] = v;
  return headers;
}

/** Output members from response headers. */
function attributesOf(status: number, headers: IncomingHttpHeaders): ObjectAttributes {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const out: ObjectAttributes = { $metadata: { httpStatusCode: status } };
  const requestId = h('x-amz-request-id');
  if (requestId) out.$metadata.requestId = requestId;
  const length = h('content-length');
  if (length !== undefined) out.ContentLength = Number(length);
  const set = (
    member: 'ContentType' | 'ContentDisposition' | 'CacheControl' | 'ETag' | 'VersionId' | 'ChecksumSHA256',
    name: string,
  ) => {
    const v = h(name);
    if (v !== undefined) out[member] = v;
  };
  set('ContentType', 'content-type');
  set('ContentDisposition', 'content-disposition');
  set('CacheControl', 'cache-control');
  set('ETag', 'etag');
  set('VersionId', 'x-amz-version-id');
  set('ChecksumSHA256', 'x-amz-checksum-sha256');
  const modified = h('last-modified');
  if (modified) out.LastModified = new Date(modified);
  const meta = Object.entries(headers).filter(([k]) => k.startsWith('x-amz-meta-'));
  if (meta.length) out.Metadata = Object.fromEntries(meta.map(([k, v]) => [k.slice(11), String(v)]));
  return out;
}

const xmlText = (xml: string, tag: string) => {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
};

/** S3's XML error → an SDK-shaped error; no body (HEAD): 404 is NotFound, else the status, as the SDK names them. */
export function s3Error(res: AwsResponse & { body: Buffer }): AwsErrorShape {
  const xml = res.body.toString('utf8');
  const code = xmlText(xml, 'Code') ?? (res.status === 404 ? 'NotFound' : String(res.status));
  const err = new Error(xmlText(xml, 'Message') ?? code) as AwsErrorShape;
  err.name = code;
  const requestId = res.headers['x-amz-request-id'];
  err.$fault = res.status >= 500 ? 'server' : 'client';
  err.$metadata = { httpStatusCode: res.status, ...(typeof requestId === 'string' ? { requestId } : {}) };
  return err;
}

function withReaders(stream: Readable): ResponseBody {
  const body = stream as ResponseBody;
  const all = async () => {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  body.transformToByteArray = async () => new Uint8Array(await all());
  body.transformToString = async (encoding = 'utf8') => (await all()).toString(encoding);
  return body;
}

export interface PresignOptions {
  readonly expiresIn: number;
  readonly signingDate?: Date;
  /** Headers to sign besides host (the client must then send them with these values). */
  readonly signableHeaders?: ReadonlySet<string>;
  /** Test seam: credentials other than the environment's. */
  readonly credentials?: Credentials;
}

export class S3Client {
  readonly middlewareStack = new MiddlewareStack();

  constructor(readonly options: S3ClientOptions = {}) {}

  private region() {
    return this.options.region ?? regionOf();
  }

  /** The unsigned request of an object operation. */
  request(operation: string, input: Input, extraQuery: Record<string, string> = {}): AwsRequest {
    const bucket = String(input.Bucket ?? '');
    const key = String(input.Key ?? '');
    if (!bucket || !key) throw new TypeError(`${operation} needs Bucket and Key.`);
    const region = this.region();
    const base = resolveEndpoint(SERVICES.s3, region);
    const pathStyle = this.options.forcePathStyle ?? process.env.S3_FORCE_PATH_STYLE === 'true';
    const virtual = !pathStyle && DNS_BUCKET.test(bucket) && !/^\d+\.\d+\.\d+\.\d+$/.test(base.hostname);
    const endpoint = virtual ? new URL(`${base.protocol}//${bucket}.${base.host}${base.pathname}`) : base;
    const query: Record<string, string> = { ...extraQuery };
    if (input.VersionId) query.versionId = String(input.VersionId);
    if (operation === 'GetObject') {
      if (input.ResponseContentDisposition)
        query['response-content-disposition'] = String(input.ResponseContentDisposition);
      if (input.ResponseContentType) query['response-content-type'] = String(input.ResponseContentType);
    }
    query['x-id'] = operation;
    const qs = Object.entries(query)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    const method = (
      { PutObject: 'PUT', GetObject: 'GET', HeadObject: 'HEAD', DeleteObject: 'DELETE' } as const
    )[operation as 'PutObject'];
    if (!method) throw new TypeError(`S3 ${operation} is not supported by adapters/aws/s3.ts.`);
    const body = input.Body;
    const headers = headersOf(input);
    // What S3 stores without a type (aws4 would otherwise sign a form content type in).
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'binary/octet-stream';
    return {
      service: SERVICES.s3,
      region,
      endpoint,
      method,
      path: `${virtual ? '' : `/${uriEncode(bucket)}`}/${encodeKey(key)}${qs ? `?${qs}` : ''}`,
      headers,
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? Buffer.from(body) : Buffer.from(body as Uint8Array) }),
    };
  }

  private async call(
    operation: string,
    input: Input,
    options: SendCallOptions,
  ): Promise<Record<string, unknown>> {
    const req = this.request(operation, input);
    const res = await sendRequest(req, {
      toError: s3Error,
      abortSignal: options.abortSignal,
      stream: operation === 'GetObject',
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
    const out: Record<string, unknown> = { ...attributesOf(res.status, res.headers) };
    if (operation === 'GetObject') out.Body = withReaders(res.body as Readable);
    if (operation === 'PutObject' || operation === 'DeleteObject') delete out.ContentLength;
    return out;
  }

  async send<C extends CommandLike>(command: C, options: SendCallOptions = {}): Promise<S3Output<C>> {
    const commandName = commandNameOf(command);
    const operation = commandName.replace(/Command$/, '');
    const handler = this.middlewareStack.resolve(
      async (args) => ({ output: await this.call(operation, args.input, options) }),
      { commandName, clientName: 'S3Client' },
    );
    return (await handler({ input: { ...(command.input as Input) } })).output as S3Output<C>;
  }

  /**
   * A presigned URL for the command (SigV4 in the query string, UNSIGNED-PAYLOAD), made locally;
   * runs the middleware stack, whose terminal answers `{ presigned }` instead of sending.
   */
  async presign(command: CommandLike, options: PresignOptions): Promise<string> {
    const commandName = commandNameOf(command);
    const operation = commandName.replace(/Command$/, '');
    const handler = this.middlewareStack.resolve(
      async (args) => {
        const { Body: _body, ...input } = args.input;
        const req = this.request(operation, input, { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' });
        const allowed = options.signableHeaders ?? new Set<string>();
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => allowed.has(k)));
        const signed = signRequest(
          { ...req, headers },
          {
            presign: { expiresIn: options.expiresIn },
            ...(options.signingDate ? { now: options.signingDate } : {}),
            ...(options.credentials ? { credentials: options.credentials } : {}),
          },
        );
        return { output: { presigned: signed.url.toString() } };
      },
      { commandName, clientName: 'S3Client' },
    );
    return String((await handler({ input: { ...(command.input as Input) } })).output.presigned);
  }
}

/** As `@aws-sdk/s3-request-presigner`'s getSignedUrl. */
export function getSignedUrl(
  client: S3Client,
  command: CommandLike,
  options: PresignOptions,
): Promise<string> {
  return client.presign(command, options);
}
