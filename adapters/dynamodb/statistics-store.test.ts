/**
 * The statistics layout, without a database: which items a write adds to, and that reading every
 * cell from those items gives exactly what one item per cell gave (the layout before this one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  attributesOf,
  COUNTER_CODES,
  counterItems,
  countersIn,
  departmentCode,
  sourcesOf,
  statisticsKeys,
} from '#adapters/dynamodb/statistics-store.ts';
import type { CaseRecord } from '#core/case/model.ts';
import { indexCatalog } from '#core/catalog/catalog-index.ts';
import { CatalogSchema } from '#core/catalog/schema.ts';
import type { RatingRecord } from '#core/evaluation/model.ts';
import { cityOnly, indexPlaces, placesFileSchema } from '#core/places/places.ts';
import {
  addCounters,
  type Cell,
  COUNTERS,
  type Counters,
  cellsOf,
  departmentsOfBundle,
  finalIncrement,
  type Increment,
  submissionIncrement,
} from '#core/statistics/counters.ts';
import { inquiryIncrement, ratingIncrements } from '#core/statistics/evaluation.ts';
import { caseRecord } from '#test/support/in-memory-cases.ts';

const cityFile = (city: string, file: string) => new URL(`../../cities/${city}/${file}`, import.meta.url);
function city(id: string) {
  const data = CatalogSchema.parse(JSON.parse(readFileSync(cityFile(id, 'catalog.json'), 'utf8')));
  let placesFile = cityOnly(data);
  try {
    placesFile = placesFileSchema().parse(JSON.parse(readFileSync(cityFile(id, 'places.json'), 'utf8')));
  } catch {}
  const places = indexPlaces(placesFile);
  const catalog = indexCatalog({
    ...data,
    departments: [...data.departments, ...places.departments(data.departments)],
  });
  return { catalog, places };
}
const ctx = city('changzhou');
const CITIES = readdirSync(new URL('../../cities/', import.meta.url));

/** A case of `bundleId` with all its services (or the first `n`), issued after submission. */
const opening = (caseId: string, overrides: Partial<CaseRecord> = {}) =>
  caseRecord({
    caseId,
    bundleId: 'enterprise-opening',
    services: ctx.catalog.bundle('enterprise-opening').services.map((s) => s.id),
    createdAt: '2026-11-02T01:00:00.000Z',
    dueAt: '2026-11-05T15:59:59.999Z',
    materials: [
      { type: 'a', materialId: 'm-1' },
      { type: 'b', sharedData: true },
    ],
    ...overrides,
  });

/** The table, in memory: each item's attributes as the Updates would leave them. */
function write(incs: readonly Increment[], into = new Map<string, Map<string, Record<string, number>>>()) {
  for (const { key, adds } of counterItems(...incs)) {
    const items = into.get(key.pk) ?? new Map<string, Record<string, number>>();
    into.set(key.pk, items);
    const item = items.get(key.sk) ?? {};
    items.set(key.sk, item);
    for (const [name, v] of adds) item[name] = (item[name] ?? 0) + v;
  }
  return into;
}
const read = (table: ReturnType<typeof write>, cell: Cell): Counters =>
  addCounters(
    ...sourcesOf(cell, ctx).flatMap(({ pk, departmentId }) =>
      [...(table.get(pk)?.values() ?? [])].map((i) => countersIn(i, attributesOf(departmentId))),
    ),
  );
/** What one item per cell held: each increment's counters added to each of its cells. */
function perCell(incs: readonly Increment[]) {
  const out = new Map<string, { cell: Cell; counters: Counters }>();
  for (const inc of incs)
    for (const cell of inc.cells) {
      const key = `${cell.dimension}:${cell.value}`;
      out.set(key, { cell, counters: addCounters(out.get(key)?.counters ?? {}, inc.counters) });
    }
  return out;
}

