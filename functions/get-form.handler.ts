/** GET /v1/bundles/{bundleId}/form?services=a,b — ONE merged form as JSON Schema (一表申请). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { formJsonSchema } from '#core/catalog/form.ts';
import { mergeFields } from '#core/catalog/merge.ts';
import { BundleParams, ServicesQuery } from '#core/catalog/requests.ts';
import { selectServices } from '#core/catalog/selection.ts';

export const handler = makeHttpHandler(
  { caller: 'public', params: BundleParams, query: ServicesQuery },
  async ({ params, query }) => {
    const index = catalog();
    const bundle = index.bundle(params.bundleId);
    const services = selectServices(bundle, query.services, '/query/services');
    const fields = mergeFields(index, services);
    return {
      status: 200,
      body: {
        bundleId: bundle.id,
        services: services.map((s) => s.id),
        catalogVersion: index.catalog.version,
        schema: formJsonSchema(bundle.name, fields),
      },
    };
  },
);
