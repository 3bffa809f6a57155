/**
 * One declaration per route (STYLE 7a): a RouteSpec says everything about an HTTP route — method,
 * path, who may call it, the schemas of its path, query, headers and body, its answers by status,
 * the problems it can give, and the AWS access its Lambda needs. Each handler file exports its
 * spec as `route` beside `handler`; from those specs come
 *   - the typed handler (adapters/http/handler.ts: the caller typed by kind, the answer typed by
 *     the response schemas),
 *   - the OpenAPI document (adapters/http/openapi.ts),
 *   - the local dev server's routes and the API Gateway routes (functions/routes.ts reads the
 *     specs of every functions/*.handler.ts),
 *   - the IAM grants of each function (infra/city-stack.ts, from `needs`),
 *   - the access-matrix test (test/e2e/access-matrix.e2e.test.ts).
 */
// Schemas are typed by zod's core types (z.core.$ZodType, $ZodObject): a zod/mini schema and a
// classic one both fit, and handlers parse them with z.safeParse, never by a method of one API.
import type * as z from 'zod/mini';
import type { ApplicantIdentity } from '#core/identity/applicant.ts';
import type { Tag } from './tags.ts';

/**
 * Who may call a route: anyone, a portal (x-api-key), an applicant through a portal (x-api-key and
 * the applicant's OpenID Connect access token as Authorization: Bearer), a department (Bearer
 * token alone), or a 12345 hotline operator (Bearer token alone, of the hotline).
 */
export type CallerKind = 'public' | 'portal' | 'applicant' | 'department' | 'hotline';

/**
 * The request headers that identify a caller of each kind: the authorizer's identity sources in API
 * Gateway, and the key of its results cache (API Gateway's and the local dev server's alike).
 */
export const IDENTITY_SOURCES: Readonly<Record<Exclude<CallerKind, 'public'>, readonly string[]>> = {
  portal: ['x-api-key'],
  // The portal key and the applicant's token: an answer is cached per pair, never per key alone.
  applicant: ['x-api-key', 'Authorization'],
  department: ['Authorization'],
  // A 12345 hotline operator's bearer token (core/credentials/tokens.ts HOTLINE_ID).
  hotline: ['Authorization'],
};

/** How long API Gateway keeps an authorizer's answer per credential: revocations take effect within it. */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** The verified caller of a route of kind K, as the authorizer established it. */
export type Caller<K extends CallerKind = CallerKind> = {
  public: { readonly kind: 'public' };
  portal: { readonly kind: 'portal'; readonly portalId: string };
  applicant: { readonly kind: 'applicant'; readonly portalId: string; readonly applicant: ApplicantIdentity };
  department: { readonly kind: 'department'; readonly departmentId: string };
  hotline: { readonly kind: 'hotline'; readonly operatorId: string };
}[K];

/** Step Functions calls a function may make on the city's case flow. */
export type WorkflowAccess = 'start' | 'stop' | 'callback' | 'describe';

/**
 * The AWS access a function needs — read-only by default, nothing unless named. infra/city-stack.ts
 * turns it into the function's IAM policy; the IAM proof (test/support/iam-proof.ts) checks every
 * AWS call each function makes during the test run against that policy.
 */
export interface Needs {
  /** The city table: `read` (Get/Query/BatchGet) or `write` (read and every item write). */
  readonly table?: 'read' | 'write';
  /** The files bucket (materials, licenses): `read` (Get/Head) or `write` (also Put, presigned PUTs included). */
  readonly files?: 'read' | 'write';
  /** Calls on the case flow's executions. */
  readonly workflow?: readonly WorkflowAccess[];
  /** The license signing key: `verify` (GetPublicKey, Verify) or `sign` (also Sign). */
  readonly signing?: 'verify' | 'sign';
}

export interface ResponseSpec<S extends z.core.$ZodType = z.core.$ZodType> {
  readonly description: string;
  readonly schema: S;
  /** Response headers worth knowing (names as sent). */
  readonly headers?: Readonly<
    Record<string, { readonly description: string; readonly schema: z.core.$ZodType }>
  >;
}

