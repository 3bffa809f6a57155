/** Staged dispatch over the real Changzhou catalog: the graph, the longest path, the data results produce. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { guide } from '../catalog/guide.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { isValidUscc } from '../shared/identifiers.ts';
import {
  criticalPath,
  depths,
  JOINT_INSPECTION,
  jointInspection,
  mayOpenDependants,
  newUscc,
  prerequisites,
  producedData,
} from './stages.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const opening = index.bundle('enterprise-opening');
const all = (id: string) => index.bundle(id).services.map((s) => s.id);

describe('staged dispatch', () => {
  it('puts 企业设立登记 before the five other 企业开办 services, which stay parallel', () => {
    const graph = prerequisites(opening, all('enterprise-opening'));
    const depth = depths(graph);
    expect(depth.get('enterprise-establishment-registration')).toBe(0);
    for (const id of all('enterprise-opening').slice(1)) {
      expect(graph.get(id)).toEqual(['enterprise-establishment-registration']);
      expect(depth.get(id)).toBe(1);
    }
  });

  it('ignores rules naming services that were not chosen', () => {
    const graph = prerequisites(opening, ['company-seal-filing', 'bank-account-booking']);
    expect([...graph.values()]).toEqual([[], []]);
  });

  it('takes the longest path in working days as the time limit, and the guide shows it', () => {
    const services = index.bundle('second-hand-housing-transfer').services;
    const path = criticalPath(
      services,
      prerequisites(index.bundle('second-hand-housing-transfer'), all('second-hand-housing-transfer')),
    );
    // 网签备案 (1) → 完税 (0) → 转移登记 (1) → 用电过户 (1).
    expect(path.path).toEqual([
      'housing-contract-filing',
      'housing-transaction-tax',
      'real-estate-transfer-registration',
      'electricity-account-transfer',
    ]);
    expect(path.days).toBe(3);
    const g = guide(index, index.bundle('second-hand-housing-transfer'), services);
    expect(g.timeLimitDays).toBe(3);
    expect(g.criticalPath.map((s) => s.serviceId)).toEqual(path.path);
    expect(g.metrics.timeLimitDays.parallel).toBe(1); // the slowest single service, as before
  });

  it('replaces the inspections of 餐饮店准营 by one joint inspection, counted as one visit', () => {
    const restaurant = index.bundle('restaurant-opening');
    const joint = jointInspection(restaurant, all('restaurant-opening'));
    expect(joint).toEqual({
      services: ['food-business-license', 'restaurant-fire-safety-inspection'],
      departments: ['market-regulation', 'fire-rescue'],
    });
    const graph = prerequisites(restaurant, all('restaurant-opening'));
    expect(graph.get('food-business-license')).toEqual([JOINT_INSPECTION]);
    expect(graph.get('restaurant-signboard')).toEqual([]);
    const m = guide(index, restaurant, restaurant.services).metrics;
    expect(m.inspections).toEqual({ services: 2, visits: 1 });
    // Alone, the food license keeps its own inspection: no joint one.
    expect(jointInspection(restaurant, ['food-business-license'])).toBeUndefined();
  });

  it('produces a valid GB 32100 credit code with the place’s division, the same on every retry', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (seed) => {
        const code = newUscc(seed, '320413');
        expect(isValidUscc(code)).toBe(true);
        expect(code.slice(0, 8)).toBe('91320413');
        expect(newUscc(seed, '320413')).toBe(code);
      }),
      { numRuns: 300 },
    );
    const registration = opening.services[0]!;
    const data = producedData({ caseId: 'c-x' }, registration, '320400', new Date('2026-12-01T00:00:00Z'));
    expect(Object.keys(data)).toEqual(['uscc', 'licenseNumber']);
    expect(data.licenseNumber).toMatch(/^YYZZ3204002026\d{6}$/);
  });
});

describe('mayOpenDependants', () => {
  const bundles = [...index.bundles.values()];
  it('is true exactly when some node of a chosen graph waits for the approved review', () => {
    for (const b of bundles) {
      const graph = prerequisites(
        b,
        b.services.map((s) => s.id),
      );
      for (const s of b.services) {
        const waitedFor = [...graph.values()].some((pre) => pre.includes(s.id));
        // Whatever any chosen graph waits for is caught; a leaf of every bundle costs no reads.
        if (waitedFor)
          expect(mayOpenDependants(bundles, { kind: 'review', services: [s.id] }), s.id).toBe(true);
      }
    }
    expect(mayOpenDependants(bundles, { kind: 'review', services: ['company-seal-filing'] })).toBe(false);
    expect(
      mayOpenDependants(bundles, { kind: 'review', services: ['enterprise-establishment-registration'] }),
    ).toBe(true);
  });

  it('is true for a joint inspection and false for an acceptance', () => {
    expect(mayOpenDependants(bundles, { kind: 'inspection', services: [] })).toBe(true);
    expect(
      mayOpenDependants(bundles, { kind: 'acceptance', services: ['enterprise-establishment-registration'] }),
    ).toBe(false);
  });
});
