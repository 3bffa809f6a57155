/** 通办 places over the real Changzhou data: competent places and their departments. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogSchema } from '../catalog/schema.ts';
import { checkPlaces, indexPlaces, placesFileSchema } from './places.ts';

const read = (f: string) =>
  JSON.parse(readFileSync(new URL(`../../cities/changzhou/${f}`, import.meta.url), 'utf8'));
const catalog = CatalogSchema.parse(read('catalog.json'));
const file = placesFileSchema().parse(read('places.json'));
const places = indexPlaces(file);
const bundle = (id: string) => catalog.bundles.find((b) => b.id === id)!;

describe('places', () => {
  it('are consistent with the catalog', () => {
    expect(checkPlaces(file, catalog)).toEqual([]);
    expect(places.places.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '常州市',
        '天宁区',
        '钟楼区',
        '新北区',
        '武进区',
        '金坛区',
        '溧阳市',
        '常州经开区',
        '常州海事局',
      ]),
    );
  });

  it('route the three local explorations to their places, whatever the form says', () => {
    expect(
      places.decidedAt(bundle('off-campus-training-approval'), { premisesAddress: '常州市天宁区…' }),
    ).toBe('jintan');
    expect(places.decidedAt(bundle('script-game-venue-opening'), {})).toBe('tianning');
    expect(places.decidedAt(bundle('ship-joint-inspection'), {})).toBe('changzhou-msa');
  });

  it('decide a premises-bound bundle where the premises are, the city otherwise', () => {
    const store = bundle('convenience-store-opening');
    expect(places.decidedAt(store, { premisesAddress: '常州市金坛区华城路1号' })).toBe('jintan');
    expect(places.decidedAt(store, { premisesAddress: '溧阳市南大街' })).toBe('liyang');
    expect(places.decidedAt(store, {})).toBe('changzhou');
    expect(places.decidedAt(bundle('enterprise-opening'), { premisesAddress: '常州市金坛区' })).toBe(
      'changzhou',
    );
  });

  it('give a place’s counterpart departments, and the city’s where the place has none', () => {
    expect(places.departmentAt('jintan', 'market-regulation')).toBe('jintan-market-regulation');
    expect(places.departmentAt('jintan', 'tobacco')).toBe('tobacco');
    expect(places.departmentAt('changzhou', 'market-regulation')).toBe('market-regulation');
    expect(places.departmentAt('jintan', 'jintan-science-technology')).toBe('jintan-science-technology');
    expect(places.placeOfDepartment('jintan-city-management')).toBe('jintan');
    expect(places.placeOfDepartment('changzhou-msa')).toBe('changzhou-msa');
    expect(places.placeOfDepartment('tax')).toBe('changzhou');
    const added = places.departments(catalog.departments);
    expect(added.find((d) => d.id === 'jintan-city-management')?.name).toBe('金坛区城管局');
    expect(added.some((d) => d.id === 'jintan-market-regulation')).toBe(false); // already in the catalog
  });
});
