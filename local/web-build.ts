/**
 * Builds the reference web apps (web/ → web/dist, Vite) when their sources are newer than the
 * build: `npm start` and the browser test call it; an up-to-date build costs one directory walk.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lambda-registry.ts';
import { WEB_DIST } from './web-assets.ts';

const WEB_DIR = join(repoRoot, 'web');
const STAMP = join(WEB_DIST, 'index.html');
/** Where builds are written before they become web/dist (same file system, outside web/). */
const BUILDS = join(repoRoot, 'node_modules', '.cache', 'yijianshi-web');

/** Replaces web/dist with `fresh` by two renames; a build another process swapped in first wins. */
function swapInto(fresh: string): void {
  const old = `${fresh}-old`;
  try {
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(fresh, WEB_DIST);
  } catch {
    // Another build took the place in between: its output is as fresh as ours.
    rmSync(fresh, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

/** The newest modification time of the web sources (web/ without dist), and of the lock file. */
function newestSource(dir: string = WEB_DIR): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== WEB_DIST && entry.name !== 'node_modules') newest = Math.max(newest, newestSource(path));
    } else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function webBuildIsStale(): boolean {
  if (!existsSync(STAMP)) return true;
  const lock = join(repoRoot, 'package-lock.json');
  const sources = Math.max(newestSource(), existsSync(lock) ? statSync(lock).mtimeMs : 0);
  return sources > statSync(STAMP).mtimeMs;
}

/** Builds web/dist if it is missing or older than its sources; says so through `progress`. */
export async function ensureWebBuild(progress: (message: string) => void = () => undefined): Promise<void> {
  if (!webBuildIsStale()) {
    progress('web apps up to date (web/dist)');
    return;
  }
  const t0 = Date.now();
  progress('building the web apps (Vite → web/dist)…');
  // Built beside, then swapped in: a reader of web/dist (the dev server, a CDK synth hashing it
  // for the stack's deployment) never sees it emptied and half written.
  mkdirSync(BUILDS, { recursive: true });
  const fresh = join(BUILDS, `dist-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  // Vite builds for production only when NODE_ENV says so or is unset; under vitest it is "test",
  // which would ship Preact's development JSX (with the sources' absolute paths) and no minified JSX.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(WEB_DIR, 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir: fresh, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  swapInto(fresh);
  progress(`web apps built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
