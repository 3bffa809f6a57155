/** GET /v1/health — liveness plus which city and catalog version this deployment serves. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';

export const handler = makeHttpHandler({ caller: 'public' }, async () => {
  const { city, version } = catalog().catalog;
  return { status: 200, body: { status: 'ok', city: city.id, catalogVersion: version } };
});
