/**
 * What a Lambda bundle gets in place of adapters/http/schemas.ts (an esbuild alias:
 * infra/lambda-bundling.ts LAMBDA_ALIASES). The schemas of the API's answers are its documentation:
 * the OpenAPI document is built from them at deploy time (and shipped beside get-openapi), and the
 * tests check every real answer against them — no handler parses with them. So a function need not
 * carry them: ~33 KiB of zod schemas, and the core models they name, per HTTP function.
 *
 * What handlers do run with is the real thing here (the query `?services=`, `component`, which only
 * names a schema for the document). Every other export stands in as a documentation-only value:
 * a route spec may hold it (`responses`, `problems`, response `headers`), and anything that tries
 * to use it — parse with it, read it — throws, naming it. schemas.lambda.test.ts keeps the exports
 * of the two files the same and checks that no route parses a request with a stand-in.
 */

/** The real query schema: the catalog routes parse `?services=` with it. */
export { ChosenServicesQuery } from './catalog-query.ts';

/** Names a schema for the OpenAPI document; in a Lambda there is no document to name it in. */
export function component<T>(_id: string, schema: T): T {
  return schema;
}

/** No components are named in a Lambda (the document is built at deploy time). */
export const components = new Map<unknown, string>();

/**
 * A documentation-only export. Holding it is fine, and so is spreading it into a route spec's
 * documentation (`...LocationHeader`: it has no properties here); reading anything of it — as zod
 * does to parse — throws with its name.
 */
function documentation(name: string): unknown {
  const fail = (): never => {
    throw new Error(
      `${name} (adapters/http/schemas.ts) documents the API and is not bundled in Lambda functions: parse with a schema of core/ or adapters/http/params.ts`,
    );
  };
  return new Proxy(Object.freeze({}), {
    get: (_, key) => (typeof key === 'symbol' ? undefined : fail()),
    set: fail,
    defineProperty: fail,
  });
}

export const AccessLogSchema = documentation('AccessLogSchema');
export const ApplicantCaseListSchema = documentation('ApplicantCaseListSchema');
export const BundleDetailSchema = documentation('BundleDetailSchema');
export const BundleListSchema = documentation('BundleListSchema');
export const COMPONENT_DESCRIPTIONS = documentation('COMPONENT_DESCRIPTIONS');
export const CaseStatusChangedEventSchema = documentation('CaseStatusChangedEventSchema');
export const CaseSubmittedSchema = documentation('CaseSubmittedSchema');
export const CaseViewSchema = documentation('CaseViewSchema');
export const FormSchema = documentation('FormSchema');
export const GuideSchema = documentation('GuideSchema');
export const HealthSchema = documentation('HealthSchema');
export const LicenseListSchema = documentation('LicenseListSchema');
export const LocationHeader = documentation('LocationHeader');
export const MaterialCreatedSchema = documentation('MaterialCreatedSchema');
export const MaterialSetCreatedSchema = documentation('MaterialSetCreatedSchema');
export const MaterialSchema = documentation('MaterialSchema');
export const MergedFormSchema = documentation('MergedFormSchema');
export const MetricsSchema = documentation('MetricsSchema');
export const OpenApiDocumentSchema = documentation('OpenApiDocumentSchema');
export const PARAMETER_DESCRIPTIONS = documentation('PARAMETER_DESCRIPTIONS');
export const PrefillSchema = documentation('PrefillSchema');
export const ProblemSchema = documentation('ProblemSchema');
export const ReductionMetricsSchema = documentation('ReductionMetricsSchema');
export const SERVICE_SELECTION_PROBLEMS = documentation('SERVICE_SELECTION_PROBLEMS');
export const SupervisionSchema = documentation('SupervisionSchema');
export const SupplementAcceptedSchema = documentation('SupplementAcceptedSchema');
export const TaskDecidedSchema = documentation('TaskDecidedSchema');
export const TaskDetailSchema = documentation('TaskDetailSchema');
export const TaskDueSoonEventSchema = documentation('TaskDueSoonEventSchema');
export const TaskListSchema = documentation('TaskListSchema');
export const TaskOpenedEventSchema = documentation('TaskOpenedEventSchema');
export const TaskOverdueEventSchema = documentation('TaskOverdueEventSchema');
export const TaskViewSchema = documentation('TaskViewSchema');
export const VerificationSchema = documentation('VerificationSchema');
export const WebhookCreatedSchema = documentation('WebhookCreatedSchema');
export const WebhookListSchema = documentation('WebhookListSchema');
export const WebhookSchema = documentation('WebhookSchema');
export const WithdrawnSchema = documentation('WithdrawnSchema');
export const webhookContracts = documentation('webhookContracts');
export const InquiryCreatedSchema = documentation('InquiryCreatedSchema');
export const InquiryListSchema = documentation('InquiryListSchema');
export const InquirySchema = documentation('InquirySchema');
export const RatingSchema = documentation('RatingSchema');
export const RectificationListSchema = documentation('RectificationListSchema');
export const RectificationSchema = documentation('RectificationSchema');
export const ScaleSchema = documentation('ScaleSchema');
