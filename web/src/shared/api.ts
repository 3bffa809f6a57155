/**
 * The apps' only way to the system: the public HTTP API (same origin), through the typed client
 * (client/index.ts: openapi-fetch over the types generated from the OpenAPI document).
 */
import {
  type ApiClient,
  createDepartmentClient,
  createPortalClient,
  createPublicClient,
} from '../../../client/index.ts';
import type { WebConfig } from './config.ts';

export type { ApiClient };

export interface Problem {
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly path: string; readonly code: string; readonly message: string }[];
}

const baseUrl = (config: WebConfig) => config.apiBase || location.origin;

export const publicApi = (config: WebConfig): ApiClient => createPublicClient({ baseUrl: baseUrl(config) });

/** The web portal's key, and the signed-in applicant's token for the applicant-scoped routes. */
export const portalApi = (config: WebConfig, token?: string): ApiClient =>
  createPortalClient({ baseUrl: baseUrl(config), apiKey: config.portalKey, ...(token ? { token } : {}) });

export const departmentApi = (config: WebConfig, token: string): ApiClient =>
  createDepartmentClient({ baseUrl: baseUrl(config), token });

/** A problem's one-line message (its detail, else its title). */
export function describe(problem: unknown): string {
  const p = (problem ?? {}) as Problem;
  return p.detail ?? p.title ?? '请求失败';
}

/** Whether the API's OpenAPI document has a route (features other parts of the system add over time). */
export async function hasRoute(config: WebConfig, method: string, path: string): Promise<boolean> {
  const r = await fetch(`${baseUrl(config)}/v1/openapi.json`);
  if (!r.ok) return false;
  const doc = (await r.json()) as { paths?: Record<string, Record<string, unknown>> };
  return Boolean(doc.paths?.[path]?.[method.toLowerCase()]);
}

/** A route not (yet) in the typed client: plain fetch, same credentials. */
export async function getJson<T>(
  config: WebConfig,
  path: string,
  headers: Record<string, string>,
): Promise<{ ok: boolean; status: number; body: T }> {
  const r = await fetch(`${baseUrl(config)}${path}`, { headers: { accept: 'application/json', ...headers } });
  return { ok: r.ok, status: r.status, body: (await r.json()) as T };
}

/** POST to a route not (yet) in the typed client. */
export async function postJson<T>(
  config: WebConfig,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ ok: boolean; status: number; body: T }> {
  const r = await fetch(`${baseUrl(config)}${path}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { ok: r.ok, status: r.status, body: (text ? JSON.parse(text) : {}) as T };
}
