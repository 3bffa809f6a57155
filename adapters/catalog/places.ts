/**
 * The city's places (通办), loaded beside the catalog: cities/<city>/places.json next to
 * catalog.json (CATALOG_FILE), validated by the core's schema and checked against the catalog once
 * per container. A city without the file has one place, the city itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog } from '#core/catalog/schema.ts';
import {
  checkPlaces,
  cityOnly,
  indexPlaces,
  type PlaceIndex,
  placesFileSchema,
} from '#core/places/places.ts';
import { config } from '../config.ts';
import { catalog } from './file-catalog.ts';

const loaded = new Map<string, PlaceIndex>();

/** The places beside `catalogFile` (cached per file). */
export function placesBeside(catalogFile: string, data: Catalog): PlaceIndex {
  const known = loaded.get(catalogFile);
  if (known) return known;
  const file = join(dirname(catalogFile), 'places.json');
  let parsed = cityOnly(data);
  if (existsSync(file)) {
    const result = placesFileSchema().safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!result.success)
      throw new Error(
        `Places ${file} are invalid:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
      );
    const problems = checkPlaces(result.data, data);
    if (problems.length) throw new Error(`Places ${file} are invalid:\n  ${problems.join('\n  ')}`);
    parsed = result.data;
  }
  const index = indexPlaces(parsed);
  loaded.set(catalogFile, index);
  return index;
}

export function places(): PlaceIndex {
  return placesBeside(config().CATALOG_FILE, catalog().catalog);
}
