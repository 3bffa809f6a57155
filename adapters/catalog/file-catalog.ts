/**
 * The city's catalog is a deployment artifact: a JSON file shipped beside each Lambda bundle
 * (CATALOG_FILE), validated by the core's zod schema — at deployment for a Lambda (the file is
 * written validated and marked: catalog-parse.lambda.ts), once per process elsewhere — and then
 * kept in memory. Changing a catalog is a reviewed commit and a deploy, never a runtime write.
 */
import { readFileSync } from 'node:fs';
import { parseCatalog } from '#adapters/catalog/catalog-parse.ts';
import { type CatalogIndex, indexCatalog } from '#core/catalog/catalog-index.ts';
import { config } from '../config.ts';
import { placesBeside } from './places.ts';

let cached: CatalogIndex | undefined;

export function loadCatalogFile(file: string): CatalogIndex {
  const data = parseCatalog(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
  // 通办: the places' departments (金坛区市场监管局…) are departments of the city like the catalog's.
  const placeDepartments = placesBeside(file, data).departments(data.departments);
  return indexCatalog({ ...data, departments: [...data.departments, ...placeDepartments] });
}

export function catalog(): CatalogIndex {
  cached ??= loadCatalogFile(config().CATALOG_FILE);
  return cached;
}
