/**
 * `npm run catalog:report` measures every bundle of a city against the reform's targets (−30 %
 * and −60 % of the materials an applicant provides), with the same metrics the API answers.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../adapters/catalog/file-catalog.ts';
import { reductionMetrics } from '../../core/catalog/guide.ts';

const root = new URL('../../', import.meta.url).pathname;
const report = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/catalog-report.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('the catalog report', () => {
  it.each([
    ['changzhou', 29],
    ['langfang', 5],
  ])('measures all bundles of %s (%i), each against both targets', (city, count) => {
    const out = JSON.parse(report('--city', city, '--json'));
    const index = loadCatalogFile(`${root}cities/${city}/catalog.json`);

    expect(out.bundles).toHaveLength(count);
    expect(out.totals.bundles).toBe(count);
    for (const row of out.bundles) {
      expect(row.metrics, row.bundleId).toEqual(
        JSON.parse(JSON.stringify(reductionMetrics(index, index.bundle(row.bundleId).services))),
      );
      expect(row.meets).toEqual({
        minus30: row.metrics.materials.reductionPercent >= 30,
        minus60: row.metrics.materials.reductionPercent >= 60,
      });
    }
    const table = report('--city', city);
    expect(table.split('\n').filter((l) => l.startsWith('| ') && / \([a-z-]+\) /.test(l))).toHaveLength(
      count,
    );
    expect(table).toMatch(/bundles reach −60%, \d+ reach −30%/);
  });
});
