/**
 * The mark of a catalog file validated and normalised at deployment (infra writes it beside every
 * Lambda bundle: the core's schema applied, its defaults filled in). Lambda bundles trust a file
 * with this mark as it is (adapters/catalog/catalog-parse.lambda.ts) and refuse one without it.
 */
export const VALIDATED_MARK = 'yijianshi-catalog/validated/1';

export const isValidatedCatalog = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && (raw as { $validated?: unknown }).$validated === VALIDATED_MARK;