describe('writing a case’s counters', () => {
  it('adds a case of one bundle to three items: the city, the bundle (with its departments) and the place', () => {
    const record = opening('c-aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(cellsOf(record, ctx)).toHaveLength(15); // one item each, before
    const submitted = counterItems(submissionIncrement(record, ctx));
    expect(submitted.map((i) => i.key.pk)).toEqual([
      'STATS#all#*',
      'STATS#bundle#enterprise-opening',
      'STATS#place#changzhou',
    ]);
    const issued = finalIncrement({ ...record, status: 'issued' }, '2026-11-04T02:00:00.000Z', ctx)!;
    expect(counterItems(issued)).toHaveLength(3);
    const bundle = submitted[1]!.adds;
    expect(bundle.get('submitted')).toBe(1);
    for (const d of ctx.catalog.bundle('enterprise-opening').services.map((s) => s.departmentId))
      expect(bundle.get(`${departmentCode(d)}s`), d).toBe(1);
  });

  it('names each item once, adding what several increments give it', () => {
    const cells: Cell[] = [
      { dimension: 'department', value: 'tax' },
      { dimension: 'bundle-department', value: 'newborn/tax' },
    ];
    const items = counterItems(
      { day: '2026-11-02', shard: 3, cells, counters: { ratings: 1, badRatings: 1 } },
      { day: '2026-11-02', shard: 3, cells, counters: { ratings: 1, rectificationsOpened: 1 } },
    );
    expect(items.map((i) => i.key)).toEqual([{ pk: 'STATS#bundle#newborn', sk: '2026-11-02#3' }]);
    const tax = departmentCode('tax');
    expect(Object.fromEntries(items[0]!.adds)).toEqual({ [`${tax}g`]: 2, [`${tax}b`]: 1, [`${tax}p`]: 1 });
  });

  it('refuses a department cell without its bundle × department cell (it would count nowhere)', () => {
    expect(() =>
      counterItems({
        day: '2026-11-02',
        shard: 0,
        cells: [{ dimension: 'department', value: 'tax' }],
        counters: { ratings: 1 },
      }),
    ).toThrow(/bundle × department/);
  });
});

describe('reading cells back', () => {
  it('answers every cell exactly as one item per cell did, for cases, ratings and inquiries of every bundle and place', () => {
    const incs: Increment[] = [];
    let n = 0;
    const statuses = ['issued', 'rejected', 'withdrawn'] as const;
    for (const bundle of ctx.catalog.bundles.values())
      for (const [acceptedAt, decidedAt] of [
        ['changzhou', 'changzhou'],
        ['tianning', 'jintan'],
        ['liyang', 'liyang'],
      ] as const)
        for (let k = 1; k <= bundle.services.length; k += 2) {
          const caseId = `c-${(n++).toString(36).padStart(24, '0')}`;
          const record = caseRecord({
            caseId,
            bundleId: bundle.id,
            services: bundle.services.slice(0, k).map((s) => s.id),
            places: { acceptedAt, decidedAt },
            createdAt: `2026-11-0${2 + (n % 3)}T01:00:00.000Z`,
            correctionRound: n % 4 === 0 ? 1 : 0,
            materials: [{ type: 'a', materialId: 'm' }],
          });
          const status = statuses[n % 3]!;
          incs.push(
            submissionIncrement(record, ctx),
            finalIncrement({ ...record, status }, '2026-11-06T02:00:00.000Z', ctx)!,
          );
          const departments = departmentsOfBundle(bundle, ctx.places).filter((d) =>
            cellsOf(record, ctx).some((c) => c.value === d),
          );
          const rating: RatingRecord = {
            caseId,
            portalId: 'p-1',
            bundleId: bundle.id,
            placeId: decidedAt,
            caseStatus: status,
            overall: 1 + (n % 5),
            leadDepartmentId: departments[0] ?? 'market-regulation',
            departments: departments
              .slice(1, 3)
              .map((departmentId, i) => ({ departmentId, score: 1 + i * 3 })),
            createdAt: '2026-11-07T02:00:00.000Z',
            rectificationIds: [],
          };
          incs.push(...ratingIncrements(rating, []));
          incs.push(
            inquiryIncrement({
              inquiryId: `q-${n}`,
              kind: 'complaint',
              text: '慢',
              status: 'open',
              channel: 'portal',
              portalId: 'p-1',
              applicantKey: 'k',
              bundleId: bundle.id,
              placeId: decidedAt,
              departmentId: rating.leadDepartmentId,
              createdAt: '2026-11-07T02:00:00.000Z',
              dueAt: '2026-11-12T02:00:00.000Z',
            }),
          );
        }
    const table = write(incs);
    const expected = perCell(incs);
    expect(expected.size).toBeGreaterThan(200);
    for (const [key, { cell, counters }] of expected) expect(read(table, cell), key).toEqual(counters);
    // Every department of the city, counted or not, as the breakdown reads them.
    for (const d of ctx.catalog.departments.keys())
      expect(read(table, { dimension: 'department', value: d }), d).toEqual(
        expected.get(`department:${d}`)?.counters ?? {},
      );
  });

  it('adds what the one-item-per-cell layout wrote before the upgrade', () => {
    const record = opening('c-bbbbbbbbbbbbbbbbbbbbbbbb');
    const table = write([submissionIncrement(record, ctx)]);
    // As the previous layout left them: the department's and the bundle × department's own items.
    const legacy = (cell: Cell) =>
      table.set(statisticsKeys.pk(cell), new Map([['2026-11-01#5', { submitted: 2, materialsUploaded: 1 }]]));
    legacy({ dimension: 'department', value: 'tax' });
    legacy({ dimension: 'bundle-department', value: 'enterprise-opening/tax' });
    expect(read(table, { dimension: 'department', value: 'tax' })).toEqual({
      submitted: 3,
      materialsUploaded: 2,
      materialsReused: 1,
    });
    expect(read(table, { dimension: 'bundle-department', value: 'enterprise-opening/tax' })).toMatchObject({
      submitted: 3,
    });
    expect(read(table, { dimension: 'bundle', value: 'enterprise-opening' })).toMatchObject({ submitted: 1 });
  });
});

describe('the attribute names', () => {
  it('gives every counter a letter of its own, and no counter a name as short as a department attribute', () => {
    expect(Object.keys(COUNTER_CODES).sort()).toEqual([...COUNTERS].sort());
    const letters = Object.values(COUNTER_CODES);
    expect(new Set(letters).size).toBe(letters.length);
    for (const l of letters) expect(l).toMatch(/^[A-Za-z]$/);
    for (const name of COUNTERS) expect(name.length).not.toBe(5);
  });

  it.each(CITIES)('gives each department of a bundle a code of its own (%s)', (id) => {
    const { catalog, places } = city(id);
    for (const bundle of catalog.bundles.values()) {
      const departments = departmentsOfBundle(bundle, places);
      const codes = new Set(departments.map(departmentCode));
      expect(codes.size, bundle.id).toBe(departments.length);
    }
  });
});

/** DynamoDB's item size: UTF-8 names and strings, numbers 1 byte per 2 significant digits + 1. */
function itemBytes(item: Record<string, string | number>): number {
  let bytes = 0;
  for (const [name, v] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    bytes +=
      typeof v === 'string'
        ? Buffer.byteLength(v)
        : Math.ceil(String(Math.abs(v)).replace(/^0+|\.|0+$/g, '').length / 2) + 1;
  }
  return bytes;
}

it('keeps a busy shard-day of 企业开办 (6 departments, 16 counters each) under 1 KB', () => {
  // One shard, one day: ten submissions, seven issued first time, one after a correction round,
  // two late, three ratings — every service chosen, so every department counts each.
  const incs: Increment[] = [];
  for (let i = 0; i < 10; i++) {
    const record = opening(`c-${String(i).padStart(24, 'd')}`, {
      createdAt: '2026-11-04T01:00:00.000Z',
      dueAt: i < 8 ? '2026-11-09T15:59:59.999Z' : '2026-11-03T15:59:59.999Z',
      correctionRound: i === 7 ? 1 : 0,
    });
    incs.push(submissionIncrement(record, ctx));
    incs.push(
      finalIncrement(
        { ...record, status: 'issued', createdAt: '2026-10-29T01:00:00.000Z' },
        '2026-11-04T08:00:00.000Z',
        ctx,
      )!,
    );
    if (i < 3)
      incs.push(
        ...ratingIncrements(
          {
            caseId: record.caseId,
            portalId: 'p-1',
            bundleId: record.bundleId,
            placeId: 'changzhou',
            caseStatus: 'issued',
            overall: 5,
            leadDepartmentId: 'market-regulation',
            departments: departmentsOfBundle(ctx.catalog.bundle('enterprise-opening'), undefined).map(
              (departmentId) => ({ departmentId, score: 5 }),
            ),
            createdAt: '2026-11-04T09:00:00.000Z',
            rectificationIds: [],
          },
          [],
        ),
      );
  }
  const oneShard = incs.map((inc) => ({ ...inc, shard: 0, day: '2026-11-04' }));
  const bundle = counterItems(...oneShard).find((i) => i.key.pk === 'STATS#bundle#enterprise-opening')!;
  const item = { ...bundle.key, type: 'statistics', ...Object.fromEntries(bundle.adds) };
  const department = attributesOf('public-security').filter(([, a]) => a in item);
  expect(department.length).toBe(16);
  expect(itemBytes(item)).toBeLessThan(1024);
});
