import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseRecord } from '#test/support/in-memory-cases.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { acceptingDepartment } from '../flow/plan.ts';
import { indexPlaces, placesFileSchema } from '../places/places.ts';
import {
  addCounters,
  bundlesOfDepartment,
  COUNTER_SHARDS,
  cellsOf,
  departmentsOfBundle,
  finalIncrement,
  legalDaysOf,
  shardOf,
  submissionIncrement,
  visitsOf,
} from './counters.ts';

const read = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../cities/changzhou/${file}`, import.meta.url), 'utf8'));
const data = CatalogSchema.parse(read('catalog.json'));
const places = indexPlaces(placesFileSchema().parse(read('places.json')));
const catalog = indexCatalog({
  ...data,
  departments: [...data.departments, ...places.departments(data.departments)],
});
const ctx = { catalog, places };

const REGISTRATION = 'enterprise-establishment-registration';
const SEAL = 'company-seal-filing';
/** Submitted Monday 2026-11-02 09:00 in China; committed deadline three working days later. */
const opening = (overrides: Parameters<typeof caseRecord>[0] = {}) =>
  caseRecord({
    bundleId: 'enterprise-opening',
    services: [REGISTRATION, SEAL],
    createdAt: '2026-11-02T01:00:00.000Z',
    dueAt: '2026-11-05T15:59:59.999Z',
    ...overrides,
  });

describe('where a case counts', () => {
  it('counts in the city, its bundle, each department of its services, its place and each bundle × department', () => {
    expect(cellsOf(opening(), ctx)).toEqual([
      { dimension: 'all', value: '*' },
      { dimension: 'bundle', value: 'enterprise-opening' },
      { dimension: 'department', value: 'market-regulation' },
      { dimension: 'department', value: 'public-security' },
      { dimension: 'place', value: 'changzhou' },
      { dimension: 'bundle-department', value: 'enterprise-opening/market-regulation' },
      { dimension: 'bundle-department', value: 'enterprise-opening/public-security' },
    ]);
  });

  it('counts a 通办 case under the deciding place’s departments and the place it was accepted at', () => {
    const cells = cellsOf(
      caseRecord({
        bundleId: 'off-campus-training-approval',
        services: [catalog.bundle('off-campus-training-approval').services[0]!.id],
        places: { acceptedAt: 'tianning', decidedAt: 'jintan' },
      }),
      ctx,
    );
    const departments = cells.filter((c) => c.dimension === 'department').map((c) => c.value);
    expect(departments.length).toBeGreaterThan(0);
    for (const d of departments) expect(d.startsWith('jintan-')).toBe(true);
    expect(cells).toContainEqual({ dimension: 'place', value: 'tianning' });
  });

  it('lists every department a case of a bundle can count in, at whichever place it is accepted and decided', () => {
    for (const bundle of catalog.bundles.values()) {
      const listed = departmentsOfBundle(bundle, places);
      for (const acceptedAt of places.places.map((p) => p.id))
        for (const decidedAt of places.places.map((p) => p.id)) {
          const record = caseRecord({
            bundleId: bundle.id,
            services: bundle.services.map((s) => s.id),
            places: { acceptedAt, decidedAt },
          });
          const counted = cellsOf(record, ctx)
            .filter((c) => c.dimension === 'department')
            .map((c) => c.value);
          // The accepting department is rated and asked (好差评, 12345) for the bundle too.
          for (const d of [...counted, acceptingDepartment(record, bundle, places)])
            expect(listed, `${bundle.id} at ${acceptedAt}/${decidedAt}`).toContain(d);
        }
    }
  });

  it('gives a place’s department the bundles it works in, and a city department those it works in anywhere', () => {
    expect(bundlesOfDepartment('jintan-market-regulation', ctx)).toContain('off-campus-training-approval');
    expect(bundlesOfDepartment('jintan-market-regulation', ctx)).not.toContain('newborn');
    const security = bundlesOfDepartment('public-security', ctx);
    expect(security).toEqual(expect.arrayContaining(['newborn', 'marriage', 'enterprise-opening']));
    expect(security).not.toContain('enterprise-real-estate-registration');
    expect(bundlesOfDepartment('no-such-department', ctx)).toEqual([]);
  });

  it('writes each case to one of the shards, always the same', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `c-${i.toString(36).padStart(24, 'a')}`);
    const shards = new Set(ids.map(shardOf));
    expect([...shards].every((s) => s >= 0 && s < COUNTER_SHARDS)).toBe(true);
    expect(shards.size).toBe(COUNTER_SHARDS);
    expect(shardOf(ids[0]!)).toBe(shardOf(ids[0]!));
  });
});

describe('a submission', () => {
  it('counts the case on its China day, and the materials it uploaded against those it reused', () => {
    const inc = submissionIncrement(
      opening({
        createdAt: '2026-11-02T17:00:00.000Z', // 01:00 on 3 November in China
        materials: [
          { type: 'a', materialId: 'm-1' },
          { type: 'b', materialId: 'm-2' },
          { type: 'c', sharedData: true },
          { type: 'd', sharedData: true, reference: 'e-license:x' },
          { type: 'e', deferredUntil: '2026-11-20T00:00:00.000Z' },
        ],
      }),
      ctx,
    );
    expect(inc.day).toBe('2026-11-03');
    expect(inc.counters).toEqual({ submitted: 1, materialsUploaded: 2, materialsReused: 2 });
  });
});

describe('a case becoming final', () => {
  it('counts an issued case with no correction round as 一次办成, with its working days against its limits', () => {
    const inc = finalIncrement(opening({ status: 'issued' }), '2026-11-04T02:00:00.000Z', ctx)!;
    expect(inc.day).toBe('2026-11-04');
    expect(inc.counters).toEqual({
      finals: 1,
      issued: 1,
      issuedFirstTime: 1,
      decided: 1,
      workingDays: 2, // Tuesday and Wednesday
      committedDays: 3,
      legalDays: 4, // registration's 3 days, then the seal's 1 (it needs the new enterprise)
      electronicDeliveries: 1,
    });
  });

  it('counts a case with one correction round against 一次办成', () => {
    const inc = finalIncrement(
      opening({ status: 'issued', correctionRound: 1 }),
      '2026-11-04T02:00:00.000Z',
      ctx,
    )!;
    expect(inc.counters.issued).toBe(1);
    expect(inc.counters.issuedFirstTime).toBeUndefined();
    expect(inc.counters).toMatchObject({ correctionRounds: 1, finalsWithCorrection: 1 });
  });

  it('counts a decision after the deadline as overdue', () => {
    const inc = finalIncrement(opening({ status: 'rejected' }), '2026-11-06T02:00:00.000Z', ctx)!;
    expect(inc.counters).toMatchObject({ finals: 1, rejected: 1, decided: 1, overdue: 1, workingDays: 4 });
    expect(inc.counters.visits).toBeUndefined(); // visits are the issued cases'
  });

  it('does not count a withdrawal as a decision: no working days, never overdue', () => {
    const inc = finalIncrement(opening({ status: 'withdrawn' }), '2026-11-30T02:00:00.000Z', ctx)!;
    expect(inc.counters).toEqual({ finals: 1, withdrawn: 1 });
  });

  it('adds nothing for a status that is not final', () => {
    expect(finalIncrement(opening({ status: 'in_review' }), '2026-11-04T02:00:00.000Z', ctx)).toBeUndefined();
  });
});

describe('visits and limits, as the catalog’s metrics count them', () => {
  it('needs no visit for electronic delivery without inspection, one to fetch results otherwise', () => {
    expect(visitsOf(opening(), catalog)).toBe(0);
    expect(visitsOf(opening({ delivery: { method: 'pickup' } }), catalog)).toBe(1);
  });

  it('counts a joint inspection once', () => {
    const bundle = catalog.bundle('restaurant-opening');
    const all = bundle.services.map((s) => s.id);
    expect(bundle.services.filter((s) => s.inspection).length).toBe(2);
    expect(visitsOf(caseRecord({ bundleId: bundle.id, services: all }), catalog)).toBe(1);
    const one = bundle.services.find((s) => s.inspection)!.id;
    expect(visitsOf(caseRecord({ bundleId: bundle.id, services: [one] }), catalog)).toBe(1);
    expect(
      visitsOf(caseRecord({ bundleId: bundle.id, services: all, delivery: { method: 'pickup' } }), catalog),
    ).toBe(2);
  });

  it('takes the legal limits along the longest chain of stages, as the deadline is computed', () => {
    expect(legalDaysOf(opening({ services: [SEAL] }), catalog)).toBe(1);
    expect(legalDaysOf(opening({ services: [REGISTRATION] }), catalog)).toBe(3);
    expect(legalDaysOf(opening(), catalog)).toBe(4); // the seal is filed after the registration
  });
});

it('adds counters key by key', () => {
  expect(addCounters({ issued: 1, visits: 2 }, { issued: 2 }, {})).toEqual({ issued: 3, visits: 2 });
});
