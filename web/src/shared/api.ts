/**
 * The apps' only way to the system: the public HTTP API (same origin), through the typed client
 * (client/index.ts: openapi-fetch over the types generated from the OpenAPI document).
 */
import {
  type ApiClient,
  createDepartmentClient,
  createPortalClient,
  createPublicClient,
  licenseDataOf,
  type Schemas,
} from '../../../client/index.ts';
import type { WebConfig } from './config.ts';

export type { ApiClient, Schemas };
export { licenseDataOf };

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
