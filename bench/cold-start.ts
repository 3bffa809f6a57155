/**
 * Cold start. Every Lambda entry file (functions/<name>.<kind>.ts) is bundled with esbuild the way
 * infra/constructs/handler-function.ts has NodejsFunction do it (ESM, minified, platform node,
 * target from LAMBDA_RUNTIME, AWS SDK bundled, the createRequire banner, module-first main fields),
 * beside an empty handler bundled the same way. Reported per bundle: its minified size, and what
 * zod, middy, Powertools and the AWS SDK contribute to it (esbuild metafile: each input's
 * bytesInOutput, grouped by package). Then module initialisation: fresh `node` processes import
 * each bundle — many runs, the bundles interleaved in a new random order every round — with the
 * environment a deployed function has (TABLE_NAME …, CATALOG_FILE = the Changzhou catalog, and
 * no NODE_OPTIONS, as the construct deploys by default), and a few once more with
 * NODE_OPTIONS=--enable-source-maps (what `cdk deploy -c sourceMaps=true` sets).
 */
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BundleOptions, lambdaAliases } from '../infra/lambda-bundling.ts';
import { validatedCatalogFile } from '../infra/validated-catalog.ts';
import type { Progress } from './lib/env.ts';
import { INIT_CATEGORIES, type InitProfile, meanProfile } from './lib/init-profile.ts';
import { fmt as fmtNumber, round, type Summary, summarize, table } from './lib/stats.ts';

/** A figure read back from a results file may be null (JSON has no NaN): printed as "–". */
const fmt = (v: number | null | undefined, digits?: number) => fmtNumber(v ?? undefined, digits);

const repoRoot = join(fileURLToPath(new URL('.', import.meta.url)), '..');

export interface ColdStartOptions {
  /** Fresh processes per bundle and variant. */
  runs: number;
  /** Only these entry files (names without .ts); all when empty. */
  only: string[];
  /** Also measured with --enable-source-maps (a few, to keep the run short; deployed only with -c sourceMaps=true). */
  withSourceMaps: string[];
  /** Bundle and report sizes only: no fresh processes, no init timings (deterministic, cheap). */
  sizesOnly?: boolean;
  /**
   * Fresh processes under `node --cpu-prof` for each function that misses the init target (and the
   * empty handler): where its init time goes (lib/init-profile.ts). 0 = none.
   */
  profileRuns: number;
}

/** Fresh processes of the empty handler (as deployed, no source maps) per round. */
const EMPTY_PER_ROUND = 4;

export const coldStartDefaults: ColdStartOptions = {
  runs: 10,
  only: [],
  withSourceMaps: [
    'get-form.handler',
    'authorize-caller.authorizer',
    'submit-case.handler',
    'open-task.task',
  ],
  profileRuns: 5,
};

export const TARGET_BYTES = 250 * 1024;
/** The budget of a function that carries no AWS SDK at all (it talks to nothing but its caller). */
export const TARGET_BYTES_NO_SDK = 100 * 1024;
export const TARGET_INIT_RATIO = 2;

/**
 * A function's size budget: 250 KiB, or 100 KiB when its bundle holds no AWS SDK client code
 * (no @aws-sdk/* or @smithy/* module; @aws/lambda-invoke-store alone is Powertools' too).
 */
export function sizeBudget(inputs: Readonly<Record<string, number>>): number {
  const sdk = Object.entries(inputs).some(
    ([p, bytes]) => bytes > 0 && /node_modules\/@(aws-sdk|smithy)\//.test(p),
  );
  return sdk ? TARGET_BYTES : TARGET_BYTES_NO_SDK;
}

