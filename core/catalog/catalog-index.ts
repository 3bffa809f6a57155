/** A validated catalog with lookups by id, built once per container. */
import { NotFoundError } from '../shared/errors.ts';
import type { Bundle, Catalog, Department, FormField, MaterialType } from './schema.ts';

export interface CatalogIndex {
  readonly catalog: Catalog;
  readonly departments: ReadonlyMap<string, Department>;
  readonly fields: ReadonlyMap<string, FormField>;
  readonly materials: ReadonlyMap<string, MaterialType>;
  readonly bundles: ReadonlyMap<string, Bundle>;
  bundle(id: string): Bundle;
  department(id: string): Department;
}

export function indexCatalog(catalog: Catalog): CatalogIndex {
  const departments = new Map(catalog.departments.map((d) => [d.id, d]));
  const bundles = new Map(catalog.bundles.map((b) => [b.id, b]));
  return {
    catalog,
    departments,
    fields: new Map(catalog.fields.map((f) => [f.id, f])),
    materials: new Map(catalog.materials.map((m) => [m.id, m])),
    bundles,
    bundle(id) {
      const b = bundles.get(id);
      if (!b) throw new NotFoundError(`There is no bundle "${id}" in this city's catalog.`);
      return b;
    },
    department(id) {
      const d = departments.get(id);
      if (!d) throw new NotFoundError(`There is no department "${id}" in this city's catalog.`);
      return d;
    },
  };
}
