/**
 * What a Lambda bundle reads its catalog with (aliased for adapters/catalog/catalog-parse.ts by
 * infra/lambda-bundling.ts): the file beside the bundle was validated and normalised by the core's
 * schema at deployment and carries the mark saying so, so it is taken as it is — the schema stays
 * out of the bundle and the first request does not parse the catalog again. A file without the
 * mark (a raw catalog, copied by hand) is refused: nothing unvalidated is trusted.
 */
import type { Catalog } from '#core/catalog/schema.ts';
import { isValidatedCatalog } from './validated.ts';

export function parseCatalog(raw: unknown, file: string): Catalog {
  if (!isValidatedCatalog(raw))
    throw new Error(
      `Catalog ${file} was not validated at deployment (no "$validated" mark): a Lambda reads only the catalog its stack wrote beside it.`,
    );
  return raw as Catalog;
}
