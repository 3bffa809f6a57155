/**
 * GET /v1/openapi.json — the OpenAPI 3.1 document of this API. It is built from the route specs
 * when the stack is deployed (or `npm start` starts) and shipped beside this function
 * (OPENAPI_FILE), so the bundle carries no schema; only `servers` follows the URL the caller used.
 */
import { readFileSync } from 'node:fs';
import type * as z from 'zod/mini';
import { edgeConfig } from '#adapters/config.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CATALOG_CACHE, defineRoute } from '#adapters/http/route.ts';
import { OpenApiDocumentSchema } from '#adapters/http/schemas.ts';

export const route = defineRoute({
  name: 'get-openapi',
  method: 'GET',
  path: '/v1/openapi.json',
  caller: 'public',
  cache: CATALOG_CACHE,
  summary: 'This OpenAPI 3.1 document, generated from the zod schemas the API runs on',
  description:
    'This document: OpenAPI 3.1, generated at deploy time from the route specs and the zod schemas the handlers parse with, so it cannot drift from what the API accepts and answers. `servers[0]` is the URL it was fetched from.',
  tags: ['Meta'],
  responses: { 200: { description: 'The document.', schema: OpenApiDocumentSchema } },
});

type Document = z.input<typeof OpenApiDocumentSchema>;
let document: Document | undefined;

export const handler = httpHandler(route)(async ({ baseUrl }) => {
  document ??= JSON.parse(readFileSync(edgeConfig().OPENAPI_FILE, 'utf8')) as Document;
  return {
    status: 200,
    body: { ...document, servers: [{ url: baseUrl, description: 'This deployment' }] },
    headers: { 'cache-control': 'public, max-age=300' },
  };
});
