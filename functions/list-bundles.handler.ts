/** GET /v1/bundles — the published list of bundles (一张清单) of this city. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CATALOG_CACHE, defineRoute } from '#adapters/http/route.ts';
import { BundleListSchema } from '#adapters/http/schemas.ts';
import { bundleSummary } from '#core/catalog/views.ts';

export const route = defineRoute({
  name: 'list-bundles',
  method: 'GET',
  path: '/v1/bundles',
  caller: 'public',
  cache: CATALOG_CACHE,
  summary: 'The published list of bundles (一张清单)',
  description:
    'Every published bundle (一件事) of the city — its lead and cooperating departments, services and time limit — with the catalog version. Public: no credentials.',
  tags: ['Catalog'],
  responses: { 200: { description: 'Every bundle of this city.', schema: BundleListSchema } },
});

export const handler = httpHandler(route)(async () => {
  const index = catalog();
  return {
    status: 200,
    body: {
      city: index.catalog.city,
      catalogVersion: index.catalog.version,
      items: index.catalog.bundles.map((b) => bundleSummary(index, b)),
    },
    headers: { 'cache-control': 'public, max-age=300' },
  };
});
