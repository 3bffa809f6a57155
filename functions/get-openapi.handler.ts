/**
 * GET /v1/openapi.json — the OpenAPI 3.1 document of this API, generated from the route table and
 * the zod contract (core/api/contract.ts). Built once per container; only `servers` follows the
 * URL the caller used. The bundle carries the contract's schemas, not the use cases or SDK clients.
 */
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '#core/api/openapi.ts';
import { httpRoutes } from '#functions/routes.ts';

let document: OpenApiDocument | undefined;

export const handler = makeHttpHandler({ caller: 'public' }, async ({ baseUrl }) => {
  document ??= buildOpenApiDocument(httpRoutes);
  return {
    status: 200,
    body: { ...document, servers: [{ url: baseUrl, description: 'This deployment' }] },
    headers: { 'cache-control': 'public, max-age=300' },
  };
});
