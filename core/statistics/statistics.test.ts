import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { SUPERVISOR_ID } from '../credentials/tokens.ts';
import { cityOnly, indexPlaces } from '../places/places.ts';
import { ForbiddenError, ValidationError } from '../shared/errors.ts';
import type { Cell, Counters } from './counters.ts';
import type { Period } from './kpis.ts';
import { type StatisticsQuery, statisticsReport } from './statistics.ts';

const catalog = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const places = indexPlaces(cityOnly(catalog.catalog));

/** Counters by cell key; every read recorded. */
function store(cells: Record<string, Counters>) {
  const reads: string[] = [];
  return {
    reads,
    deps: {
      catalog,
      places,
      now: () => new Date('2026-12-01T04:00:00.000Z'),
      async counters(cell: Cell, period: Period) {
        const key = `${cell.dimension}:${cell.value}`;
        reads.push(`${key} ${period.from}..${period.to}`);
        return cells[key] ?? {};
      },
    },
  };
}

const SUPERVISOR = { departmentId: SUPERVISOR_ID };
const issuedOnce: Counters = { submitted: 1, finals: 1, issued: 1, issuedFirstTime: 1, decided: 1 };

describe('GET /v1/statistics as a use case', () => {
  it('gives the supervisor the city and a breakdown of the cells that counted anything', async () => {
    const s = store({
      'all:*': issuedOnce,
      'bundle:newborn': issuedOnce,
      'department:public-security': issuedOnce,
      'place:changzhou': issuedOnce,
    });
    const r = await statisticsReport(s.deps, SUPERVISOR, {});
    expect(r).toMatchObject({ from: '2026-11-02', to: '2026-12-01', filter: {}, cases: 1, issued: 1 });
    expect(r.firstTimeSuccessRate).toBe(1);
    expect(r.byBundle?.map((b) => b.bundleId)).toEqual(['newborn']);
    expect(r.byDepartment?.map((b) => [b.departmentId, b.departmentName])).toEqual([
      ['public-security', catalog.department('public-security').name],
    ]);
    expect(r.byPlace?.map((b) => b.placeId)).toEqual(['changzhou']);
  });

  it('narrows to one cell without a breakdown, or to a bundle × department', async () => {
    const s = store({ 'bundle-department:newborn/public-security': issuedOnce });
    const q = (query: StatisticsQuery) => statisticsReport(s.deps, SUPERVISOR, query);
    expect((await q({ bundleId: 'newborn', departmentId: 'public-security' })).issued).toBe(1);
    const byBundle = await q({ bundleId: 'newborn' });
    expect(byBundle.byBundle).toBeUndefined();
    expect(byBundle.byDepartment).toBeUndefined();
    expect(s.reads).toEqual([
      'bundle-department:newborn/public-security 2026-11-02..2026-12-01',
      'bundle:newborn 2026-11-02..2026-12-01',
    ]);
  });

  it('shows any other department only its own cases, by bundle', async () => {
    const s = store({
      'department:public-security': issuedOnce,
      'bundle-department:newborn/public-security': issuedOnce,
    });
    const own = await statisticsReport(s.deps, { departmentId: 'public-security' }, {});
    expect(own.filter).toEqual({ departmentId: 'public-security' });
    expect(own.issued).toBe(1);
    expect(own.byBundle?.map((b) => b.bundleId)).toEqual(['newborn']);
    expect(own.byDepartment).toBeUndefined();
    // Its breakdown reads only the bundles it works in.
    const byBundle = s.reads.filter((r) => r.startsWith('bundle-department:'));
    expect(byBundle).toContain('bundle-department:newborn/public-security 2026-11-02..2026-12-01');
    expect(byBundle.some((r) => r.startsWith('bundle-department:enterprise-real-estate-registration/'))).toBe(
      false,
    );
    expect(byBundle.length).toBeLessThan(catalog.bundles.size);
    await expect(
      statisticsReport(s.deps, { departmentId: 'public-security' }, { departmentId: 'market-regulation' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses unknown ids and placeId combined with another filter, every problem at once', async () => {
    const s = store({});
    const err = await statisticsReport(s.deps, SUPERVISOR, {
      bundleId: 'nope',
      placeId: 'atlantis',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.code)).toEqual([
      'unknown_bundle',
      'unknown_place',
      'unsupported_filter',
    ]);
    expect(s.reads).toEqual([]);
  });
});
