/**
 * The merged form's schema is built by the core as plain JSON (core/catalog/form.ts) and published
 * as the typed `MergedForm` (adapters/http/schemas.ts): every form of every city — the whole
 * bundle and each service alone — has exactly that shape, so generated clients can trust it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { loadCatalogFile } from '../../adapters/catalog/file-catalog.ts';
import { MergedFormSchema } from '../../adapters/http/schemas.ts';
import { formJsonSchema } from '../../core/catalog/form.ts';
import { mergeFields } from '../../core/catalog/merge.ts';
import { chosenServices } from '../../core/catalog/selection.ts';
import { citiesDir } from '../../infra/paths.ts';

describe('the merged form’s published schema', () => {
  it('describes every form every city builds, exactly (a closed object)', () => {
    // As published (closed objects at every level), without the `format` check ajv lacks here.
    const { $schema: _, ...published } = z.toJSONSchema(MergedFormSchema, { io: 'output' });
    const validate = new Ajv2020({
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
      validateFormats: false,
    }).compile(published);
    let forms = 0;
    for (const city of readdirSync(citiesDir)) {
      const index = loadCatalogFile(join(citiesDir, city, 'catalog.json'));
      for (const bundle of index.catalog.bundles)
        for (const chosen of [undefined, ...bundle.services.map((s) => [s.id])]) {
          let selected: ReturnType<typeof chosenServices>;
          try {
            selected = chosenServices(index, bundle.id, chosen);
          } catch {
            continue; // a service the bundle's rules do not allow alone
          }
          const schema = formJsonSchema(selected.bundle.name, mergeFields(index, selected.services));
          expect(validate(schema) ? [] : validate.errors, `${city} ${bundle.id} ${chosen ?? 'all'}`).toEqual(
            [],
          );
          forms += 1;
        }
    }
    expect(forms).toBeGreaterThan(50);
  });
});
