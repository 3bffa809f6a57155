/**
 * The one entry point every HTTP Lambda uses (httpHandler): logging context first, then request
 * parsing from the route's spec (content type, size, JSON, zod for path/query/headers/body), the
 * Idempotency-Key of a POST, the use case, and the problem+json error handler last (in the
 * language Accept-Language asks for). Handlers stay ~30 lines: parse → one use case → map the
 * result. The request and the answer are typed by the spec: the caller by its kind, the body by
 * the response schema of the status returned.
 *
 * Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header), on every POST of a caller
 * (`takesIdempotencyKey`), optional: the same key with the same request answers what the first
 * answered (`Idempotent-Replayed: true`); with another request 422 `idempotency_key_reused`; while
 * the first is still running 409 `idempotency_key_in_use` + Retry-After. Keys are the caller's own
 * (per portal, per applicant through a portal, per department) and kept 24 h
 * (adapters/dynamodb/idempotency-store.ts). Only a 2xx answer is kept: after a refusal (a 4xx) the
 * key is free again for a corrected request. A route that declares the header itself (POST
 * /v1/cases: required, recorded in the case's own transaction) implements it itself. A route whose
 * answer is personal data (`idempotentRepeat: 'rerun'`: POST /v1/prefill) keeps no answer: only the
 * request's fingerprint, and a repeat runs the route again (still `Idempotent-Replayed: true`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
// By this specifier, which infra/lambda-bundling.ts aliases away for a route that takes no key.
import { idempotencyStore, type StoredAnswer } from '#adapters/dynamodb/idempotency-store.ts';
import { negotiateLanguage } from '#core/shared/error-codes.ts';
import {
  BadRequestError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  type Problem,
  ValidationError,
} from '#core/shared/errors.ts';
import { edgeConfig } from '../config.ts';
import { invocation, logger } from '../logger.ts';
import { resolveCaller } from './callers.ts';
import { CORS_RESPONSE_HEADERS } from './cors.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.ts';
import { IDEMPOTENCY_KEY } from './idempotency-key.ts';
import { problemsFromZod, toProblem } from './problem.ts';
import type { AnyRouteSpec, BodySpec, Caller, Needs, ResponseSpec } from './route.ts';

const CORS = CORS_RESPONSE_HEADERS;

/** Bodies above this are refused with 413 before parsing (API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** What a spec's optional schema parses to: undefined when the route declares none. */
type Parsed<T> = [Exclude<T, undefined>] extends [never]
  ? undefined
  : Exclude<T, undefined> extends z.core.$ZodType
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

/**
 * Whether the generic Idempotency-Key mechanism serves `route`: every POST of a caller with
 * credentials (a key is the caller's own), unless the route declares the header itself.
 */
export function takesIdempotencyKey(route: AnyRouteSpec): boolean {
  const own = (route.headers as z.core.$ZodObject | undefined)?._zod.def.shape['idempotency-key'];
  return route.method === 'POST' && route.caller !== 'public' && !own;
}

/** A route's AWS access: its `needs`, and table writes where its Idempotency-Keys are recorded. */
export function routeNeeds(route: AnyRouteSpec): Needs {
  const needs: Needs = route.needs ?? {};
  return takesIdempotencyKey(route) ? { ...needs, table: 'write' } : needs;
}

/** Whose keys these are: a key is unique per caller, never shared between two. */
function idempotencyScope(caller: Caller): string {
  // An applicant is their subject through one portal (not their token's other claims).
  if (caller.kind === 'applicant')
    return `applicant:${caller.portalId}:${caller.applicant.kind}:${caller.applicant.subject}`;
  // Any other kind is all its verified identity (a portal id, a department id…).
  return `${caller.kind}:${canonical(caller)}`;
}

/** JSON with object keys sorted: equal requests have equal text, whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The request's fingerprint (the draft's): route, path, query and body — not how it was spelled. */
function fingerprintOf(route: AnyRouteSpec, event: APIGatewayProxyEvent, body: unknown): string {
  return createHash('sha256')
    .update(
      canonical([
        route.method,
        route.path,
        event.pathParameters ?? {},
        event.queryStringParameters ?? {},
        body ?? null,
      ]),
    )
    .digest('base64url');
}

/** The response headers of an answer that are its own (what a replay repeats). */
function ownHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {}))
    if (!k.startsWith('access-control-') && k !== 'idempotent-replayed') out[k] = String(v);
  return out;
}

/**
 * A cacheable route's 200 (RouteSpec `cache`): public for max-age, with its body's SHA-256 as a
 * strong ETag; 304 without a body when the request's If-None-Match names it (or is `*`).
 */
