/**
 * Reads a city's catalog with the core's zod schema (defaults filled in): how the local stack, the
 * scripts and the deployment read a catalog file. Lambda bundles get catalog-parse.lambda.ts instead
 * (infra/lambda-bundling.ts): the file beside them is the one validated here at deployment
 * (`validatedCatalogJson`), and they read it without carrying the schema.
 */
import { type Catalog, CatalogSchema } from '#core/catalog/schema.ts';
import { VALIDATED_MARK } from './validated.ts';

export function parseCatalog(raw: unknown, file: string): Catalog {
  // A validated file's mark is not part of the catalog: the schema's objects drop unknown keys.
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 20)
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `Catalog ${file} is invalid (${parsed.error.issues.length} problems):\n${lines.join('\n')}`,
    );
  }
  return parsed.data;
}

/** The catalog file as deployed beside each Lambda bundle: validated, normalised, marked. */
export function validatedCatalogJson(raw: unknown, file: string): string {
  return `${JSON.stringify({ $validated: VALIDATED_MARK, ...parseCatalog(raw, file) })}\n`;
}
