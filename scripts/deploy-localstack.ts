/**
 * Testers' deployment to LocalStack:
 *
 *   npm run deploy:localstack [-- --city changzhou] [--seed] [--skip-deploy]
 *   npm run deploy:localstack -- --destroy [--city changzhou]
 *
 * 1. Points every AWS client at LocalStack with explicit 127.0.0.1 endpoints (AWS_ENDPOINT_URL and
 *    AWS_ENDPOINT_URL_S3; LOCALSTACK_ENDPOINT overrides), test credentials, AWS_REGION (default
 *    us-east-1). cdklocal's own default, localhost.localstack.cloud, needs public DNS.
 * 2. Checks that LocalStack answers (GET <endpoint>/_localstack/health), or stops with what to do.
 * 3. `cdklocal bootstrap`, then `cdklocal deploy -c city=<id> -c retainData=false
 *    --require-approval never --outputs-file .local/localstack/<city>-outputs.json` (skipped with
 *    --skip-deploy, which reuses that file). retainData=false: a throw-away stack, destroyed whole.
 * 4. Issues demo credentials against the deployed stack with the operators' operations
 *    (scripts/credentials/operations.ts): two portals (API key in DynamoDB + the same key on a
 *    usage plan) and a token for every department of the catalog plus `supervision`, written to
 *    .local/localstack/<city>-credentials.json in the contract's shape, with LocalStack's
 *    path-style REST API URL as baseUrl (no DNS needed).
 * 5. With --seed, writes the synthetic shared data (local/setup/seed-shared-data.ts) into the
 *    deployed table: the prefill tests need it. Never seed a real city's table.
 *
 * `--destroy` runs `cdklocal destroy` with the same environment and deletes those two files.
 *
 * Then: `npm run test:e2e -- --target=localstack`. Steps and known differences: docs/localstack.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DemoCredentials } from '../local/setup/demo-credentials.ts';
import { localstackFiles } from '../test/e2e/target.ts';
import type { CredentialsTarget } from './credentials/operations.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run deploy:localstack [-- --city <id>] [--seed] [--skip-deploy]
       npm run deploy:localstack -- --destroy [--city <id>]

  --city <id>      the city to deploy (cities/<id>/catalog.json; default changzhou)
  --seed           write the synthetic shared data into the deployed table (the prefill tests need it)
  --skip-deploy    do not run cdklocal: reuse .local/localstack/<city>-outputs.json, issue fresh credentials
  --destroy        cdklocal destroy the city's stack (table, bucket and keys included) and forget its files

Environment: LOCALSTACK_ENDPOINT (default http://127.0.0.1:4566), AWS_REGION (default us-east-1).
LocalStack must be running first: see docs/localstack.md.
`;

/** Every service the stack or cdklocal bootstrap uses. */
const SERVICES = [
  'cloudformation',
  'iam',
  'sts',
  'ssm',
  's3',
  'kms',
  'secretsmanager',
  'dynamodb',
  'dynamodbstreams',
  'lambda',
  'logs',
  'stepfunctions',
  'apigateway',
  'sqs',
  'events',
];

class StopError extends Error {}

