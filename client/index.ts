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

/** What a license document's data block holds (core/licenses/document.ts LicenseData). */
export interface LicenseDocumentData {
  readonly licenseId: string;
  /** 核验码, `XXXX-XXXX`: verification needs it beside the license id. */
  readonly verificationCode: string;
  readonly caseId: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly result: {
    readonly kind: string;
    readonly name: string;
    readonly data?: readonly { readonly field: string; readonly title: string; readonly value: string }[];
  };
  readonly holder: {
    readonly kind: string;
    readonly name: string;
    readonly identifierType: string;
    readonly identifier: string;
  };
  readonly issuer: { readonly departmentId: string; readonly name: string };
  readonly issuedAt: string;
  readonly catalogVersion: string;
}

/**
 * The data a license document carries (GET /v1/cases/{caseId}/licenses `downloadUrl`): the JSON
 * of its data block, `<script type="application/json" id="license-data">` — the license id, the
 * verification code (核验码) printed on it, holder, issuer, results — as the signature covers it.
 * Undefined when the document has none (not a license, or altered). Pure string work: runs in a
 * browser and in Node alike.
 */
export function licenseDataOf(document: string): LicenseDocumentData | undefined {
  const open = '<script type="application/json" id="license-data">';
  const start = document.indexOf(open);
  const end = start < 0 ? -1 : document.indexOf('</script>', start + open.length);
  if (end < 0) return undefined;
  try {
    return JSON.parse(document.slice(start + open.length, end)) as LicenseDocumentData;
  } catch {
    return undefined;
  }
}
