/**
 * The city's catalog is a deployment artifact: a JSON file shipped beside each Lambda bundle
 * (CATALOG_FILE), validated by the core's zod schema once per container and then kept in memory.
 * Changing a catalog is a reviewed commit and a deploy, never a runtime write.
 */
import { readFileSync } from 'node:fs';
import { type CatalogIndex, indexCatalog } from '#core/catalog/catalog-index.ts';
import { CatalogSchema } from '#core/catalog/schema.ts';
import { config } from '../config.ts';
import { placesBeside } from './places.ts';

let cached: CatalogIndex | undefined;

export function loadCatalogFile(file: string): CatalogIndex {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 20).map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(
      `Catalog ${file} is invalid (${parsed.error.issues.length} problems):\n${lines.join('\n')}`,
    );
  }
  // 通办: the places' departments (金坛区市场监管局…) are departments of the city like the catalog's.
  const placeDepartments = placesBeside(file, parsed.data).departments(parsed.data.departments);
  return indexCatalog({ ...parsed.data, departments: [...parsed.data.departments, ...placeDepartments] });
}

export function catalog(): CatalogIndex {
  cached ??= loadCatalogFile(config().CATALOG_FILE);
  return cached;
}
