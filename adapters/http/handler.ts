/**
 * The one middy stack every HTTP Lambda uses (httpHandler): logging context first, then request
 * parsing from the route's spec (content type, size, JSON, zod for path/query/headers/body), the use
 * case, and the problem+json error handler last. Handlers stay ~30 lines: parse → one use case →
 * map the result. The request and the answer are typed by the spec: the caller by its kind, the
 * body by the response schema of the status returned.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { BadRequestError, type Problem, ValidationError } from '#core/shared/errors.ts';
import { edgeConfig } from '../config.ts';
import { logger } from '../logger.ts';
import { resolveCaller } from './callers.ts';
import { CORS_RESPONSE_HEADERS } from './cors.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.ts';
import { problemsFromZod, toProblem } from './problem.ts';
import type { AnyRouteSpec, BodySpec, Caller, ResponseSpec } from './route.ts';

const CORS = CORS_RESPONSE_HEADERS;

/** Bodies above this are refused with 413 before parsing (API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** What a spec's optional schema parses to: undefined when the route declares none. */
type Parsed<T> = [Exclude<T, undefined>] extends [never]
  ? undefined
  : Exclude<T, undefined> extends z.ZodType
    ? z.output<Exclude<T, undefined>>
    : undefined;
type BodyOf<T> = [Exclude<T, undefined>] extends [never]
  ? undefined
  : Exclude<T, undefined> extends { checkedByUseCase: true }
    ? unknown
    : Exclude<T, undefined> extends BodySpec<infer S>
      ? z.output<S>
      : undefined;

/** What a handler gets: the request parsed by its route's schemas, and the verified caller. */
export interface HttpRequest<S extends AnyRouteSpec> {
  readonly params: Parsed<S['params']>;
  readonly query: Parsed<S['query']>;
  /** Header names lower-cased; the spec's headers are checked, the others passed as sent. */
  readonly headers: Readonly<Record<string, string>> & Partial<Parsed<S['headers']>>;
  readonly body: BodyOf<S['body']>;
  readonly caller: Caller<S['caller']>;
  readonly requestId: string;
  /** Base URL of the API as the caller sees it (for links). */
  readonly baseUrl: string;
}

/** JSON does not know `readonly`: views may build read-only arrays and objects. */
type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a handler answers: one of its spec's statuses, with a body of that status's schema. */
export type HttpAnswer<S extends AnyRouteSpec> = {
  [St in keyof S['responses'] & number]: {
    readonly status: St;
    readonly body: S['responses'][St] extends ResponseSpec<infer Z> ? DeepReadonly<z.input<Z>> : never;
    readonly headers?: Readonly<Record<string, string>>;
  };
}[keyof S['responses'] & number];

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
  optional: boolean,
): unknown {
  const raw = event.body ?? '';
  if (raw === '' && optional) return {};
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

/** A missing value is `required`, whatever zod calls it: one code for "you did not send it". */
function requiredWhenMissing(problems: Problem[], value: Record<string, unknown>, prefix: string): Problem[] {
  return problems.map((p) =>
    p.code === 'invalid_type' && value[p.path.slice(prefix.length + 1)] === undefined
      ? { ...p, code: 'required', message: `${p.path.slice(prefix.length + 1)} is required.` }
      : p,
  );
}

/**
 * The Lambda handler of `route`: `httpHandler(route)(async (req) => answer)` parses the request by
 * the spec, runs the function, answers JSON or a problem. (Curried so that the spec's type is fixed
 * before the function is checked: its answers are then typed by the spec, never widened.)
 */
export function httpHandler<S extends AnyRouteSpec>(route: S) {
  return (run: (req: HttpRequest<S>) => Promise<HttpAnswer<S>>) => lambdaHandler(route, run);
}

function lambdaHandler<S extends AnyRouteSpec>(
  route: S,
  run: (req: HttpRequest<S>) => Promise<HttpAnswer<S>>,
) {
  const base = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const headers = lowerCaseHeaders(event);
    const requestId = context.awsRequestId ?? event.requestContext?.requestId ?? 'local';
    const caller = resolveCaller(route.caller, event);

    // Headers first: a missing or malformed one is a 400 (the request cannot be understood as sent).
    if (route.headers) {
      const r = (route.headers as z.ZodObject).safeParse(headers);
      if (!r.success)
        throw new BadRequestError(
          'A required request header is missing or malformed.',
          requiredWhenMissing(problemsFromZod(r.error.issues, '/headers'), headers, '/headers'),
        );
    }
    // Every other problem in one answer: path, query and body are all checked before failing.
    const problems: Problem[] = [];
    const parse = (schema: z.ZodType | undefined, value: unknown, prefix: string) => {
      if (!schema) return undefined;
      const r = schema.safeParse(value);
      if (r.success) return r.data;
      problems.push(...problemsFromZod(r.error.issues, prefix));
      return undefined;
    };
    const params = parse(route.params, event.pathParameters ?? {}, '/path');
    const query = parse(route.query, event.queryStringParameters ?? {}, '/query');
    const bodySpec = route.body as BodySpec | undefined;
    let body: unknown;
    if (bodySpec) {
      // A body the use case checks is never refused for being absent: its problems list what is missing.
      const optional = bodySpec.checkedByUseCase || bodySpec.schema.safeParse({}).success;
      const json = parseJsonBody(event, headers, optional);
      body = bodySpec.checkedByUseCase ? json : parse(bodySpec.schema, json, '');
    }
    if (problems.length) throw new ValidationError(problems);

    const result = await run({
      params,
      query,
      headers,
      body,
      caller,
      requestId,
      baseUrl: baseUrlOf(event, headers),
    } as HttpRequest<S>);
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