/** 4xx statuses a route answers by its own logic; the generic ones come from the route's shape. */
export type ProblemStatus = 400 | 403 | 404 | 409 | 422 | 429;

export interface BodySpec<B extends z.core.$ZodType = z.core.$ZodType> {
  /** The schema published, and (unless `checkedByUseCase`) the one the request is parsed with. */
  readonly schema: B;
  readonly description: string;
  /**
   * The use case checks the body itself, so that shape and domain problems come back in ONE 422
   * (一次反馈): the handler receives the raw JSON value.
   */
  readonly checkedByUseCase?: boolean;
}

export interface RouteSpec<
  K extends CallerKind = CallerKind,
  P extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
  Q extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
  H extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
  B extends BodySpec | undefined = BodySpec | undefined,
  R extends Readonly<Record<number, ResponseSpec>> = Readonly<Record<number, ResponseSpec>>,
> {
  /** functions/<name>.handler.ts; the OpenAPI operationId is its camelCase. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway style path, parameters in braces. */
  readonly path: string;
  readonly caller: K;
  readonly summary: string;
  /**
   * What the operation does, for whom, and what it answers: the document's operation description
   * (the API lint, .spectral.yaml, refuses an operation without one).
   */
  readonly description?: string;
  readonly tags: readonly Tag[];
  readonly params?: P;
  readonly query?: Q;
  /** Request headers (lower-case names); a missing or malformed one is a 400. */
  readonly headers?: H;
  readonly body?: B;
  /** Success answers by status. */
  readonly responses: R;
  /** Problems this route answers by its own logic, with when. */
  readonly problems?: Readonly<Partial<Record<ProblemStatus, string>>>;
  readonly needs?: Needs;
  /**
   * How a POST answers its Idempotency-Key sent again with the same request
   * (adapters/http/handler.ts): `answer` (the default) replays the first 2xx answer, kept 24 h;
   * `rerun` keeps only the request's fingerprint and runs the route again — for a read whose answer
   * is personal data that must not be copied into the idempotency store (POST /v1/prefill: the
   * lookup, its consent record and its access-log entry happen again).
   */
  readonly idempotentRepeat?: 'answer' | 'rerun';
  /**
   * The function's timeout when a route may legitimately take longer than an HTTP handler's
   * default 10 s (a long poll); at most 28 s, inside API Gateway's 29 s.
   */
  readonly timeoutSeconds?: number;
  /**
   * A public answer that only a new deployment changes (the catalog): its 200 is sent with
   * `Cache-Control: public, max-age=<maxAgeSeconds>` and an `ETag` (its body's SHA-256), and a
   * request whose `If-None-Match` names that ETag is answered 304 without a body
   * (adapters/http/handler.ts). A portal's HTTP cache then asks again once per max-age, not per
   * case.
   */
  readonly cache?: { readonly maxAgeSeconds: number };
}

/**
 * How long a portal may keep an answer of the catalog (RouteSpec `cache`): it changes only with a
 * deployment, so a few minutes' delay after one is the whole cost of not asking per case.
 */
export const CATALOG_CACHE = { maxAgeSeconds: 300 } as const;

// biome-ignore lint/suspicious/noExplicitAny: the widest spec, for tables of routes of any shape
export type AnyRouteSpec = RouteSpec<CallerKind, any, any, any, any, any>;

/** Declares a route; only checks and preserves the literal types of the spec. */
export function defineRoute<
  const K extends CallerKind,
  P extends z.core.$ZodObject | undefined = undefined,
  Q extends z.core.$ZodObject | undefined = undefined,
  H extends z.core.$ZodObject | undefined = undefined,
  B extends BodySpec | undefined = undefined,
  const R extends Readonly<Record<number, ResponseSpec>> = Readonly<Record<number, ResponseSpec>>,
>(spec: RouteSpec<K, P, Q, H, B, R>): RouteSpec<K, P, Q, H, B, R> {
  return spec;
}
