/**
 * Where a bundle's init time goes, from V8 CPU profiles of fresh processes (`node --cpu-prof`), for
 * the cold-start benchmark's functions that miss the init target: each sample's self time is put in
 * one category —
 *
 *  - the bundle's own code, by what its source map says the code came from: `zod`, `AWS SDK`,
 *    `other packages`, `project code` (top-level code: building schemas, tables, clients);
 *  - `Node built-ins`: Node's public modules the bundle imports (node:https, node:tls, node:crypto…)
 *    and their internals, loaded and run for the first time (`node:internal/bootstrap/realm` compiles
 *    a built-in on its first require);
 *  - `module loading`: Node's ESM/CJS loader, which also reads and compiles (V8) the bundle itself;
 *  - `GC`: the garbage collector;
 *  - `node start`: everything else (bootstrap, pre-execution, the probe; the empty handler's share).
 *
 * Side by side with the empty handler's profile, the differences say what the bundle adds. A
 * profile costs time of its own (sampling), so the categories are shares, not the benchmark's ms.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

export const INIT_CATEGORIES = [
  'zod',
  'AWS SDK',
  'other packages',
  'project code',
  'Node built-ins',
  'module loading',
  'GC',
  'node start',
] as const;
export type InitCategory = (typeof INIT_CATEGORIES)[number];
export type InitProfile = Record<InitCategory, number>;

/** What `node --cpu-prof` writes (the parts read here). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

export function emptyInitProfile(): InitProfile {
  return Object.fromEntries(INIT_CATEGORIES.map((c) => [c, 0])) as InitProfile;
}

/** The category of a source file of the bundle (a path from its source map). */
export function categoryOfSource(source: string): InitCategory {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(source);
  if (!m) return 'project code';
  const pkg = m[1]!;
  if (pkg === 'zod') return 'zod';
  if (/^@(aws-sdk|smithy|aws-crypto)\//.test(pkg) || pkg === 'aws4') return 'AWS SDK';
  return 'other packages';
}

/** The category of a frame outside the bundle, by the script it runs in. */
export function categoryOfNodeFrame(url: string, functionName: string): InitCategory {
  if (functionName === '(garbage collector)') return 'GC';
  if (/^node:internal\/modules\//.test(url) || url === 'node:internal/vm') return 'module loading';
  if (url === 'node:internal/bootstrap/realm') return 'Node built-ins';
  if (/^node:(?!internal\/(bootstrap|main|process)\/)/.test(url)) return 'Node built-ins';
  return 'node start';
}

/**
 * Self time (ms) per category of one profile. `bundleUrl` is the file URL of the bundle; its frames
 * are mapped through `map` (undefined: all of them `project code`).
 */
export function categorise(profile: CpuProfile, bundleUrl: string, map?: TraceMap): InitProfile {
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const out = emptyInitProfile();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    if (!us) continue;
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    let category: InitCategory;
    if (url === bundleUrl) {
      const source = map
        ? originalPositionFor(map, { line: lineNumber + 1, column: columnNumber }).source
        : undefined;
      category = categoryOfSource(source ?? '');
    } else category = categoryOfNodeFrame(url, functionName);
    out[category] += us / 1000;
  }
  return out;
}

/** The mean per category of every profile in `dir` (the runs of one bundle); undefined if there is none. */
export function meanProfile(dir: string, bundleFile: string): InitProfile | undefined {
  const url = `file://${bundleFile}`;
  let map: TraceMap | undefined;
  try {
    map = new TraceMap(readFileSync(`${bundleFile}.map`, 'utf8'));
  } catch {
    map = undefined;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return undefined;
  const sum = emptyInitProfile();
  for (const f of files) {
    const p = categorise(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, url, map);
    for (const c of INIT_CATEGORIES) sum[c] += p[c];
  }
  for (const c of INIT_CATEGORIES) sum[c] = Math.round((sum[c] / Math.max(1, files.length)) * 10) / 10;
  return sum;
}
