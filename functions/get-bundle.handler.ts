/** GET /v1/bundles/{bundleId} — one bundle with its services in full. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CATALOG_CACHE, defineRoute } from '#adapters/http/route.ts';
import { BundleDetailSchema } from '#adapters/http/schemas.ts';
import { BundleParams } from '#core/catalog/requests.ts';
import { bundleDetail } from '#core/catalog/views.ts';

export const route = defineRoute({
  name: 'get-bundle',
  method: 'GET',
  path: '/v1/bundles/{bundleId}',
  caller: 'public',
  cache: CATALOG_CACHE,
  summary: 'One bundle with its services in full',
  description:
    'A bundle (一件事) of the city’s list as its catalog publishes it: every service with its department, legal basis, conditions, time limits, fees, result, fields and materials, the bundle’s rules (which services go together or in order), and how much applying once saves.',
  tags: ['Catalog'],
  params: BundleParams,
  responses: { 200: { description: 'The bundle.', schema: BundleDetailSchema } },
  problems: { 404: 'There is no such bundle in this city’s catalog.' },
});

export const handler = httpHandler(route)(async ({ params }) => {
  const index = catalog();
  return { status: 200, body: bundleDetail(index, index.bundle(params.bundleId)) };
});