export interface BundleReport {
  /** e.g. "submit-case.handler" */
  name: string;
  bytes: number;
  /** Bytes in the output contributed by each group. */
  groups: Record<string, number>;
  /** The five packages (or project folders) contributing most. */
  top: { source: string; bytes: number }[];
  /** TARGET_BYTES, or TARGET_BYTES_NO_SDK for a bundle without the AWS SDK. */
  budget_bytes: number;
  /** Fresh process: import() of the bundle alone, ms. */
  import_ms: Summary;
  /** Fresh process: from process start until the bundle is loaded (Node bootstrap included), ms. */
  ready_ms: Summary;
  /** With NODE_OPTIONS=--enable-source-maps (`-c sourceMaps=true`), for the functions in `withSourceMaps`. */
  import_ms_with_source_maps?: Summary;
  ready_ms_with_source_maps?: Summary;
  /** ready p50 ÷ the empty handler's ready p50, as deployed. */
  ready_ratio: number;
  import_ratio: number;
  meets_size_target: boolean;
  meets_init_target: boolean;
  /** Of a function that missed the init target (and the empty handler): CPU profile ms by category. */
  init_profile_ms?: InitProfile;
  error?: string;
}

export interface ColdStartResult {
  options: ColdStartOptions;
  esbuild: string;
  node: string;
  target: string;
  empty: BundleReport;
  bundles: BundleReport[];
  catalog_load_ms: Summary;
  notes: string[];
}

/** The bundling defaults, read from the construct itself so the benchmark cannot drift from it. */
function constructSettings(): { banner: string; target: string } {
  const source = readFileSync(join(repoRoot, 'infra', 'constructs', 'handler-function.ts'), 'utf8');
  const banner = /ESM_REQUIRE_BANNER\s*=\s*\n?\s*"([^"]+)"/.exec(source)?.[1];
  const runtime = /Runtime\.NODEJS_(\d+)_X/.exec(source)?.[1];
  if (!banner || !runtime)
    throw new Error('infra/constructs/handler-function.ts changed shape: update bench/cold-start.ts');
  return { banner, target: `node${runtime}` };
}

function groupOf(path: string): { group: string; source: string } {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  if (!m) {
    const folder = path.replace(/^\.\.?\//, '').split('/')[0] ?? path;
    return { group: 'project code', source: `${folder}/` };
  }
  const pkg = m[1]!;
  if (pkg === 'zod') return { group: 'zod', source: pkg };
  if (pkg.startsWith('@middy/')) return { group: 'middy', source: pkg };
  if (pkg.startsWith('@aws-lambda-powertools/')) return { group: 'Powertools', source: pkg };
  if (
    /^@(aws-sdk|smithy|aws-crypto)\//.test(pkg) ||
    [
      'fast-xml-parser',
      'strnum',
      'bowser',
      'tslib',
      'uuid',
      '@aws/lambda-invoke-store',
      // DynamoDB's endpoint-discovery cache
      'mnemonist',
      'obliterator',
    ].includes(pkg)
  )
    return { group: 'AWS SDK', source: pkg };
  return { group: 'other packages', source: pkg };
}

const GROUPS = ['zod', 'middy', 'Powertools', 'AWS SDK', 'project code', 'other packages'];

/**
 * The catalog as a deployed bundle has it (infra/validated-catalog.ts: validated, normalised,
 * marked), written into `dir` with the city's places.json beside it, as the bundling copies them.
 */
export function deployedCatalog(dir: string, city = 'changzhou'): string {
  const file = validatedCatalogFile(join(repoRoot, 'cities', city, 'catalog.json'), dir);
  const places = join(repoRoot, 'cities', city, 'places.json');
  if (existsSync(places)) copyFileSync(places, join(dir, 'places.json'));
  return file;
}

export function lambdaEnv(
  name: string,
  taskRoot: string,
  sourceMaps: boolean,
  /** CATALOG_FILE: a catalog as deployed (`deployedCatalog`), as every bundle reads it. */
  catalogFile: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00',
    AWS_SECRET_ACCESS_KEY: 'example-secret-key-example-secret-key-0000',
    AWS_SESSION_TOKEN: 'example-session-token',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: taskRoot,
    TABLE_NAME: 'Yijianshi-changzhou-Table',
    BUCKET_NAME: 'yijianshi-changzhou-files',
    CITY_ID: 'changzhou',
    CATALOG_FILE: catalogFile,
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:yijianshi-changzhou-case-flow',
    TOKEN_SECRET: 'b'.repeat(64),
    SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/yijianshi-changzhou-webhooks',
    PUBLIC_BASE_URL: 'https://api.example.gov.cn/v1',
    LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'yijianshi',
    AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

const PROBE = `const t0 = performance.now();
const m = await import(process.argv[2]);
const t1 = performance.now();
let extra;
if (process.argv[3] === 'catalog') { const s = performance.now(); m.loadCatalogFile(process.env.CATALOG_FILE); extra = performance.now() - s; }
if (process.argv[3] !== 'catalog' && typeof m.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t1, extra }));
`;

function runProbe(
  probe: string,
  bundle: string,
  env: NodeJS.ProcessEnv,
  mode = '',
  execArgv: string[] = [],
): Promise<{ importMs: number; readyMs: number; extra?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, probe, bundle, mode], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${bundle}: exit ${code}: ${err.slice(0, 500)}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`${bundle}: unreadable probe output ${out.slice(0, 200)} ${err.slice(0, 300)}`));
      }
    });
  });
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

