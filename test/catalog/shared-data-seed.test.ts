/**
 * The synthetic shared data the local stack seeds fits the Changzhou catalog: valid identifiers,
 * the attribute names its fields prefill from, the license types its materials name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { indexCatalog } from '../../core/catalog/catalog-index.ts';
import { mergeFields, mergeMaterials } from '../../core/catalog/merge.ts';
import { prefillFrom, type SharedRecords } from '../../core/catalog/prefill.ts';
import { CatalogSchema } from '../../core/catalog/schema.ts';
import { isValidIdNumber, isValidUscc } from '../../core/shared/identifiers.ts';
import {
  SEEDED_ENTERPRISES,
  SEEDED_PERSONS,
  type SeededHolder,
  sharedDataItems,
} from '../../local/setup/seed-shared-data.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const full = index.catalog.bundles.filter((b) => b.detail === 'full');
const TODAY = '2025-06-01';

const recordsOf = (h: SeededHolder, source: 'population' | 'legalPerson'): SharedRecords => ({
  registry: { source, attributes: h.record },
  licenses: h.licenses,
  earlierMaterials: h.earlierMaterials,
});

describe('seeded shared data', () => {
  it('uses valid, distinct synthetic identifiers', () => {
    const ids = [...SEEDED_PERSONS.map((p) => p.idNumber), ...SEEDED_ENTERPRISES.map((e) => e.uscc)];
    expect(SEEDED_PERSONS.every((p) => isValidIdNumber(p.idNumber))).toBe(true);
    expect(SEEDED_ENTERPRISES.every((e) => isValidUscc(e.uscc))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Not the catalog's own example values, so an example-built application never matches a seed.
    const examples = JSON.stringify(index.catalog.fields.map((f) => f.examples));
    for (const id of ids) expect(examples).not.toContain(id);
  });

  it('puts identifiers into no key, only their hashes', () => {
    const ids = [...SEEDED_PERSONS.map((p) => p.idNumber), ...SEEDED_ENTERPRISES.map((e) => e.uscc)];
    for (const item of sharedDataItems())
      for (const id of ids) expect(`${item.pk} ${item.sk}`).not.toContain(id);
  });

  it('names only license types and material types the catalog knows', () => {
    const licenseTypes = new Set(
      [
        ...index.catalog.materials.map((m) => m.sharedData?.licenseType),
        ...index.catalog.fields.map((f) => f.prefill?.licenseType),
      ].filter(Boolean),
    );
    for (const h of [...SEEDED_PERSONS, ...SEEDED_ENTERPRISES]) {
      for (const l of h.licenses) expect(licenseTypes, l.licenseType).toContain(l.licenseType);
      for (const m of h.earlierMaterials)
        expect(index.materials.get(m.materialType)?.sharedData?.source).toBe('earlierCase');
    }
  });

  it.each(SEEDED_PERSONS.map((p) => [p.name, p] as const))(
    '%s fills every population field of every fully detailed person bundle',
    (_name, person) => {
      for (const b of full.filter((x) => x.audience === 'person')) {
        const fields = mergeFields(index, b.services);
        const result = prefillFrom(
          fields,
          mergeMaterials(index, b.services),
          recordsOf(person, 'population'),
          TODAY,
        );
        const population = fields
          .filter((f) => f.field.prefill?.source === 'population')
          .map((f) => f.field.id);
        expect(Object.keys(result.form), b.id).toEqual(expect.arrayContaining(population));
      }
    },
  );

  it.each(SEEDED_ENTERPRISES.map((e) => [e.name, e] as const))(
    '%s fills every legal-person field of every fully detailed organisation bundle',
    (_name, enterprise) => {
      for (const b of full.filter((x) => x.audience === 'organisation')) {
        const fields = mergeFields(index, b.services);
        const result = prefillFrom(
          fields,
          mergeMaterials(index, b.services),
          recordsOf(enterprise, 'legalPerson'),
          TODAY,
        );
        const legal = fields.filter((f) => f.field.prefill?.source === 'legalPerson').map((f) => f.field.id);
        expect(Object.keys(result.form), b.id).toEqual(expect.arrayContaining(legal));
      }
    },
  );

  it('fills every e-license field of the catalog for someone', () => {
    const licenseFields = index.catalog.fields.filter((f) => f.prefill?.source === 'license');
    const filled = new Set<string>();
    const holders = [
      ...SEEDED_PERSONS.map((p) => ({ audience: 'person', records: recordsOf(p, 'population') })),
      ...SEEDED_ENTERPRISES.map((e) => ({ audience: 'organisation', records: recordsOf(e, 'legalPerson') })),
    ];
    for (const { audience, records } of holders)
      for (const b of full.filter((x) => x.audience === audience)) {
        const r = prefillFrom(mergeFields(index, b.services), [], records, TODAY);
        for (const id of Object.keys(r.form)) filled.add(id);
      }
    expect(licenseFields.length).toBeGreaterThan(0);
    for (const f of licenseFields) expect(filled, f.id).toContain(f.id);
  });
});
