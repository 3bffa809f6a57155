/**
 * GET /v1/bundles/{bundleId}/metrics?services=a,b — how much 一件事 saves for the chosen services:
 * fields and materials before and after merging, what is already held, visits, and the time limit
 * of parallel review against the sum of the services' limits.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { reductionMetrics } from '#core/catalog/guide.ts';
import { BundleParams, ServicesQuery } from '#core/catalog/requests.ts';
import { selectServices } from '#core/catalog/selection.ts';

export const handler = makeHttpHandler(
  { caller: 'public', params: BundleParams, query: ServicesQuery },
  async ({ params, query }) => {
    const index = catalog();
    const bundle = index.bundle(params.bundleId);
    const services = selectServices(bundle, query.services, '/query/services');
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
  },
);