const say = (m: string) => process.stdout.write(`• ${m}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function options() {
  const { values } = parseArgs({
    options: {
      city: { type: 'string', default: 'changzhou' },
      seed: { type: 'boolean', default: false },
      'skip-deploy': { type: 'boolean', default: false },
      destroy: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return values;
}

/** Environment for cdklocal and for this process's SDK clients: LocalStack only, never a real account. */
function pointAtLocalStack(endpoint: string): string {
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ROLE_ARN'])
    delete process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    // LocalStack's account 000000000000.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // cdklocal drops AWS_* variables it is not told to keep (it would fall back to us-east-1).
    AWS_ENVAR_ALLOWLIST: 'AWS_REGION,AWS_DEFAULT_REGION',
    // An IP address has no bucket subdomains: cdklocal uploads assets path-style.
    AWS_S3_FORCE_PATH_STYLE: '1',
  });
  return region;
}

async function checkLocalStack(endpoint: string): Promise<void> {
  const url = `${endpoint}/_localstack/health`;
  let health: { services?: Record<string, string>; version?: string; edition?: string };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    health = (await res.json()) as typeof health;
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new StopError(
      [
        `LocalStack is not running at ${endpoint} (GET /_localstack/health: ${e.cause?.message ?? e.message}).`,
        'Start it first (Docker, and a LocalStack auth token for current images), for example:',
        '  docker run --rm -d --name yijianshi-localstack -p 127.0.0.1:4566:4566 -p 127.0.0.1:4510-4559:4510-4559 \\',
        '    -e LOCALSTACK_AUTH_TOKEN -e LAMBDA_IGNORE_ARCHITECTURE=1 -e LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT=60 \\',
        '    -v /var/run/docker.sock:/var/run/docker.sock localstack/localstack',
        'or set LOCALSTACK_ENDPOINT if it listens elsewhere. Every step: docs/localstack.md.',
      ].join('\n'),
    );
  }
  say(
    `LocalStack ${health.version ?? '(version unknown)'}${health.edition ? ` (${health.edition})` : ''} answers at ${endpoint}`,
  );
  const state = health.services ?? {};
  const missing = SERVICES.filter((s) => !['available', 'running'].includes(state[s] ?? ''));
  if (missing.length)
    say(
      `warning: LocalStack reports ${missing.map((s) => `${s}=${state[s] ?? 'absent'}`).join(', ')}; the deployment may fail there`,
    );
}

/** Runs a command with the output shown as it comes. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', env: process.env });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new StopError(
              `${relative(repoRoot, command)} ${args[0]} failed (${signal ?? `exit ${code}`}): see its output above, and the known LocalStack differences in docs/localstack.md.`,
            ),
          ),
    );
  });
}

function cdklocalBin(): string {
  const bin = join(repoRoot, 'node_modules', '.bin', 'cdklocal');
  if (!existsSync(bin))
    throw new StopError('cdklocal is not installed: run `npm install` (aws-cdk-local is a dev dependency).');
  return bin;
}

/** A separate cloud assembly, so that a concurrent `npm run synth` is not disturbed. */
const assemblyDir = (city: string) => join(localstackFiles(city).dir, 'cdk.out');

async function deploy(city: string, region: string, outputsFile: string): Promise<void> {
  const cdklocal = cdklocalBin();
  const out = assemblyDir(city);
  let started = Date.now();
  say(`cdklocal bootstrap aws://000000000000/${region}…`);
  await run(cdklocal, ['bootstrap', `aws://000000000000/${region}`, '-c', `city=${city}`, '--output', out]);
  say(`bootstrapped (${seconds(started)})`);
  started = Date.now();
  say(`cdklocal deploy Yijianshi-${city} (bundles every function, then CloudFormation on LocalStack)…`);
  await run(cdklocal, [
    'deploy',
    `Yijianshi-${city}`,
    '-c',
    `city=${city}`,
    // Throw-away stack: `cdklocal destroy` removes the table, bucket and keys too.
    '-c',
    'retainData=false',
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
    '--output',
    out,
    '--progress',
    'events',
  ]);
  say(`deployed (${seconds(started)}); outputs in ${relative(repoRoot, outputsFile)}`);
}

async function destroy(city: string): Promise<void> {
  const started = Date.now();
  say(`cdklocal destroy Yijianshi-${city}…`);
  await run(cdklocalBin(), [
    'destroy',
    `Yijianshi-${city}`,
    '-c',
    `city=${city}`,
    '--force',
    '--output',
    assemblyDir(city),
  ]);
  const files = localstackFiles(city);
  rmSync(files.outputs, { force: true });
  rmSync(files.credentials, { force: true });
  say(
    `destroyed (${seconds(started)}); ${relative(repoRoot, files.dir)} forgets the stack's outputs and credentials`,
  );
}

function stackOutputs(city: string, outputsFile: string): Record<string, string> {
  if (!existsSync(outputsFile))
    throw new StopError(`${outputsFile} does not exist: deploy first (without --skip-deploy).`);
  const all = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
  const outputs = all[`Yijianshi-${city}`];
  const missing = ['TableName', 'BucketName', 'TokenSecretArn', 'RestApiId'].filter((k) => !outputs?.[k]);
  if (!outputs || missing.length)
    throw new StopError(`${outputsFile} lacks Yijianshi-${city} outputs ${missing.join(', ')}.`);
  return outputs;
}

