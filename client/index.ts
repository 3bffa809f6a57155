/**
 * The typed client of this API for portals and department systems: openapi-fetch over the types
 * openapi-typescript generates from the published OpenAPI document (client/schema.d.ts, by
 * `npm run client`). Every path, parameter, body and answer is typed by the document itself:
 *
 *   const portal = createPortalClient({ baseUrl, apiKey, token: applicantAccessToken });
 *   const { data, error } = await portal.POST('/v1/cases', {
 *     params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
 *     body: application,
 *   });
 *
 * `data` is the 2xx answer's body, `error` the problem (application/problem+json) of any other.
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };
/** The document's named schemas: `Schemas['CaseView']`, `Schemas['Problem']`… */
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export interface ClientBase {
  /** The stage's base URL (the paths start with /v1), e.g. https://api.changzhou.example.cn/prod. */
  readonly baseUrl: string;
  /** Another fetch (a test double, a proxy); globalThis.fetch by default. */
  readonly fetch?: ClientOptions['fetch'];
  /** Headers sent with every request besides the credentials (Accept-Language…). */
  readonly headers?: Readonly<Record<string, string>>;
}

function client(options: ClientBase, credentials: Record<string, string>): ApiClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    // Arrays in a query are comma-separated (`?services=a,b`: style form, explode false).
    querySerializer: { array: { style: 'form', explode: false } },
    headers: { ...options.headers, ...credentials },
  });
}

/** For the public routes (the catalog, license verification, the document): no credentials. */
export function createPublicClient(options: ClientBase): ApiClient {
  return client(options, {});
}

/**
 * A portal's client: its API key, and — for the applicant-scoped routes (prefill, cases, licenses,
 * the access log) — the signed-in applicant's access token from the city's identity provider.
 */
export function createPortalClient(options: ClientBase & { apiKey: string; token?: string }): ApiClient {
  return client(options, {
    'x-api-key': options.apiKey,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });
}

/** A department system's client (its inbox, its tasks and decisions; the supervisor's supervision). */
export function createDepartmentClient(options: ClientBase & { token: string }): ApiClient {
  return client(options, { authorization: `Bearer ${options.token}` });
}
