/**
 * Lambda bundles carry no SDK default credential chain (issue 14): the alias swaps it for the
 * environment provider, and a bundled client still finds the execution role's credentials there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_ALIASES } from './lambda-bundling.ts';
import { repoRoot } from './paths.ts';

describe('Lambda bundling', () => {
  it('leaves the default credential chain out and reads the role credentials from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-bundling-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "const creds = await new DynamoDBClient({ region: 'cn-north-1' }).config.credentials();",
        'console.log(JSON.stringify({ id: creds.accessKeyId, token: creds.sessionToken }));',
      ].join('\n'),
    );
    const outfile = join(dir, 'index.mjs');
    const built = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      banner: {
        js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
      alias: { ...LAMBDA_ALIASES },
      nodePaths: [join(repoRoot, 'node_modules')],
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(built.metafile.inputs);
    expect(
      inputs.filter((i) => /credential-provider-(node|sso|ini|web-identity)|nested-clients/.test(i)),
    ).toEqual([]);
    const out = execFileSync(process.execPath, [outfile], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ACCESS_KEY_ID: 'AKIDROLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'session',
        AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
      },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ id: 'AKIDROLE', token: 'session' });
  }, 30_000);
});
