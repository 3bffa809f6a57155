/** GET /v1/bundles/{bundleId}/form?services=a,b — ONE merged form as JSON Schema (一表申请). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CATALOG_CACHE, defineRoute } from '#adapters/http/route.ts';
import { ChosenServicesQuery, FormSchema, SERVICE_SELECTION_PROBLEMS } from '#adapters/http/schemas.ts';
import { formJsonSchema } from '#core/catalog/form.ts';
import { mergeFields } from '#core/catalog/merge.ts';
import { BundleParams } from '#core/catalog/requests.ts';
import { chosenServices } from '#core/catalog/selection.ts';

export const route = defineRoute({
  name: 'get-form',
  method: 'GET',
  path: '/v1/bundles/{bundleId}/form',
  caller: 'public',
  cache: CATALOG_CACHE,
  summary: 'The ONE merged form (一表申请) for the chosen services, as JSON Schema',
  description:
    'The one form (一表申请) for the chosen services, as a JSON Schema (draft 2020-12): each field shared by several services appears once, with its label, its checks, the services that need it, whether the government already holds it (x-prefill), and examples whose first value is valid. A portal renders and checks its form from this schema alone; POST /v1/cases checks the values against the same schema.',
  tags: ['Catalog'],
  params: BundleParams,
  query: ChosenServicesQuery,
  responses: { 200: { description: 'The merged form.', schema: FormSchema } },
  problems: SERVICE_SELECTION_PROBLEMS,
});

export const handler = httpHandler(route)(async ({ params, query }) => {
  const index = catalog();
  const { bundle, services } = chosenServices(index, params.bundleId, query.services);
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
});
