/** GET /v1/bundles — the published list of bundles (一张清单) of this city. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { bundleSummary } from '#core/catalog/views.ts';

export const handler = makeHttpHandler({ caller: 'public' }, async () => {
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
