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
          // ~35 s alone; bounded well above that, as a shared CI machine may be several times slower.
          timeout: 240_000,
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
      expect(throughput.reconcile.problems).toEqual([]);
      expect(throughput.reconcile.unchecked).toBe(0);
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
      // At least the acceptance's wait (carried on through the stages), its outcome and the issue.
      expect(cost.cases[0].sfn.transitions).toBeGreaterThanOrEqual(3);
      // Saturation: the load in a process of its own, every 201 issued, CPU of each process.
      const { saturation } = report.results;
      expect(saturation.steps.length).toBeGreaterThan(0);
      expect(saturation.reconcile.ok, JSON.stringify(saturation.reconcile)).toBe(true);
      expect(saturation.reconcile.accepted_201).toBeGreaterThan(0);
      expect(saturation.reconcile.issued_by_api).toBe(saturation.reconcile.accepted_201);
      expect(saturation.steps[0].cpu.map((c: { process: string }) => c.process)).toEqual([
        'stack (node)',
        'dynamodb-local (java)',
        'load-0',
      ]);
      expect(saturation.steps[0].cpu[2].pid).not.toBe(saturation.steps[0].cpu[0].pid);
      // The warm-up's cases are in no step but reconciled with the rest.
      const inSteps = saturation.steps.reduce((n: number, st: { submitted: number }) => n + st.submitted, 0);
      expect(saturation.reconcile.accepted_201).toBeGreaterThan(inSteps);
      // DynamoDB Local's CPU by JVM thread: its one storage thread worked for the cases.
      if (process.platform === 'linux')
        expect(saturation.steps.at(-1).dynamodb_local_threads_ms_per_case['sqlite queue']).toBeGreaterThan(0);
      expect(cost.cases[0].dynamodb.wru).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 250_000);

  // Found in CI (issue 10, defect 12): the smoke test hung after "throughput: reconciling…" — in
  // the cost benchmark that follows, which prints nothing until its case is done. It listened for
  // the case's tasks only once the submission's 201 had been read, so an acceptance task opened
  // before that (a busy machine) was never acted on, and it waited 120 s for the case. Holding
  // every reply back makes that ordering certain.
  it('finishes the cost benchmark when replies reach the client late', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yijianshi-bench-late-'));
    const out = join(dir, 'late.json');
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only=cost', `--out=${out}`],
        {
          cwd: repoRoot,
          encoding: 'utf8',
          timeout: 170_000,
          env: {
            ...process.env,
            AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
            BENCH_CLIENT_DELAY_MS: '400',
          },
        },
      );

      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const { cost } = JSON.parse(readFileSync(out, 'utf8')).results;
      expect(cost.cases[0].sfn.execution_status).toBe('SUCCEEDED');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
