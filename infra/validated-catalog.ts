/**
 * The catalog file deployed beside every Lambda bundle: the city's catalog validated and normalised
 * by the core's schema (adapters/catalog/catalog-parse.ts `validatedCatalogJson`), written once per
 * synth into a temporary folder of its own and copied by each bundling — the Lambdas read it as it
 * is (adapters/catalog/catalog-parse.lambda.ts). No CDK here: the cold-start benchmark uses it too.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatedCatalogJson } from '#adapters/catalog/catalog-parse.ts';

const written = new Map<string, string>();

/** The validated file of `catalogFile` (written on first use; a catalog that does not validate throws). */
export function validatedCatalogFile(
  catalogFile: string,
  dir = join(tmpdir(), 'yijianshi-validated-catalogs'),
): string {
  const known = written.get(`${dir}\n${catalogFile}`);
  if (known) return known;
  const source = readFileSync(catalogFile, 'utf8');
  const json = validatedCatalogJson(JSON.parse(source) as unknown, catalogFile);
  // Named by its content: two catalogs (or two versions of one) never share a file.
  const out = join(dir, `${createHash('sha256').update(json).digest('hex').slice(0, 16)}.json`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(out, json);
  written.set(`${dir}\n${catalogFile}`, out);
  return out;
}
