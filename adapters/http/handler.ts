/**
 * The one middy stack every HTTP Lambda uses (makeHttpHandler): logging context first, then
 * request parsing (content type, size, JSON, zod for body/path/query), the use case, and the
 * problem+json error handler last. Handlers stay ~30 lines: parse → one use case → map the result.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  BadRequestError,
  PayloadTooLargeError,
  type Problem,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#core/shared/errors.ts';
import type { CallerKind } from '#functions/routes.ts';
import { edgeConfig } from '../config.ts';
import { logger } from '../logger.ts';
import { type Caller, resolveCaller } from './callers.ts';
import { problemsFromZod, toProblem } from './problem.ts';

/** Portals call from browsers too; API Gateway does not add CORS headers to proxy responses. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'location, idempotent-replayed',
};

/** Bodies above this are refused with 413 before parsing (API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpSpec<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType> {
  readonly caller: CallerKind;
  readonly body?: B;
  readonly params?: P;
  readonly query?: Q;
}

export interface HttpRequest<B, P, Q> {
  readonly body: B;
  readonly params: P;
  readonly query: Q;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly caller: Caller;
  readonly requestId: string;
  /** Base URL of the API as the caller sees it (for links). */
  readonly baseUrl: string;
}

export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type Out<T extends z.ZodType | undefined> = T extends z.ZodType ? z.output<T> : undefined;

function lowerCaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/**
 * The request body as JSON. A route whose body schema accepts `{}` has an optional body: sending
 * none at all (no bytes, whatever the content type) is the same as sending `{}`.
 */
function parseJsonBody(
  event: APIGatewayProxyEvent,
  headers: Record<string, string>,
  schema: z.ZodType,
): unknown {
  const raw = event.body ?? '';
  if (raw === '' && schema.safeParse({}).success) return {};
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`The body exceeds ${MAX_BODY_BYTES} bytes.`);
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json'))
    throw new UnsupportedMediaTypeError(
      `Send the body as application/json (got "${type || 'no content type'}").`,
    );
  if (text.trim() === '') throw new BadRequestError('The request body is empty; a JSON object is expected.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`The body is not valid JSON: ${(err as Error).message}`);
  }
  // Found by fuzzing: use cases walk bodies recursively (e.g. the idempotency hash), and a body of
  // a few KB nested thousands deep overflowed the stack (500). No request needs more than this.
  if (nestedDeeperThan(value, MAX_BODY_DEPTH))
    throw new BadRequestError(`The body nests objects and arrays deeper than ${MAX_BODY_DEPTH} levels.`);
  return value;
}

/** Deeper than any request of this API: refused before anything walks the body recursively. */
export const MAX_BODY_DEPTH = 32;

/** Iterative, so that it cannot overflow the stack itself. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Base URL of the API as the caller sees it, for links (Location, servers[0]). The host is the one
 * API Gateway was called at (requestContext.domainName; locally the dev server's Host): a client
 * cannot choose it. X-Forwarded-Host is followed only for a proxy the deployment trusts
 * (TRUSTED_FORWARDED_HOSTS), since anyone can send that header.
 */
function baseUrlOf(event: APIGatewayProxyEvent, headers: Record<string, string>): string {
  const forwarded = headers['x-forwarded-host']?.trim().toLowerCase();
  const trusted = forwarded !== undefined && edgeConfig().TRUSTED_FORWARDED_HOSTS.includes(forwarded);
  const host = trusted ? forwarded : (event.requestContext?.domainName ?? headers.host ?? 'localhost');
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const stage =
    event.requestContext?.stage && event.requestContext.stage !== '$default'
      ? `/${event.requestContext.stage}`
      : '';
  return `${proto}://${host}${stage}`;
}

export function makeHttpHandler<
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
>(spec: HttpSpec<B, P, Q>, run: (req: HttpRequest<Out<B>, Out<P>, Out<Q>>) => Promise<HttpResult>) {
  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const headers = lowerCaseHeaders(event);
    const requestId = context.awsRequestId ?? event.requestContext?.requestId ?? 'local';
    const caller = await resolveCaller(spec.caller, event, headers);

    // Every problem in one answer: path, query and body are all checked before failing.
    const problems: Problem[] = [];
    const parse = <T extends z.ZodType | undefined>(schema: T, value: unknown, prefix: string) => {
      if (!schema) return undefined;
      const r = schema.safeParse(value);
      if (r.success) return r.data;
      problems.push(...problemsFromZod(r.error.issues, prefix));
      return undefined;
    };
    const params = parse(spec.params, event.pathParameters ?? {}, '/path');
    const query = parse(spec.query, event.queryStringParameters ?? {}, '/query');
    const body = spec.body ? parse(spec.body, parseJsonBody(event, headers, spec.body), '') : undefined;
    if (problems.length) throw new ValidationError(problems);

    const result = await run({
      body: body as Out<B>,
      params: params as Out<P>,
      query: query as Out<Q>,
      headers,
      caller,
      requestId,
      baseUrl: baseUrlOf(event, headers),
    });
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...CORS, ...result.headers },
      body: result.body === undefined ? '' : JSON.stringify(result.body),
    };
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        const requestId = request.context.awsRequestId ?? 'local';
        const { response, expected } = toProblem(request.error, requestId);
        if (expected) logger.info('request refused', { status: response.statusCode });
        else logger.error('request failed', request.error as Error);
        request.response = { ...response, headers: { ...response.headers, ...CORS } };
      },
    })
    .handler(base);
}
