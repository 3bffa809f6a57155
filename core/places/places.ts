/**
 * 通办 — "通办地受理、归属地审批": a case may be accepted at any of the city's places (the city, its
 * districts and county-level cities, the development zone) and is decided by the competent place —
 * the premises' or applicant's jurisdiction, or a bundle's fixed competent place (a district's local
 * exploration, 常州海事局 for ships). Places are city data (cities/<city>/places.json), validated
 * here; a city without the file has one place, itself.
 *
 * A place's departments: a district has counterparts of some city departments — "<place>-<dept>",
 * e.g. jintan-market-regulation (金坛区市场监管局) — and a department without a counterpart there is
 * the city's. Task ids and inboxes follow the department id, so a department sees only its place's tasks.
 */
import * as z from 'zod/mini';
import type { Bundle, Catalog, Department } from '../catalog/schema.ts';
import { lazily } from '../shared/lazily.ts';

/**
 * The schemas of places.json, built at their first use rather than at import (issue #14, init
 * time): nearly every function imports this module (the place index, via the catalog adapter), few
 * parse the file, and those once, at the first request that needs places; its ~38 zod instances
 * were the first zod work of 43 bundles' init.
 */
function buildSchemas() {
  const slug = z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by "-"'));

  const PlaceSchema = z.object({
    id: slug,
    name: z.string().check(z.minLength(1)),
    kind: z.enum(['city', 'district', 'county-city', 'development-zone', 'authority']),
    /** GB/T 2260 administrative division code (the development zone uses its parent's). */
    divisionCode: z.string().check(z.regex(/^\d{6}$/)),
    /** Other names an address may use for the place (e.g. "金坛"). */
    aliases: z._default(z.array(z.string().check(z.minLength(1))), []),
    /** City departments with a counterpart here: "<place id>-<department id>". */
    counterparts: z._default(z.array(slug), []),
    /** Departments that are this place's as they are named (an authority's own department). */
    departments: z._default(z.array(slug), []),
  });

  /** How a bundle's competent place is found: fixed, or from a form field naming the place (an address). */
  const JurisdictionSchema = z.union([
    z.object({ decidedAt: slug, reason: z.optional(z.string()) }),
    z.object({ jurisdictionField: z.string().check(z.minLength(1)), reason: z.optional(z.string()) }),
  ]);

  const PlacesFileSchema = z.object({
    schemaVersion: z.literal(1),
    city: slug,
    places: z.array(PlaceSchema).check(z.minLength(1)),
    bundles: z._default(z.record(z.string(), JurisdictionSchema), {}),
  });
  return { PlaceSchema, JurisdictionSchema, PlacesFileSchema };
}
type Schemas = ReturnType<typeof buildSchemas>;
const schemas = lazily(buildSchemas);

/** The schema of cities/<city>/places.json. */
export const placesFileSchema = (): Schemas['PlacesFileSchema'] => schemas().PlacesFileSchema;
export type Place = z.infer<Schemas['PlaceSchema']>;
/** How a bundle's competent place is found: fixed, or from a form field naming the place (an address). */
export type Jurisdiction = z.infer<Schemas['JurisdictionSchema']>;
export type PlacesFile = z.infer<Schemas['PlacesFileSchema']>;

export interface PlaceIndex {
  readonly city: Place;
  readonly places: readonly Place[];
  place(id: string): Place | undefined;
  /** The department of `departmentId`'s service at `placeId`: the place's counterpart, else as named. */
  departmentAt(placeId: string, departmentId: string): string;
  /** The place a department belongs to (the city for city departments). */
  placeOfDepartment(departmentId: string): string;
  /** Where a case of `bundle` with this form is decided. */
  decidedAt(bundle: Bundle, form: Readonly<Record<string, unknown>>): string;
  /** The place departments to add beside the catalog's (names derived from the city department's). */
  departments(catalogDepartments: readonly Department[]): Department[];
}

/** The places file checked against the catalog: every problem at once. */
export function checkPlaces(file: PlacesFile, catalog: Catalog): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const departments = new Set(catalog.departments.map((d) => d.id));
  if (file.city !== catalog.city.id)
    problems.push(`places are for "${file.city}", the catalog is "${catalog.city.id}"`);
  if (file.places.filter((p) => p.kind === 'city').length !== 1)
    problems.push('exactly one place of kind "city"');
  for (const p of file.places) {
    if (ids.has(p.id)) problems.push(`duplicate place "${p.id}"`);
    ids.add(p.id);
    for (const d of [...p.counterparts, ...p.departments])
      if (!departments.has(d)) problems.push(`${p.id}: unknown department "${d}"`);
  }
  for (const [bundleId, j] of Object.entries(file.bundles)) {
    const bundle = catalog.bundles.find((b) => b.id === bundleId);
    if (!bundle) problems.push(`unknown bundle "${bundleId}"`);
    if ('decidedAt' in j && !ids.has(j.decidedAt))
      problems.push(`${bundleId}: unknown place "${j.decidedAt}"`);
    if ('jurisdictionField' in j && !catalog.fields.some((f) => f.id === j.jurisdictionField))
      problems.push(`${bundleId}: unknown field "${j.jurisdictionField}"`);
  }
  return problems;
}

/** A city with no places file: one place, the city itself. */
export function cityOnly(catalog: Pick<Catalog, 'city'>): PlacesFile {
  return {
    schemaVersion: 1,
    city: catalog.city.id,
    places: [
      {
        id: catalog.city.id,
        name: catalog.city.name,
        kind: 'city',
        divisionCode: '000000',
        aliases: [],
        counterparts: [],
        departments: [],
      },
    ],
    bundles: {},
  };
}

export function indexPlaces(file: PlacesFile): PlaceIndex {
  const byId = new Map(file.places.map((p) => [p.id, p]));
  const city = file.places.find((p) => p.kind === 'city')!;
  const local = file.places.filter((p) => p.kind !== 'city' && p.kind !== 'authority');
  const owner = new Map<string, string>();
  for (const p of file.places) {
    for (const d of p.departments) owner.set(d, p.id);
    for (const d of p.counterparts) owner.set(`${p.id}-${d}`, p.id);
  }
  const placeOfDepartment = (departmentId: string) =>
    owner.get(departmentId) ?? local.find((p) => departmentId.startsWith(`${p.id}-`))?.id ?? city.id;
  return {
    city,
    places: file.places,
    place: (id) => byId.get(id),
    placeOfDepartment,
    departmentAt(placeId, departmentId) {
      const place = byId.get(placeId);
      // A department already of a place (金坛区科技局 in a 金坛 bundle) stays as the catalog names it.
      if (!place || placeOfDepartment(departmentId) !== city.id) return departmentId;
      return place.counterparts.includes(departmentId) ? `${place.id}-${departmentId}` : departmentId;
    },
    decidedAt(bundle, form) {
      const rule = file.bundles[bundle.id];
      if (!rule) return city.id;
      if ('decidedAt' in rule) return rule.decidedAt;
      const value = form[rule.jurisdictionField];
      if (typeof value !== 'string') return city.id;
      const named = local.find((p) => [p.name, ...p.aliases].some((n) => value.includes(n)));
      return named?.id ?? city.id;
    },
    departments(catalogDepartments) {
      const known = new Map(catalogDepartments.map((d) => [d.id, d]));
      const out: Department[] = [];
      for (const p of local)
        for (const base of p.counterparts) {
          const id = `${p.id}-${base}`;
          const cityName = known.get(base)?.name ?? base;
          if (!known.has(id)) out.push({ id, name: cityName.replace(/^(常州市|常州|市)/, p.name) });
        }
      return out;
    },
  };
}
