/**
 * GET /v1/bundles/{bundleId}/metrics?services=a,b — how much 一件事 saves for the chosen services:
 * fields and materials before and after merging, what is already held, visits, and the time limit
 * of parallel review against the sum of the services' limits.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { ChosenServicesQuery, MetricsSchema, SERVICE_SELECTION_PROBLEMS } from '#adapters/http/schemas.ts';
import { reductionMetrics } from '#core/catalog/guide.ts';
import { BundleParams } from '#core/catalog/requests.ts';
import { chosenServices } from '#core/catalog/selection.ts';

export const route = defineRoute({
  name: 'get-metrics',
  method: 'GET',
  path: '/v1/bundles/{bundleId}/metrics',
  caller: 'public',
  summary: 'How much the bundle saves for the chosen services (fields, materials, visits, days)',
  description:
    'The reduction this bundle brings for the chosen services (一件事 measures itself): fields and materials before and after merging, how many the government already holds, visits, and working days in parallel against one after another.',
  tags: ['Catalog'],
  params: BundleParams,
  query: ChosenServicesQuery,
  responses: { 200: { description: 'The reduction metrics.', schema: MetricsSchema } },
  problems: SERVICE_SELECTION_PROBLEMS,
});

export const handler = httpHandler(route)(async ({ params, query }) => {
  const index = catalog();
  const { bundle, services } = chosenServices(index, params.bundleId, query.services);
  return {
    status: 200,
    body: {
      bundleId: bundle.id,
      services: services.map((s) => s.id),
      catalogVersion: index.catalog.version,
      metrics: reductionMetrics(index, services),
    },
    headers: { 'cache-control': 'public, max-age=300' },
  };
});