async function issueCredentials(
  city: string,
  endpoint: string,
  outputs: Record<string, string>,
  catalogFile: string,
): Promise<DemoCredentials> {
  const stage = outputs.ApiStage || 'api';
  // What the adapters' configuration needs; set before they are imported (they read it on load).
  Object.assign(process.env, {
    TABLE_NAME: outputs.TableName,
    BUCKET_NAME: outputs.BucketName,
    CITY_ID: city,
    CATALOG_FILE: catalogFile,
  });
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: outputs.TokenSecretArn }),
  );
  if (!secret.SecretString) throw new StopError(`The secret ${outputs.TokenSecretArn} has no string value.`);
  const { apiGatewayUsagePlans } = await import('#adapters/apigateway/usage-plans.ts');
  const { loadCatalogFile } = await import('#adapters/catalog/file-catalog.ts');
  const { HOTLINE_ID, SUPERVISOR_ID } = await import('#core/credentials/tokens.ts');
  const { DEMO_PORTALS } = await import('../local/setup/demo-credentials.ts');
  const ops = await import('./credentials/operations.ts');
  const target: CredentialsTarget = {
    kind: 'aws',
    city,
    tokenSecret: secret.SecretString,
    catalogFile,
    usagePlans: apiGatewayUsagePlans({ restApiId: outputs.RestApiId!, stage, prefix: `Yijianshi-${city}` }),
  };

  const portals: DemoCredentials['portals'] = [];
  for (const p of DEMO_PORTALS) {
    // A re-run replaces the demo portals' keys rather than piling them up.
    await ops.revokePortal(target, { id: p.id });
    const issued = await ops.issuePortal(target, p);
    portals.push({ ...p, apiKey: issued.apiKey });
  }
  const everyone = [
    ...loadCatalogFile(catalogFile).catalog.departments,
    { id: SUPERVISOR_ID, name: '电子监察 (supervision)' },
  ];
  const departments = await Promise.all(
    everyone.map(async (d) => ({
      id: d.id,
      name: d.name,
      token: (await ops.issueDepartment(target, { id: d.id, days: 30 })).token,
    })),
  );
  // The 12345 hotline's operators (caller kind `hotline`).
  const hotline = {
    id: HOTLINE_ID,
    name: '12345 政务服务便民热线',
    token: (await ops.issueDepartment(target, { id: HOTLINE_ID, days: 30 })).token,
  };
  return {
    baseUrl: `${endpoint}/restapis/${outputs.RestApiId}/${stage}/_user_request_`,
    portals,
    departments,
    hotline,
  };
}

async function seed(tableName: string): Promise<number> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { seedSharedData } = await import('../local/setup/seed-shared-data.ts');
  return seedSharedData(new DynamoDBClient({}), tableName);
}

async function main(): Promise<void> {
  const flags = options();
  if (flags.help) {
    process.stdout.write(HELP);
    return;
  }
  const started = Date.now();
  const city = flags.city;
  const catalogFile = join(repoRoot, 'cities', city, 'catalog.json');
  if (!/^[a-z0-9-]+$/.test(city) || !existsSync(catalogFile))
    throw new StopError(`No city "${city}": expected its catalog at ${relative(repoRoot, catalogFile)}.`);
  const endpoint = (process.env.LOCALSTACK_ENDPOINT || 'http://127.0.0.1:4566').replace(/\/+$/, '');
  const region = pointAtLocalStack(endpoint);
  say(`一件事一次办 — city "${city}" to LocalStack at ${endpoint} (region ${region})`);
  // The SDK prefers a service's own endpoint variable over AWS_ENDPOINT_URL: say so if one is set.
  for (const [k, v] of Object.entries(process.env))
    if (/^AWS_ENDPOINT_URL_(?!S3$)[A-Z0-9_]+$/.test(k))
      say(`note: ${k}=${v} is set and takes precedence over ${endpoint} for that service`);
  await checkLocalStack(endpoint);
  if (flags.destroy) return destroy(city);

  const files = localstackFiles(city);
  mkdirSync(files.dir, { recursive: true });
  if (flags['skip-deploy']) say(`--skip-deploy: using ${relative(repoRoot, files.outputs)}`);
  else await deploy(city, region, files.outputs);
  const outputs = stackOutputs(city, files.outputs);

  if (flags.seed) say(`seeded ${await seed(outputs.TableName!)} shared-data items into ${outputs.TableName}`);

  const credentials = await issueCredentials(city, endpoint, outputs, catalogFile);
  writeFileSync(files.credentials, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      '',
      `Ready in ${seconds(started)}.`,
      `  API:          ${credentials.baseUrl}/v1   (try: curl ${credentials.baseUrl}/v1/bundles)`,
      `  Credentials:  ${relative(repoRoot, files.credentials)}  (${credentials.portals.length} portals, ${credentials.departments.length} departments)`,
      `  Tests:        npm run test:e2e -- --target=localstack${city === 'changzhou' ? '' : ` --city ${city}`}`,
      ...(flags.seed ? [] : ['  (no shared data: the prefill tests need `--seed`)']),
      '',
    ].join('\n'),
  );
}

main().catch((err: Error) => {
  const unreachable = /ECONNREFUSED|fetch failed|socket hang up/i.test(
    `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`,
  );
  process.stderr.write(
    `\n${err instanceof StopError ? '' : 'deploy:localstack failed: '}${err.message}${
      unreachable && !(err instanceof StopError)
        ? '\n(LocalStack stopped answering? Check `docker logs`.)'
        : ''
    }\n`,
  );
  process.exit(1);
});
