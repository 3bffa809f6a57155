/** GET /v1/bundles/{bundleId}/guide?services=a,b — the one-time notice (一次告知). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CATALOG_CACHE, defineRoute } from '#adapters/http/route.ts';
import { ChosenServicesQuery, GuideSchema, SERVICE_SELECTION_PROBLEMS } from '#adapters/http/schemas.ts';
import { guide } from '#core/catalog/guide.ts';
import { BundleParams } from '#core/catalog/requests.ts';
import { chosenServices } from '#core/catalog/selection.ts';

export const route = defineRoute({
  name: 'get-guide',
  method: 'GET',
  path: '/v1/bundles/{bundleId}/guide',
  caller: 'public',
  cache: CATALOG_CACHE,
  summary: 'The one complete notice (一次告知) for the chosen services',
  description:
    'Legal basis, conditions, the deduplicated materials — and what is not asked because the government already holds it — fees, results, time limits and the ordered steps.',
  tags: ['Catalog'],
  params: BundleParams,
  query: ChosenServicesQuery,
  responses: { 200: { description: 'The notice.', schema: GuideSchema } },
  problems: SERVICE_SELECTION_PROBLEMS,
});

export const handler = httpHandler(route)(async ({ params, query }) => {
  const index = catalog();
  const { bundle, services } = chosenServices(index, params.bundleId, query.services);
  return { status: 200, body: guide(index, bundle, services) };
});