type Built = { file: string; bytes: number; inputs: Record<string, number> } | { error: string };

/** The entry files of functions/ (names without .ts), optionally only some of them. */
export function functionEntries(only: readonly string[] = []): string[] {
  return readdirSync(join(repoRoot, 'functions'))
    .filter((f) => /^[\w-]+\.[a-z]+\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((n) => only.length === 0 || only.includes(n))
    .sort();
}

/**
 * Bundles the given entries (name → entry file) into `dir`/<name>/index.mjs exactly as the construct
 * does, one esbuild call for all (no code splitting: every output is a self-contained bundle, as one
 * NodejsFunction builds it); entry by entry if one of them does not build.
 */
/**
 * What infra/city-stack.ts tells the construct about each function (whether its route takes
 * Idempotency-Keys), by entry name. Read in a child process: loading the route specs loads every
 * handler and its module-scope SDK clients, which must not happen in a benchmark process before its
 * stack has set the environment they read.
 */
export async function bundleOptions(): Promise<Map<string, BundleOptions>> {
  const script = `const { httpRoutes } = await import('./functions/routes.ts');
const { takesIdempotencyKey } = await import('./adapters/http/handler.ts');
process.stdout.write('\\n' + JSON.stringify(Object.fromEntries(httpRoutes.map((r) => [r.name + '.handler', takesIdempotencyKey(r)]))));`;
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true' },
    },
  );
  const takes = JSON.parse(out.slice(out.lastIndexOf('\n') + 1)) as Record<string, boolean>;
  return new Map(Object.entries(takes).map(([name, key]) => [name, { takesIdempotencyKey: key }]));
}

export async function bundleEntries(
  all: Record<string, string>,
  dir: string,
  optionsOf?: (name: string) => BundleOptions,
): Promise<Map<string, Built>> {
  const known = optionsOf ? undefined : await bundleOptions();
  const optionsFor = optionsOf ?? ((name: string) => known?.get(name) ?? {});
  const esbuild = await import('esbuild');
  const { banner, target } = constructSettings();
  const built = new Map<string, Built>();
  const settings: import('esbuild').BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: banner },
    metafile: true,
    absWorkingDir: repoRoot,
    logLevel: 'silent',
    outExtension: { '.js': '.mjs' },
  };
  const record = (name: string, metafile: import('esbuild').Metafile) => {
    const outfile = join(dir, name, 'index.mjs');
    const output = Object.entries(metafile.outputs).find(([k]) => k.endsWith(`${name}/index.mjs`))?.[1];
    if (!output) throw new Error(`no output for ${name}`);
    const inputs = Object.fromEntries(Object.entries(output.inputs).map(([k, v]) => [k, v.bytesInOutput]));
    built.set(name, { file: outfile, bytes: statSync(outfile).size, inputs });
  };
  // One build per set of aliases (most functions share one).
  const groups = new Map<string, { alias: Record<string, string>; names: string[] }>();
  for (const name of Object.keys(all)) {
    const alias = lambdaAliases(optionsFor(name));
    const key = JSON.stringify(alias);
    const group = groups.get(key) ?? { alias, names: [] };
    group.names.push(name);
    groups.set(key, group);
  }
  for (const { alias, names } of groups.values()) {
    try {
      const r = await esbuild.build({
        ...settings,
        alias,
        entryPoints: Object.fromEntries(names.map((n) => [`${n}/index`, all[n]!])),
        outdir: dir,
      });
      for (const name of names) record(name, r.metafile!);
    } catch {
      for (const name of names) {
        try {
          const r = await esbuild.build({
            ...settings,
            alias,
            entryPoints: { [`${name}/index`]: all[name]! },
            outdir: dir,
          });
          record(name, r.metafile!);
        } catch (err) {
          built.set(name, { error: (err as Error).message.split('\n').slice(0, 3).join(' ') });
        }
      }
    }
  }
  return built;
}