function cacheable(
  response: APIGatewayProxyResult & { headers: Record<string, string> },
  cache: { maxAgeSeconds: number },
  request: Record<string, string | undefined>,
): APIGatewayProxyResult {
  const etag = `"${createHash('sha256').update(response.body).digest('base64url')}"`;
  const headers: Record<string, string> = {
    ...response.headers,
    'cache-control': `public, max-age=${cache.maxAgeSeconds}`,
    etag,
  };
  const asked = (request['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (asked.includes(etag) || asked.includes('*')) {
    const { 'content-type': _type, ...rest } = headers;
    return { statusCode: 304, headers: rest, body: '' };
  }
  return { ...response, headers };
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
      const r = z.safeParse(route.headers as z.core.$ZodObject, headers);
      if (!r.success)
        throw new BadRequestError(
          'A required request header is missing or malformed.',
          problemsFromZod(r.error.issues, headers, '/headers'),
        );
    }
    const idempotencyKey = takesIdempotencyKey(route) ? headers['idempotency-key'] : undefined;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw new BadRequestError('The Idempotency-Key header is malformed.', [
        {
          path: '/headers/idempotency-key',
          code: 'malformed',
          message: 'Idempotency-Key is 1–255 visible ASCII characters, e.g. a UUID.',
          params: { format: '1–255 visible ASCII characters' },
        },
      ]);
    // Every other problem in one answer: path, query and body are all checked before failing.
    const problems: Problem[] = [];
    const parse = (schema: z.core.$ZodType | undefined, value: unknown, prefix: string) => {
      if (!schema) return undefined;
      const r = z.safeParse(schema, value);
      if (r.success) return r.data;
      problems.push(...problemsFromZod(r.error.issues, value, prefix));
      return undefined;
    };
    const params = parse(route.params, event.pathParameters ?? {}, '/path');
    const query = parse(route.query, event.queryStringParameters ?? {}, '/query');
    const bodySpec = route.body as BodySpec | undefined;
    let body: unknown;
    let json: unknown;
    if (bodySpec) {
      // A body the use case checks is never refused for being absent: its problems list what is missing.
      const optional = bodySpec.checkedByUseCase || z.safeParse(bodySpec.schema, {}).success;
      json = parseJsonBody(event, headers, optional);
      body = bodySpec.checkedByUseCase ? json : parse(bodySpec.schema, json, '');
    }
    if (problems.length) throw new ValidationError(problems);

    const answer = async (): Promise<APIGatewayProxyResult> => {
      const result = await run({
        params,
        query,
        headers,
        body,
        caller,
        requestId,
        baseUrl: baseUrlOf(event, headers),
      } as HttpRequest<S>);
      const text = result.body === undefined ? '' : JSON.stringify(result.body);
      const response = {
        statusCode: result.status,
        headers: { 'content-type': 'application/json; charset=utf-8', ...CORS, ...result.headers },
        body: text,
      };
      return route.cache && result.status === 200 ? cacheable(response, route.cache, headers) : response;
    };
    if (idempotencyKey === undefined) return answer();
    return answerOnce(
      idempotencyScope(caller),
      idempotencyKey,
      fingerprintOf(route, event, json),
      route.idempotentRepeat !== 'rerun',
      answer,
    );
  };

  return invocation<APIGatewayProxyEvent, APIGatewayProxyResult>(base, {
    onError: async (err, event, context) => {
      const requestId = context.awsRequestId ?? 'local';
      const language = negotiateLanguage(lowerCaseHeaders(event ?? {})['accept-language']);
      const { response, expected } = toProblem(err, requestId, language);
      if (expected) logger.info('request refused', { status: response.statusCode });
      else logger.error('request failed', err as Error);
      return { ...response, headers: { ...response.headers, ...CORS } };
    },
  });
}

/**
 * Runs `answer` once per caller and Idempotency-Key (adapters/dynamodb/idempotency-store.ts): the
 * key is reserved first, the route runs, and its 2xx answer is kept — or the key is freed again.
 * Without `keepAnswer` only the request's fingerprint is kept, and a repeat runs `answer` again.
 */
async function answerOnce(
  scope: string,
  key: string,
  fingerprint: string,
  keepAnswer: boolean,
  answer: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const reservation = await idempotencyStore.reserve(scope, key, fingerprint, new Date(), randomUUID());
  switch (reservation.kind) {
    case 'mismatch':
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was already used with a different request (method, path or body).',
      );
    case 'in_progress':
      throw new IdempotencyKeyInUseError(
        'A request with this Idempotency-Key is still being processed: retry after the time Retry-After gives to get its answer.',
        reservation.retryAfterSeconds,
      );
    case 'replay': {
      const stored = reservation.answer;
      return {
        statusCode: stored.status,
        headers: { ...stored.headers, ...CORS, 'idempotent-replayed': 'true' },
        body: stored.body,
      };
    }
    case 'rerun': {
      // The same request again, its answer not kept (personal data): answered afresh.
      const again = await answer();
      return { ...again, headers: { ...again.headers, 'idempotent-replayed': 'true' } };
    }
  }
  const { token } = reservation;
  let response: APIGatewayProxyResult;
  try {
    response = await answer();
  } catch (err) {
    // Refused or failed: nothing to replay, so the key is free for the next (corrected) request.
    await idempotencyStore.release(scope, key, token).catch((e: unknown) => {
      logger.warn('an Idempotency-Key could not be released; it frees itself when its lock lapses', {
        error: (e as Error).message,
      });
    });
    throw err;
  }
  if (response.statusCode >= 200 && response.statusCode < 300) {
    const stored: StoredAnswer = {
      status: response.statusCode,
      headers: ownHeaders(response.headers),
      body: response.body,
    };
    // The work is done and answered: a failure to keep the answer must not turn it into an error.
    // (A retry then finds the key in progress until its lock lapses, then runs the route again.)
    await idempotencyStore
      .complete(scope, key, token, keepAnswer ? stored : undefined)
      .catch((e: unknown) => {
        logger.warn('the answer of an Idempotency-Key could not be kept', { error: (e as Error).message });
      });
  } else {
    await idempotencyStore.release(scope, key, token).catch(() => undefined);
  }
  return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'false' } };
}
