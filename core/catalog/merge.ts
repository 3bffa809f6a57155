/**
 * 一表申请 and 一套材料: the chosen services' forms merged into one (each canonical field once)
 * and their materials deduplicated (each material type once). Merging is by canonical id, so it
 * is order-independent, loses nothing and duplicates nothing (property-tested).
 */
import type { CatalogIndex } from './catalog-index.ts';
import type { FormField, MaterialType, Service } from './schema.ts';

export interface MergedField {
  readonly field: FormField;
  /** Required if any chosen service requires it. */
  readonly required: boolean;
  /** The chosen services that need it, in catalog order. */
  readonly services: readonly string[];
}

export interface MergedMaterial {
  readonly material: MaterialType;
  readonly required: boolean;
  readonly services: readonly string[];
}

function mergeBy<T, R>(
  services: readonly Service[],
  items: (s: Service) => readonly T[],
  idOf: (t: T) => string,
  requiredOf: (t: T) => boolean,
  build: (id: string, required: boolean, services: string[]) => R,
  order: readonly string[],
): R[] {
  const acc = new Map<string, { required: boolean; services: Set<string> }>();
  for (const s of services) {
    for (const item of items(s)) {
      const id = idOf(item);
      const entry = acc.get(id) ?? { required: false, services: new Set<string>() };
      entry.required ||= requiredOf(item);
      entry.services.add(s.id);
      acc.set(id, entry);
    }
  }
  // Canonical order (the catalog's dictionary order), so the result does not depend on the
  // order services were chosen in.
  const rank = new Map(order.map((id, i) => [id, i]));
  const serviceOrder = (a: string, b: string) => a.localeCompare(b);
  return [...acc.entries()]
    .sort(
      ([a], [b]) =>
        (rank.get(a) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b) ?? Number.MAX_SAFE_INTEGER) ||
        a.localeCompare(b),
    )
    .map(([id, e]) => build(id, e.required, [...e.services].sort(serviceOrder)));
}

export function mergeFields(index: CatalogIndex, services: readonly Service[]): MergedField[] {
  return mergeBy(
    services,
    (s) => s.fields,
    (f) => f.fieldId,
    (f) => f.required,
    (id, required, svc) => ({ field: index.fields.get(id)!, required, services: svc }),
    index.catalog.fields.map((f) => f.id),
  );
}

export function mergeMaterials(index: CatalogIndex, services: readonly Service[]): MergedMaterial[] {
  return mergeBy(
    services,
    (s) => s.materials,
    (m) => m.typeId,
    (m) => m.required,
    (id, required, svc) => ({ material: index.materials.get(id)!, required, services: svc }),
    index.catalog.materials.map((m) => m.id),
  );
}
