/**
 * `npm run bench` — the five benchmarks of bench/README.md, one process each (a process holds one
 * local stack: the handlers cache their configuration and SDK clients per process, as a Lambda
 * container does), printed as tables and written to bench/results/<YYYY-MM-DD>.json.
 *
 *   npm run bench                                  all five
 *   npm run bench -- --only=latency,cost           some of them
 *   npm run bench -- --n=100 --duration=30 --runs=5   smaller counts
 *   npm run bench -- --smoke                       tiny counts, one process, no results file
 *                                                  (unless --out=<file>)
 *
 * Flags: --n, --warmup, --latency-bundle (latency); --duration, --portals, --drain, --poll
 * (throughput, seconds / ms); --runs, --sizes-only, --functions=a.handler,b.task (cold start); --cost-bundles=a,b, --trace (cost); --cpu-prof[=dir] (a V8 profile of the stack's process); --out=<file>, --no-write.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type ColdStartOptions,
  type ColdStartResult,
  coldStartDefaults,
  coldStartTables,
  runColdStart,
} from './cold-start.ts';
import { type CostOptions, type CostResult, costDefaults, costTables, runCost } from './cost.ts';
import {
  type LatencyOptions,
  type LatencyResult,
  latencyDefaults,
  latencyTables,
  runLatency,
} from './latency.ts';
import { type BenchStack, startBenchStack } from './lib/env.ts';
import { fmt } from './lib/stats.ts';
import {
  runSaturation,
  type SaturationOptions,
  type SaturationResult,
  saturationDefaults,
  saturationTables,
} from './saturation.ts';
import {
  runThroughput,
  type ThroughputOptions,
  type ThroughputResult,
  throughputDefaults,
  throughputTables,
} from './throughput.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

export const BENCHMARKS = ['latency', 'throughput', 'cold-start', 'cost', 'saturation'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  latency: LatencyOptions;
  throughput: ThroughputOptions;
  'cold-start': ColdStartOptions;
  cost: CostOptions;
  saturation: SaturationOptions;
}

interface Results {
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  'cold-start'?: ColdStartResult;
  cost?: CostResult;
  saturation?: SaturationResult;
}

const SMOKE: BenchOptions = {
  latency: { n: 3, warmup: 1, bundleId: 'newborn' },
  throughput: { durationS: 2, portals: 2, drainS: 30, pollMs: 50, bundles: ['newborn'], reconcileS: 20 },
  'cold-start': {
    runs: 1,
    only: ['get-health.handler', 'authorize-caller.authorizer'],
    withSourceMaps: [],
    profileRuns: 1,
  },
  cost: { bundles: ['second-hand-housing-transfer'], caseTimeoutS: 30 },
  // Two steps of 3 s, one load process: the stack/load split and the reconciliation, not figures.
  saturation: {
    ...saturationDefaults,
    steps: [1, 2],
    stepS: 3,
    warmupS: 2,
    loadProcesses: 1,
    drainS: 30,
    reconcileS: 20,
    bundles: ['newborn'],
  },
};

// ─── arguments ────────────────────────────────────────────────────────────────────────────────────

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(prefix));
  if (hit === undefined) return undefined;
  return hit.startsWith(prefix) ? hit.slice(prefix.length) : '';
}

function numberFlag(name: string, fallback: number): number {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number (got "${v}")`);
  return n;
}

function optionsFromArgs(): BenchOptions {
  if (flag('smoke') !== undefined) return SMOKE;
  const bundle = flag('latency-bundle');
  return {
    latency: {
      ...latencyDefaults,
      n: numberFlag('n', latencyDefaults.n),
      warmup: numberFlag('warmup', latencyDefaults.warmup),
      ...(bundle ? { bundleId: bundle, services: undefined } : {}),
    },
    throughput: {
      ...throughputDefaults,
      durationS: numberFlag('duration', throughputDefaults.durationS),
      portals: numberFlag('portals', throughputDefaults.portals),
      drainS: numberFlag('drain', throughputDefaults.drainS),
      pollMs: numberFlag('poll', throughputDefaults.pollMs),
    },
    'cold-start': {
      ...coldStartDefaults,
      runs: numberFlag('runs', coldStartDefaults.runs),
      profileRuns: numberFlag('profile-runs', coldStartDefaults.profileRuns),
      sizesOnly: flag('sizes-only') !== undefined,
      only: flag('functions') ? flag('functions')!.split(',') : coldStartDefaults.only,
    },
    cost: {
      ...costDefaults,
      bundles: flag('cost-bundles') ? flag('cost-bundles')!.split(',') : costDefaults.bundles,
      trace: flag('trace') !== undefined,
    },
    saturation: {
      ...saturationDefaults,
      steps: flag('steps') ? flag('steps')!.split(',').map(Number) : saturationDefaults.steps,
      stepS: numberFlag('step', saturationDefaults.stepS),
      warmupS: numberFlag('warmup-s', saturationDefaults.warmupS),
      loadProcesses: numberFlag('load-processes', saturationDefaults.loadProcesses),
    },
  };
}

const elapsed = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// ─── child: run benchmarks in this process ────────────────────────────────────────────────────────

async function runInProcess(names: BenchmarkName[], options: BenchOptions): Promise<Results> {
  const t0 = performance.now();
  const progress = (m: string) => process.stderr.write(`  [${elapsed(t0).padStart(4)}] ${m}\n`);
  const results: Results = {};
  let stack: BenchStack | undefined;
  const stop = async () => {
    await stack?.stop().catch(() => undefined);
    stack = undefined;
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    for (const name of names) {
      if (name === 'cold-start') {
        results['cold-start'] = await runColdStart(options['cold-start'], progress);
        continue;
      }
      stack ??= await startBenchStack(progress);
      if (name === 'latency') results.latency = await runLatency(stack, options.latency, progress);
      if (name === 'throughput')
        results.throughput = await runThroughput(stack, options.throughput, progress);
      if (name === 'cost') results.cost = await runCost(stack, options.cost, progress);
      if (name === 'saturation')
        results.saturation = await runSaturation(stack, options.saturation, progress);
    }
  } finally {
    await stop();
  }
  return results;
}

// ─── parent: one child process per benchmark ──────────────────────────────────────────────────────

function runChild(names: BenchmarkName[], options: BenchOptions): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), 'yijianshi-bench-'));
  const out = join(dir, 'result.json');
  return new Promise<Results>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        // --cpu-prof[=dir]: a V8 CPU profile of the process running the stack (and the benchmark).
        ...(flag('cpu-prof') !== undefined
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${flag('cpu-prof') || join(repoRoot, 'bench', 'results', 'profiles')}`,
            ]
          : []),
        '--import',
        'tsx',
        join(here, 'run.ts'),
        `--child=${names.join(',')}`,
        `--child-out=${out}`,
      ],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          BENCH_OPTIONS: JSON.stringify(options),
          AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
        },
      },
    );
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`${names.join(',')} exited with ${signal ?? code}`);
        resolve(JSON.parse(readFileSync(out, 'utf8')) as Results);
      } catch (err) {
        reject(err);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export function tablesOf(results: Results): string {
  const parts: string[] = [];
  if (results.latency) parts.push(latencyTables(results.latency));
  if (results.throughput) parts.push(throughputTables(results.throughput));
  if (results['cold-start']) parts.push(coldStartTables(results['cold-start']));
  if (results.cost) parts.push(costTables(results.cost));
  if (results.saturation) parts.push(saturationTables(results.saturation));
  return parts.join('\n\n');
}

interface TargetCheck {
  benchmark: string;
  target: string;
  met: boolean;
  detail: string;
}

function targets(r: Results): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const o of r.latency?.operations ?? [])
    out.push({
      benchmark: 'latency',
      target: `${o.operation}: op/raw p50 ≤ ${r.latency!.target_ratio}×`,
      met: o.meets_target,
      detail: `${o.ratio.p50}× (p95 ${o.ratio.p95}×, p99 ${o.ratio.p99}×)`,
    });
  if (r.throughput)
    out.push({
      benchmark: 'throughput',
      target: 'zero errors; every accepted case final; no duplicates',
      met: r.throughput.reconcile.ok,
      detail: `${r.throughput.errors.count} errors, ${r.throughput.reconcile.not_final} not final, ${r.throughput.reconcile.duplicate_case_items} duplicate items, ${r.throughput.reconcile.cases_with_other_than_one_execution} cases without exactly one execution`,
    });
  const cs = r['cold-start'];
  if (cs) {
    const ok = cs.bundles.filter((b) => !b.error);
    out.push({
      benchmark: 'cold-start',
      target: 'bundle ≤ 250 KiB (≤ 100 KiB without the AWS SDK)',
      met: ok.length > 0 && ok.every((b) => b.meets_size_target),
      detail: `${ok.filter((b) => b.meets_size_target).length}/${cs.bundles.length} functions; smallest ${(Math.min(...ok.map((b) => b.bytes)) / 1024).toFixed(0)} KiB, largest ${(Math.max(...ok.map((b) => b.bytes)) / 1024).toFixed(0)} KiB`,
    });
    if (!cs.options.sizesOnly)
      out.push({
        benchmark: 'cold-start',
        target: 'init (ready) ≤ 2× the empty handler',
        met: ok.length > 0 && ok.every((b) => b.meets_init_target),
        detail: `${ok.filter((b) => b.meets_init_target).length}/${cs.bundles.length} functions; ratios ${Math.min(...ok.map((b) => b.ready_ratio)).toFixed(1)}–${Math.max(...ok.map((b) => b.ready_ratio)).toFixed(1)}×`,
      });
  }
  if (r.cost) {
    const eo = r.cost.cases.find((c) => c.bundleId === 'enterprise-opening');
    if (eo) {
      const usd = Object.entries(eo.usd_per_1000_cases);
      out.push({
        benchmark: 'cost',
        target: 'enterprise-opening ≤ $0.50 per 1,000 cases',
        met: usd.every(([, u]) => (u.total ?? Infinity) <= 0.5),
        detail: usd.map(([region, u]) => `$${fmt(u.total ?? 0, 3)} (${region})`).join(', '),
      });
      out.push({
        benchmark: 'cost',
        target: 'enterprise-opening ≤ 50 storage calls and ≤ 20 transitions per case',
        met: eo.storage_calls.total <= 50 && eo.sfn.transitions <= 20,
        detail: `${eo.storage_calls.total} storage calls, ${eo.sfn.transitions} transitions`,
      });
    }
  }
  if (r.saturation) {
    const s = r.saturation;
    out.push({
      benchmark: 'saturation',
      target: 'zero errors; every accepted case issued (reconcile exact)',
      met: s.reconcile.ok,
      detail: `${s.errors.count} errors, ${s.reconcile.accepted_201} accepted, ${s.reconcile.not_issued.length} not issued, ${s.reconcile.unchecked} unchecked`,
    });
    out.push({
      benchmark: 'saturation',
      target: '≥ 20 completed cases/s at the knee (5 detailed bundles, 2 cores)',
      met: s.knee_completed_per_s >= 20,
      detail: `${s.knee_completed_per_s}/s at ${s.knee_portals} portals; busiest: ${s.busiest_at_knee ? `${s.busiest_at_knee.process} ${s.busiest_at_knee.percent} %` : '–'}`,
    });
  }
  return out;
}

function gitInfo(): { commit: string; dirty: boolean } | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

async function main() {
  const childNames = flag('child');
  if (childNames) {
    const options = JSON.parse(process.env.BENCH_OPTIONS ?? 'null') as BenchOptions | null;
    if (!options) throw new Error('--child needs BENCH_OPTIONS');
    const results = await runInProcess(childNames.split(',') as BenchmarkName[], options);
    writeFileSync(flag('child-out')!, JSON.stringify(results));
    process.exit(0); // keep-alive sockets and SDK agents would otherwise hold the process a while
  }

  const t0 = performance.now();
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const smoke = flag('smoke') !== undefined;
  const options = optionsFromArgs();
  const only = flag('only');
  const names = only ? (only.split(',') as BenchmarkName[]) : [...BENCHMARKS];
  for (const n of names)
    if (!BENCHMARKS.includes(n)) throw new Error(`unknown benchmark "${n}" (${BENCHMARKS.join(', ')})`);

  process.stderr.write(
    `yijianshi benchmarks: ${names.join(', ')}${smoke ? ' (smoke: tiny counts)' : ''} — ${cpus().length} cores, Node ${process.version}\n`,
  );
  const results: Results = {};
  const durations: Record<string, number> = {};
  const loadAfter: Record<string, number[]> = {};
  const failures: string[] = [];
  // Smoke: the stack benchmarks in one process (one stack) and the cold start beside it, to stay
  // fast; otherwise one process each, one after the other.
  const stackNames = names.filter((n) => n !== 'cold-start');
  const groups: BenchmarkName[][] = smoke ? (stackNames.length ? [stackNames] : []) : names.map((n) => [n]);
  const alongside =
    smoke && names.includes('cold-start')
      ? runColdStart(options['cold-start'], (m) => process.stderr.write(`  [cold start] ${m}\n`))
      : undefined;
  for (const [i, group] of groups.entries()) {
    const started = performance.now();
    process.stderr.write(`\n▶ ${group.join(', ')} (${i + 1}/${groups.length}), at ${elapsed(t0)}\n`);
    try {
      const r = await runChild(group, options);
      Object.assign(results, r);
      for (const n of group) {
        durations[n] = Math.round((performance.now() - started) / 1000);
        loadAfter[n] = loadavg().map((l) => Math.round(l * 100) / 100);
      }
      process.stdout.write(`\n${tablesOf(r)}\n`);
    } catch (err) {
      failures.push(`${group.join(',')}: ${(err as Error).message}`);
      process.stderr.write(`✗ ${group.join(', ')} failed: ${(err as Error).message}\n`);
    }
  }
  if (alongside) {
    try {
      results['cold-start'] = await alongside;
      process.stdout.write(`\n${tablesOf({ 'cold-start': results['cold-start'] })}\n`);
    } catch (err) {
      failures.push(`cold-start: ${(err as Error).message}`);
    }
  }

  const checks = targets(results);
  const summary = checks.map((c) => `  ${c.met ? '✓' : '✗'} ${c.benchmark}: ${c.target} — ${c.detail}`);
  process.stdout.write(`\nTargets\n${summary.join('\n')}\n`);
  const date = new Date();
  const report = {
    date: date.toISOString(),
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      // The machine is shared: other work running meanwhile shows here (1-, 5-, 15-minute averages).
      load_average_at_start: loadAtStart,
      load_average_at_end: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    git: gitInfo(),
    smoke,
    options,
    durations_s: durations,
    load_average_after: loadAfter,
    total_s: Math.round((performance.now() - t0) / 1000),
    targets: checks,
    failures,
    results,
  };
  const noWrite = flag('no-write') !== undefined || (smoke && !flag('out'));
  const out = flag('out') || join(here, 'results', `${date.toISOString().slice(0, 10)}.json`);
  if (!noWrite) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.stderr.write(
    `\nDone in ${elapsed(t0)}${noWrite ? '' : `; results in ${out}`}${failures.length ? `; ${failures.length} failed` : ''}\n`,
  );
  process.exit(failures.length ? 1 : 0);
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly)
  main().catch((err: Error) => {
    process.stderr.write(`\nbench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
