/** GET /v1/bundles/{bundleId} — one bundle with its services in full. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { BundleParams } from '#core/catalog/requests.ts';
import { bundleDetail } from '#core/catalog/views.ts';

export const handler = makeHttpHandler({ caller: 'public', params: BundleParams }, async ({ params }) => {
  const index = catalog();
  return { status: 200, body: bundleDetail(index, index.bundle(params.bundleId)) };
});
