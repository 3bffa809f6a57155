#!/usr/bin/env node
// Fetches AWS's DynamoDB Local (the jar ships inside the npm package amplify-dynamodb-simulator)
// without installing that package's ~350 MB dependency tree: `npm pack` the one tarball from the
// npm registry and extract only its emulator/ folder into node_modules/.cache/dynamodb-local.
// Idempotent; runs as the project's postinstall and again (cheaply) before start and tests.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const emulatorDir = join(root, 'node_modules', '.cache', 'dynamodb-local');
export const jarPath = join(emulatorDir, 'DynamoDBLocal.jar');

export function ensureDynamoDbLocal({ quiet = false } = {}) {
  if (existsSync(jarPath)) return jarPath;
  const log = (m) => quiet || process.stderr.write(`[dynamodb-local] ${m}\n`);
  log(`fetching ${PACKAGE} from the npm registry (one tarball, emulator only)…`);
  const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', PACKAGE, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
    execFileSync('tar', ['-xzf', join(work, tgz), '-C', work, 'package/emulator']);
    mkdirSync(dirname(emulatorDir), { recursive: true });
    rmSync(emulatorDir, { recursive: true, force: true });
    renameSync(join(work, 'package', 'emulator'), emulatorDir);
    log(`ready: ${jarPath}`);
    return jarPath;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureDynamoDbLocal();
  } catch (err) {
    // Never fail `npm install` for this: start and tests retry and report clearly.
    process.stderr.write(`[dynamodb-local] could not fetch the emulator now: ${err.message}\n`);
  }
}
