/**
 * 一表申请 and 一套材料: the chosen services' forms merged into one (each canonical field once)
 * and their materials deduplicated (each material type once). Merging is by canonical id, so it
 * is order-independent, loses nothing and duplicates nothing (property-tested).
 *
 * A field or material that some service needs only on a condition (委托代理 → 授权委托书) stays
 * conditional in the merge unless another service needs it unconditionally; a material that a
 * service asks once per party (each seller) is asked per party in the merge.
 */
import type { CatalogIndex } from './catalog-index.ts';
import { mergeConditions } from './conditions.ts';
import type { Condition, FormField, MaterialType, Party, Service } from './schema.ts';

export interface MergedField {
  readonly field: FormField;
  /** Required if any chosen service requires it (only when `when` holds, if it is conditional). */
  readonly required: boolean;
  /** Asked only when one of these answers is given; absent: always asked. */
  readonly when?: readonly Condition[];
  /** The chosen services that need it, in catalog order. */
  readonly services: readonly string[];
}

export interface MergedMaterial {
  readonly material: MaterialType;
  readonly required: boolean;
  readonly when?: readonly Condition[];
  /** Asked once for each party of this kind (as many as the form counts). */
  readonly perParty?: Party;
  readonly services: readonly string[];
}

interface Ref {
  readonly required: boolean;
  readonly when?: Condition | undefined;
  readonly perParty?: string | undefined;
}

function mergeBy<T extends Ref, R>(
  services: readonly Service[],
  items: (s: Service) => readonly T[],
  idOf: (t: T) => string,
  build: (id: string, refs: readonly T[], services: string[]) => R,
  order: readonly string[],
): R[] {
  const acc = new Map<string, { refs: T[]; services: Set<string> }>();
  for (const s of services) {
    for (const item of items(s)) {
      const id = idOf(item);
      const entry = acc.get(id) ?? { refs: [], services: new Set<string>() };
      entry.refs.push(item);
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
    .map(([id, e]) => build(id, e.refs, [...e.services].sort(serviceOrder)));
}

const conditional = (refs: readonly Ref[]) => {
  const when = mergeConditions(refs);
  return when ? { when } : {};
};

export function mergeFields(index: CatalogIndex, services: readonly Service[]): MergedField[] {
  return mergeBy(
    services,
    (s) => s.fields,
    (f) => f.fieldId,
    (id, refs, svc) => ({
      field: index.fields.get(id)!,
      required: refs.some((r) => r.required),
      ...conditional(refs),
      services: svc,
    }),
    index.catalog.fields.map((f) => f.id),
  );
}

export function mergeMaterials(index: CatalogIndex, services: readonly Service[]): MergedMaterial[] {
  const parties = new Map(index.catalog.parties.map((p) => [p.id, p]));
  return mergeBy(
    services,
    (s) => s.materials,
    (m) => m.typeId,
    (id, refs, svc) => {
      // The catalog check makes every per-party reference to one type name the same party.
      const party = refs.find((r) => r.perParty !== undefined)?.perParty;
      return {
        material: index.materials.get(id)!,
        required: refs.some((r) => r.required),
        ...conditional(refs),
        ...(party !== undefined && parties.has(party) ? { perParty: parties.get(party)! } : {}),
        services: svc,
      };
    },
    index.catalog.materials.map((m) => m.id),
  );
}
