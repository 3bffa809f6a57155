/** GET /v1/bundles/{bundleId}/guide?services=a,b — the one-time notice (一次告知). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { guide } from '#core/catalog/guide.ts';
import { BundleParams, ServicesQuery } from '#core/catalog/requests.ts';
import { selectServices } from '#core/catalog/selection.ts';

export const handler = makeHttpHandler(
  { caller: 'public', params: BundleParams, query: ServicesQuery },
  async ({ params, query }) => {
    const index = catalog();
    const bundle = index.bundle(params.bundleId);
    const services = selectServices(bundle, query.services, '/query/services');
    return { status: 200, body: guide(index, bundle, services) };
  },
);