/** Bytes per group and the top contributors of one bundle, from its metafile inputs. */
export function contributions(inputs: Readonly<Record<string, number>>): {
  groups: Record<string, number>;
  top: { source: string; bytes: number }[];
} {
  const groups: Record<string, number> = Object.fromEntries(GROUPS.map((g) => [g, 0]));
  const sources = new Map<string, number>();
  for (const [path, bytes] of Object.entries(inputs)) {
    const { group, source } = groupOf(path);
    groups[group] = (groups[group] ?? 0) + bytes;
    sources.set(source, (sources.get(source) ?? 0) + bytes);
  }
  const top = [...sources.entries()]
    .sort((a, c) => c[1] - a[1])
    .slice(0, 5)
    .map(([source, bytes]) => ({ source, bytes }));
  return { groups, top };
}

export async function runColdStart(options: ColdStartOptions, progress: Progress): Promise<ColdStartResult> {
  const esbuild = await import('esbuild');
  const { target } = constructSettings();
  const dir = mkdtempSync(join(tmpdir(), 'yijianshi-cold-'));
  try {
    const functionsDir = join(repoRoot, 'functions');
    const entries = functionEntries(options.only);
    const emptyEntry = join(dir, 'empty.handler.ts');
    writeFileSync(emptyEntry, "export const handler = async () => ({ statusCode: 200, body: '' });\n");
    const catalogEntry = join(dir, 'catalog-probe.ts');
    writeFileSync(
      catalogEntry,
      `export { loadCatalogFile } from ${JSON.stringify(join(repoRoot, 'adapters', 'catalog', 'file-catalog.ts'))};\n`,
    );

    // ── bundle ───────────────────────────────────────────────────────────────────────────────────
    const t0 = performance.now();
    const all: Record<string, string> = {
      'empty.handler': emptyEntry,
      'catalog-probe': catalogEntry,
      ...Object.fromEntries(entries.map((n) => [n, join(functionsDir, `${n}.ts`)])),
    };
    const built = await bundleEntries(all, dir);
    const catalogFile = deployedCatalog(join(dir, 'catalog'));
    progress(
      `cold start: bundled ${entries.length} functions + empty handler in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // ── initialise, interleaved ──────────────────────────────────────────────────────────────────
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const ok = ['empty.handler', ...entries].filter((n) => !('error' in built.get(n)!));
    const variants = (n: string) =>
      n === 'empty.handler' || options.withSourceMaps.includes(n) ? [false, true] : [false];
    const times = new Map<string, { importMs: number[]; readyMs: number[] }>();
    const key = (n: string, sm: boolean) => `${n}|${sm}`;
    const catalogMs: number[] = [];
    const errors = new Map<string, string>();
    const t1 = performance.now();
    const runs = options.sizesOnly ? 0 : options.runs;
    for (let run = 0; run < runs; run++) {
      const jobs = shuffle([
        ...ok.flatMap((n) => variants(n).map((sm) => ({ n, sm }))),
        // The empty handler is every ratio's denominator: sampled EMPTY_PER_ROUND times a round
        // (at random places among the others), so its p50 is not one noisy figure shared by all.
        ...Array.from({ length: EMPTY_PER_ROUND - 1 }, () => ({ n: 'empty.handler', sm: false })),
        { n: 'catalog-probe', sm: false },
      ]);
      for (const { n, sm } of jobs) {
        const b = built.get(n)!;
        if ('error' in b || errors.has(n)) continue;
        try {
          const r = await runProbe(
            probe,
            b.file,
            lambdaEnv(n, join(dir, n), sm, catalogFile),
            n === 'catalog-probe' ? 'catalog' : '',
          );
          if (n === 'catalog-probe') catalogMs.push(r.extra ?? Number.NaN);
          else {
            const t = times.get(key(n, sm)) ?? { importMs: [], readyMs: [] };
            t.importMs.push(r.importMs);
            t.readyMs.push(r.readyMs);
            times.set(key(n, sm), t);
          }
        } catch (err) {
          errors.set(n, (err as Error).message.slice(0, 300));
        }
      }
      progress(
        `cold start: round ${run + 1}/${runs} (${jobs.length} fresh processes) ${((performance.now() - t1) / 1000).toFixed(0)} s`,
      );
    }

    // ── where the init time goes, for those that miss the target ───────────────────────────────
    const readyP50 = (n: string) => summarize(times.get(key(n, false))?.readyMs ?? []).p50;
    const missing = ok.filter(
      (n) =>
        n !== 'empty.handler' &&
        !errors.has(n) &&
        readyP50(n) / readyP50('empty.handler') > TARGET_INIT_RATIO,
    );
    const profiles = new Map<string, InitProfile>();
    if (runs > 0 && options.profileRuns > 0 && missing.length) {
      const profiled = ['empty.handler', ...missing];
      for (let run = 0; run < options.profileRuns; run++)
        for (const n of shuffle([...profiled])) {
          const b = built.get(n)!;
          if ('error' in b) continue;
          const profDir = join(dir, 'profiles', n);
          mkdirSync(profDir, { recursive: true });
          // A profile that fails leaves its function without one; the timings above stand.
          await runProbe(probe, b.file, lambdaEnv(n, join(dir, n), false, catalogFile), '', [
            '--cpu-prof',
            `--cpu-prof-dir=${profDir}`,
            '--cpu-prof-interval=100',
          ]).catch(() => undefined);
        }
      for (const n of profiled) {
        const b = built.get(n)!;
        const p = 'error' in b ? undefined : meanProfile(join(dir, 'profiles', n), b.file);
        if (p) profiles.set(n, p);
      }
      progress(
        `cold start: profiled ${missing.length} function(s) over the init target and the empty handler`,
      );
    }

    const report = (name: string): BundleReport => {
      const b = built.get(name)!;
      // As deployed by default: no --enable-source-maps.
      const empty = times.get(key('empty.handler', false));
      if ('error' in b || errors.has(name))
        return {
          name,
          bytes: 0,
          groups: {},
          top: [],
          budget_bytes: TARGET_BYTES,
          import_ms: summarize([]),
          ready_ms: summarize([]),
          ready_ratio: Number.NaN,
          import_ratio: Number.NaN,
          meets_size_target: false,
          meets_init_target: false,
          error: 'error' in b ? `bundle: ${b.error}` : `init: ${errors.get(name)}`,
        };
      const { groups, top } = contributions(b.inputs);
      const budget = sizeBudget(b.inputs);
      const t = times.get(key(name, false)) ?? { importMs: [], readyMs: [] };
      const tn = times.get(key(name, true));
      const ready = summarize(t.readyMs);
      const imp = summarize(t.importMs);
      const readyRatio = ready.p50 / summarize(empty?.readyMs ?? []).p50;
      return {
        name,
        bytes: b.bytes,
        groups,
        top,
        budget_bytes: budget,
        import_ms: imp,
        ready_ms: ready,
        ...(tn
          ? {
              import_ms_with_source_maps: summarize(tn.importMs),
              ready_ms_with_source_maps: summarize(tn.readyMs),
            }
          : {}),
        ready_ratio: round(readyRatio),
        import_ratio: round(imp.p50 / summarize(empty?.importMs ?? []).p50, 1),
        meets_size_target: b.bytes <= budget,
        meets_init_target: readyRatio <= TARGET_INIT_RATIO,
        ...(profiles.has(name) ? { init_profile_ms: profiles.get(name)! } : {}),
      };
    };
    return {
      options,
      esbuild: esbuild.version,
      node: process.version,
      target,
      empty: report('empty.handler'),
      bundles: entries.map(report),
      catalog_load_ms: summarize(catalogMs),
      notes: [
        `Bundled like infra/constructs/handler-function.ts: esbuild ${esbuild.version}, ESM, minify, platform node, target ${target}, main fields module,main, createRequire banner, AWS SDK bundled; sizes are index.mjs without its source map (KiB = 1,024 bytes).`,
        'Contributions: esbuild metafile, bytesInOutput of each input, grouped by package (AWS SDK = @aws-sdk/*, @smithy/*, @aws-crypto/* and their small helpers).',
        ...(options.sizesOnly
          ? ['Init: not measured (--sizes-only).']
          : [
              `Init: fresh \`node\` (${process.version}; Lambda runs Node 22) per measurement; "ready" = process start → bundle imported (performance.now() in the child), "import" = the import() alone. ${options.runs} runs per bundle (the empty handler, every ratio's denominator, ${EMPTY_PER_ROUND}× as many), all in a new random order each round. Env as deployed by default (no NODE_OPTIONS); "with maps" = NODE_OPTIONS=--enable-source-maps, what \`-c sourceMaps=true\` deploys (${['empty handler', ...options.withSourceMaps].join(', ')}).`,
            ]),
        'The catalog (CATALOG_FILE) is read lazily, on the first request that needs it: measured separately (catalog load). It is the file a stack deploys beside each bundle (infra/validated-catalog.ts: validated and normalised at deployment), which a bundle takes as it is; before 2026-12-03 each container validated it with the schema (~30 ms).',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (b: number) => (b / 1024).toFixed(1);

export function coldStartTables(r: ColdStartResult): string {
  const sizesOnly = r.options.sizesOnly === true;
  const rows = [r.empty, ...r.bundles].map((b) =>
    b.error
      ? [b.name, 'ERROR', '', '', '', '', '', '', '', '', '', '', '', b.error.slice(0, 100)]
      : [
          b.name,
          kib(b.bytes),
          kib(b.groups.zod ?? 0),
          kib(b.groups.middy ?? 0),
          kib(b.groups.Powertools ?? 0),
          kib(b.groups['AWS SDK'] ?? 0),
          kib(b.groups['project code'] ?? 0),
          kib(b.groups['other packages'] ?? 0),
          fmt(b.import_ms.p50),
          fmt(b.ready_ms.p50),
          fmt(b.ready_ms_with_source_maps?.p50),
          `${fmt(b.ready_ratio, 2)}×`,
          String(b.budget_bytes / 1024),
          `${b.meets_size_target ? 'ok' : 'SIZE'}${sizesOnly || b.meets_init_target ? '' : ' INIT'}`,
        ],
  );
  const main = table(
    `Bundles and cold start (targets: ≤ ${TARGET_BYTES / 1024} KiB, ≤ ${TARGET_BYTES_NO_SDK / 1024} KiB without the AWS SDK; ready ≤ ${TARGET_INIT_RATIO}× the empty handler). Sizes KiB; ${sizesOnly ? 'sizes only (no init measured)' : `times p50 ms over ${r.options.runs} fresh processes`}`,
    [
      'function',
      'size',
      'zod',
      'middy',
      'Powertools',
      'AWS SDK',
      'project',
      'other',
      'import',
      'ready',
      'ready, with maps',
      'ready/empty',
      'budget',
      'targets',
    ],
    rows,
  );
  const missed = r.bundles.filter(
    (b) => !b.error && (!b.meets_size_target || (!sizesOnly && !b.meets_init_target)),
  );
  const tops = table(
    'Top contributors of the functions that miss a target (KiB in the bundle)',
    ['function', 'top contributors'],
    missed.map((b) => [b.name, b.top.map((t) => `${t.source} ${kib(t.bytes)}`).join(', ')]),
  );
  const profiled = [r.empty, ...r.bundles].filter((b) => b.init_profile_ms);
  const profileTable = table(
    `Where the init time goes, of the functions over the init target (V8 CPU profile, mean ms of ${r.options.profileRuns} fresh processes each; sampling adds time of its own, so compare a row with the empty handler's, not with "ready"; lib/init-profile.ts)`,
    ['function', ...INIT_CATEGORIES, 'in all', 'over the empty handler'],
    profiled.map((b) => {
      const p = b.init_profile_ms!;
      const all = INIT_CATEGORIES.reduce((sum, c) => sum + p[c], 0);
      const e = r.empty.init_profile_ms;
      const over =
        b === r.empty || !e
          ? '–'
          : INIT_CATEGORIES.map((c) => [c, p[c] - e[c]] as const)
              .filter(([, d]) => d >= 0.5)
              .sort((x, y) => y[1] - x[1])
              .map(([c, d]) => `${c} +${fmt(d, 1)}`)
              .join(', ');
      return [b.name, ...INIT_CATEGORIES.map((c) => fmt(p[c], 1)), fmt(all, 1), over];
    }),
  );
  const noSdk = r.bundles.filter((b) => !b.error && b.budget_bytes === TARGET_BYTES_NO_SDK);
  const summary = [
    `  ≤ ${TARGET_BYTES / 1024} KiB: ${r.bundles.filter((b) => !b.error && b.bytes <= TARGET_BYTES).length}/${r.bundles.length}; without the AWS SDK: ${noSdk.length} (${noSdk.map((b) => b.name).join(', ') || 'none'}), ≤ ${TARGET_BYTES_NO_SDK / 1024} KiB: ${noSdk.filter((b) => b.bytes <= TARGET_BYTES_NO_SDK).length}/${noSdk.length}`,
    `  size target met by ${r.bundles.filter((b) => b.meets_size_target).length}/${r.bundles.length}${sizesOnly ? '' : `; init target met by ${r.bundles.filter((b) => b.meets_init_target).length}/${r.bundles.length}`}`,
    `  empty handler: import p50 ${fmt(r.empty.import_ms.p50, 2)} ms, ready p50 ${fmt(r.empty.ready_ms.p50)} ms; catalog load on first use (validated at deployment) p50 ${fmt(r.catalog_load_ms.p50)} ms`,
  ];
  return [
    main,
    '',
    ...(missed.length ? [tops, ''] : []),
    ...(profiled.length > 1 ? [profileTable, ''] : []),
    ...summary,
    '',
    ...r.notes.map((n) => `  note: ${n}`),
  ].join('\n');
}

/**
 * `npx tsx bench/cold-start.ts --sizes-only [--only=a.handler,b.task] [--top]`: the size table alone
 * (seconds, deterministic, safe on a busy machine); `--top` lists every function's top contributors.
 */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const only = arg('only')?.split('=')[1]?.split(',').filter(Boolean) ?? [];
  const runs = Number(arg('runs')?.split('=')[1] ?? coldStartDefaults.runs);
  const r = await runColdStart(
    { ...coldStartDefaults, only, runs, sizesOnly: arg('sizes-only') !== undefined },
    (m) => process.stderr.write(`  ${m}\n`),
  );
  process.stdout.write(`${coldStartTables(r)}\n`);
  if (arg('top'))
    process.stdout.write(
      `\n${table(
        'Top contributors (KiB in the bundle)',
        ['function', 'size', 'top contributors'],
        [r.empty, ...r.bundles].map((b) => [
          b.name,
          kib(b.bytes),
          b.top.map((t) => `${t.source} ${kib(t.bytes)}`).join(', '),
        ]),
      )}\n`,
    );
}
