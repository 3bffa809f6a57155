import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import { indexCatalog } from './catalog-index.ts';
import { formJsonSchema, formProblems } from './form.ts';
import { reductionMetrics } from './guide.ts';
import { mergeFields, mergeMaterials } from './merge.ts';
import { type Catalog, type CatalogInput, CatalogSchema } from './schema.ts';
import { selectServices } from './selection.ts';

const FIELD_IDS = ['name', 'idNo', 'phone', 'address', 'capital', 'scope', 'startDate', 'employees'];
const MATERIAL_IDS = ['id-card', 'lease', 'articles', 'photo', 'license', 'plan'];

/** A random but valid catalog: one bundle whose services draw fields and materials from shared pools. */
const catalogArb = fc
  .array(
    fc.record({
      fields: fc
        .subarray(FIELD_IDS)
        .chain((ids) =>
          fc.tuple(...ids.map((id) => fc.record({ fieldId: fc.constant(id), required: fc.boolean() }))),
        ),
      materials: fc
        .subarray(MATERIAL_IDS)
        .chain((ids) =>
          fc.tuple(...ids.map((id) => fc.record({ typeId: fc.constant(id), required: fc.boolean() }))),
        ),
      days: fc.integer({ min: 0, max: 20 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((services): Catalog => {
    const input: CatalogInput = {
      schemaVersion: 1,
      city: { id: 'test', name: '测试市' },
      version: 't',
      departments: [{ id: 'd', name: '部门' }],
      fields: FIELD_IDS.map((id) => ({ id, title: id, type: 'string', examples: ['x'] })),
      materials: MATERIAL_IDS.map((id) => ({
        id,
        name: id,
        holder: 'any',
        accept: ['application/pdf'],
        maxBytes: 1000,
      })),
      bundles: [
        {
          id: 'b',
          name: 'B',
          audience: 'person',
          detail: 'outline',
          draft: true,
          leadDepartmentId: 'd',
          services: services.map((s, i) => ({
            id: `s${i}`,
            name: `S${i}`,
            departmentId: 'd',
            fields: s.fields,
            materials: s.materials,
            timeLimit: { legalDays: s.days, committedDays: s.days },
            result: { kind: 'notice', name: 'n' },
          })),
        },
      ],
    };
    return CatalogSchema.parse(input);
  });

describe('merging forms and materials', () => {
  it('does not depend on the order services are chosen in', () => {
    fc.assert(
      fc.property(catalogArb, fc.nat(), (catalog, seed) => {
        const index = indexCatalog(catalog);
        const services = catalog.bundles[0]!.services;
        const shuffled = [...services].sort(
          (a, b) => ((a.id.charCodeAt(1) * (seed + 7)) % 13) - ((b.id.charCodeAt(1) * (seed + 7)) % 13),
        );
        expect(mergeFields(index, shuffled)).toEqual(mergeFields(index, services));
        expect(mergeMaterials(index, shuffled)).toEqual(mergeMaterials(index, services));
      }),
    );
  });

  it('never loses a field or material and never lists one twice', () => {
    fc.assert(
      fc.property(catalogArb, (catalog) => {
        const index = indexCatalog(catalog);
        const services = catalog.bundles[0]!.services;
        const fields = mergeFields(index, services).map((f) => f.field.id);
        const materials = mergeMaterials(index, services).map((m) => m.material.id);
        expect(new Set(fields).size).toBe(fields.length);
        expect(new Set(materials).size).toBe(materials.length);
        expect(new Set(fields)).toEqual(new Set(services.flatMap((s) => s.fields.map((f) => f.fieldId))));
        expect(new Set(materials)).toEqual(
          new Set(services.flatMap((s) => s.materials.map((m) => m.typeId))),
        );
      }),
    );
  });

  it('requires a merged field exactly when some chosen service requires it', () => {
    fc.assert(
      fc.property(catalogArb, (catalog) => {
        const index = indexCatalog(catalog);
        const services = catalog.bundles[0]!.services;
        for (const m of mergeFields(index, services)) {
          const anyRequired = services.some((s) =>
            s.fields.some((f) => f.fieldId === m.field.id && f.required),
          );
          expect(m.required).toBe(anyRequired);
        }
      }),
    );
  });

  it('makes a schema that accepts its own examples and lists each field once', () => {
    fc.assert(
      fc.property(catalogArb, (catalog) => {
        const index = indexCatalog(catalog);
        const merged = mergeFields(index, catalog.bundles[0]!.services);
        const schema = formJsonSchema('B', merged) as { properties: Record<string, { examples: unknown[] }> };
        expect(Object.keys(schema.properties)).toHaveLength(merged.length);
        const form = Object.fromEntries(
          Object.entries(schema.properties).map(([k, p]) => [k, p.examples[0]]),
        );
        expect(formProblems(merged, form)).toEqual([]);
      }),
    );
  });

  it('takes the slowest service as the bundle time limit, never the sum', () => {
    fc.assert(
      fc.property(catalogArb, (catalog) => {
        const index = indexCatalog(catalog);
        const services = catalog.bundles[0]!.services;
        const m = reductionMetrics(index, services);
        expect(m.timeLimitDays.parallel).toBe(Math.max(...services.map((s) => s.timeLimit.committedDays)));
        expect(m.fields.after).toBeLessThanOrEqual(m.fields.before);
      }),
    );
  });
});

describe('choosing services', () => {
  const catalog = CatalogSchema.parse({
    schemaVersion: 1,
    city: { id: 'test', name: '测试市' },
    version: 't',
    departments: [{ id: 'd', name: '部门' }],
    fields: [],
    materials: [],
    bundles: [
      {
        id: 'b',
        name: 'B',
        audience: 'person',
        detail: 'outline',
        draft: true,
        leadDepartmentId: 'd',
        services: ['a', 'b', 'c', 'd'].map((id) => ({
          id,
          name: id,
          departmentId: 'd',
          timeLimit: { legalDays: 1, committedDays: 1 },
          result: { kind: 'notice', name: 'n' },
        })),
        rules: [
          { kind: 'together', services: ['a', 'b'] },
          { kind: 'requires', service: 'c', requires: 'd' },
        ],
      },
    ],
  } satisfies CatalogInput);
  const bundle = catalog.bundles[0]!;

  it('returns the whole bundle when nothing is chosen', () => {
    expect(selectServices(bundle, undefined).map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reports every broken rule and unknown service at once', () => {
    try {
      selectServices(bundle, ['a', 'c', 'zzz', 'a']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const codes = (err as ValidationError).problems.map((p) => p.code).sort();
      expect(codes).toEqual([
        'duplicate_service',
        'service_requires_another',
        'services_must_go_together',
        'unknown_service',
      ]);
    }
  });
});
