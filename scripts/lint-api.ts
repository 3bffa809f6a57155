/**
 * The API lint: the OpenAPI document (as GET /v1/openapi.json serves it) through Spectral
 * (`spectral:oas` and our rules, .spectral.yaml) and Redocly (`recommended`, as it ships), both at
 * 0 errors and 0 warnings. `npm run lint:api`; test/api/lint.test.ts runs the same in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BaseResolver, createConfig, lintDocument, makeDocumentFromString } from '@redocly/openapi-core';
import { buildOpenApiDocument, type OpenApiDocument } from '../adapters/http/openapi.ts';
import { httpRoutes } from '../functions/routes.ts';
import { repoRoot } from '../infra/paths.ts';

/** One finding of a linter, as a line a developer can act on. */
export type Finding = string;

interface SpectralResult {
  code: string;
  message: string;
  severity: number;
  path: (string | number)[];
}
const SEVERITY = ['error', 'warning', 'info', 'hint'];

/** Spectral's findings (any severity) on `doc`, by its CLI with the repository's ruleset. */
export function spectral(doc: OpenApiDocument): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'yjs-lint-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const run = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/@stoplight/spectral-cli/dist/index.js'),
        'lint',
        '--ruleset',
        join(repoRoot, '.spectral.yaml'),
        '--format',
        'json',
        '--quiet',
        file,
      ],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const text = run.stdout.trim();
    if (!text.startsWith('['))
      throw new Error(`spectral did not run (exit ${run.status}): ${run.stderr || text}`.slice(0, 4000));
    return (JSON.parse(text) as SpectralResult[]).map(
      (r) => `spectral ${SEVERITY[r.severity] ?? r.severity} ${r.code}: ${r.message} at /${r.path.join('/')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Redocly's findings (any severity) on `doc`, with the recommended rules as they ship. */
export async function redocly(doc: OpenApiDocument): Promise<Finding[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintDocument({
    document: makeDocumentFromString(JSON.stringify(doc), '/v1/openapi.json'),
    config,
    externalRefResolver: new BaseResolver(),
  });
  return problems.map(
    (p) => `redocly ${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`,
  );
}

export async function lintApi(doc: OpenApiDocument = buildOpenApiDocument(httpRoutes)): Promise<Finding[]> {
  return [...spectral(doc), ...(await redocly(doc))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const findings = await lintApi();
  for (const f of findings) process.stdout.write(`${f}\n`);
  process.stdout.write(
    findings.length ? `${findings.length} findings\n` : 'Spectral and Redocly: 0 errors, 0 warnings\n',
  );
  process.exit(findings.length ? 1 : 0);
}
