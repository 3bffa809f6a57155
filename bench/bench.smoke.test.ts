/**
 * Keeps `npm run bench` working: every benchmark once, with tiny counts, in a process of its own
 * (it starts its own local stack). Asserts the shape and the correctness checks of the results,
 * never the figures (those belong to `npm run bench` on a quiet machine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

describe('npm run bench -- --smoke', () => {
  it('runs every benchmark with tiny counts and reports complete, reconciled results', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'yijianshi-bench-smoke-'));
    const out = join(dir, 'smoke.json');
    try {
      // Act
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--smoke', `--out=${out}`],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 110_000,
          env: { ...process.env, AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true' },
        },
      );

      // Assess
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      expect(report.failures).toEqual([]);
      const { latency, throughput, cost } = report.results;
      const coldStart = report.results['cold-start'];
      expect(latency.operations).toHaveLength(4);
      for (const o of latency.operations) {
        expect(o.op.n).toBe(3);
        expect(o.raw.n).toBe(3);
        expect(Number.isFinite(o.ratio.p50)).toBe(true);
      }
      expect(throughput.submissions).toBeGreaterThan(0);
      expect(throughput.reconcile.ok, JSON.stringify(throughput.reconcile)).toBe(true);
      expect(coldStart.bundles.map((b: { name: string }) => b.name).sort()).toEqual([
        'authorize-caller.authorizer',
        'get-health.handler',
      ]);
      for (const b of coldStart.bundles) {
        expect(b.error).toBeUndefined();
        expect(b.bytes).toBeGreaterThan(1000);
        expect(b.ready_ms.n).toBe(1);
      }
      expect(cost.cases).toHaveLength(1);
      expect(cost.cases[0].sfn.execution_status).toBe('SUCCEEDED');
      expect(cost.cases[0].sfn.transitions).toBeGreaterThan(5);
      expect(cost.cases[0].dynamodb.wru).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
