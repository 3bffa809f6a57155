/**
 * GET /v1/statistics as a use case: the KPIs of one cell (the city, a bundle, a department, a
 * place, or a bundle × department) over a period, and — when nothing narrows it — the same per
 * bundle, department and place. Reads counters only (never cases).
 *
 * 1. The period: `from`/`to` China dates, by default the last 30 days; at most 366 days.
 * 2. Who sees what: the supervisor (电子监察) every cell; any other department only its own — its
 *    statistics by default, another department's refused (403).
 * 3. The filter picks the cell: none, one of bundleId / departmentId / placeId, or bundleId with
 *    departmentId; an unknown id or another combination is a 422 listing every problem.
 * 4. The cell's counters summed over the period's days → KPIs; the breakdown lists only the cells
 *    that counted anything in the period (a department's: of the bundles it can count in).
 */
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { SUPERVISOR_ID } from '../credentials/tokens.ts';
import type { PlaceIndex } from '../places/places.ts';
import { ForbiddenError, type Problem, ValidationError } from '../shared/errors.ts';
import { bundleDepartment, bundlesOfDepartment, type Cell, type Counters } from './counters.ts';
import { type Kpis, kpisOf, type Period, periodOf } from './kpis.ts';

export interface StatisticsDeps {
  readonly catalog: CatalogIndex;
  readonly places: PlaceIndex;
  /** The summed counters of one cell over a period. */
  counters(cell: Cell, period: Period): Promise<Counters>;
  now(): Date;
}

export interface StatisticsQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly bundleId?: string | undefined;
  readonly departmentId?: string | undefined;
  readonly placeId?: string | undefined;
}

export type StatisticsReport = Kpis & {
  readonly from: string;
  readonly to: string;
  readonly filter: { bundleId?: string; departmentId?: string; placeId?: string };
  readonly byBundle?: (Kpis & { bundleId: string; bundleName: string })[];
  readonly byDepartment?: (Kpis & { departmentId: string; departmentName: string })[];
  readonly byPlace?: (Kpis & { placeId: string; placeName: string })[];
};

/** How many cells are read at once for a breakdown. */
const CONCURRENCY = 16;

export async function statisticsReport(
  deps: StatisticsDeps,
  viewer: { readonly departmentId: string },
  query: StatisticsQuery,
): Promise<StatisticsReport> {
  const period = periodOf(query, deps.now());
  const supervisor = viewer.departmentId === SUPERVISOR_ID;
  if (!supervisor && query.departmentId && query.departmentId !== viewer.departmentId)
    throw new ForbiddenError(
      'A department sees its own statistics only; the supervisor sees every department’s.',
    );
  const filter = {
    ...(query.bundleId ? { bundleId: query.bundleId } : {}),
    ...(query.departmentId || !supervisor ? { departmentId: query.departmentId ?? viewer.departmentId } : {}),
    ...(query.placeId ? { placeId: query.placeId } : {}),
  };
  const cell = cellOf(deps, filter);
  const totals = kpisOf(await deps.counters(cell, period));
  const base = { from: period.from, to: period.to, filter, ...totals };
  const read = async <T extends object>(cells: readonly (readonly [Cell, T])[]) =>
    (
      await mapLimited(cells, async ([c, label]) => ({ ...label, ...kpisOf(await deps.counters(c, period)) }))
    ).filter((k) => k.cases > 0 || k.finals > 0);
  const bundles = [...deps.catalog.bundles.values()];
  if (cell.dimension === 'all')
    return {
      ...base,
      byBundle: await read(
        bundles.map((b) => [
          { dimension: 'bundle', value: b.id },
          { bundleId: b.id, bundleName: b.name },
        ]),
      ),
      byDepartment: await read(
        [...deps.catalog.departments.values()].map((d) => [
          { dimension: 'department', value: d.id },
          { departmentId: d.id, departmentName: d.name },
        ]),
      ),
      byPlace: await read(
        deps.places.places.map((p) => [
          { dimension: 'place', value: p.id },
          { placeId: p.id, placeName: p.name },
        ]),
      ),
    };
  if (cell.dimension === 'department') {
    // Only the bundles it can count in (counters.ts departmentsOfBundle): no other has its counters.
    const its = new Set(bundlesOfDepartment(cell.value, deps));
    return {
      ...base,
      byBundle: await read(
        bundles
          .filter((b) => its.has(b.id))
          .map((b) => [
            { dimension: 'bundle-department', value: bundleDepartment(b.id, cell.value) },
            { bundleId: b.id, bundleName: b.name },
          ]),
      ),
    };
  }
  return base;
}

function cellOf(
  deps: StatisticsDeps,
  f: { bundleId?: string; departmentId?: string; placeId?: string },
): Cell {
  const problems: Problem[] = [];
  if (f.bundleId && !deps.catalog.bundles.has(f.bundleId))
    problems.push({
      path: '/query/bundleId',
      code: 'unknown_bundle',
      message: `There is no bundle "${f.bundleId}".`,
    });
  if (f.departmentId && !deps.catalog.departments.has(f.departmentId))
    problems.push({
      path: '/query/departmentId',
      code: 'unknown_department',
      message: `There is no department "${f.departmentId}".`,
    });
  if (f.placeId && !deps.places.place(f.placeId))
    problems.push({
      path: '/query/placeId',
      code: 'unknown_place',
      message: `There is no place "${f.placeId}".`,
    });
  if (f.placeId && (f.bundleId || f.departmentId))
    problems.push({
      path: '/query/placeId',
      code: 'unsupported_filter',
      message: 'placeId narrows on its own: it does not combine with bundleId or departmentId.',
    });
  if (problems.length) throw new ValidationError(problems);
  if (f.bundleId && f.departmentId)
    return { dimension: 'bundle-department', value: bundleDepartment(f.bundleId, f.departmentId) };
  if (f.bundleId) return { dimension: 'bundle', value: f.bundleId };
  if (f.departmentId) return { dimension: 'department', value: f.departmentId };
  if (f.placeId) return { dimension: 'place', value: f.placeId };
  return { dimension: 'all', value: '*' };
}

async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}
