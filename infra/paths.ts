/**
 * Where things are, resolved from this file rather than from the working directory, so `cdk synth`,
 * vitest and an editor's test runner all find the same files wherever they are started from.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: package.json, package-lock.json, functions/, statemachines/, cities/. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const citiesDir = join(repoRoot, 'cities');
export const functionsDir = join(repoRoot, 'functions');

/** The case flow's ASL: the very file the local runtime (local/state-machines.ts) executes. */
export const caseFlowAslPath = join(repoRoot, 'statemachines', 'case-flow.asl.json');
