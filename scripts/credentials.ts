/**
 * Operators' credentials command:
 *
 *   npm run credentials -- issue-portal --id <portalId> --name <name> [--counter] [--rate 20 --burst 40 --daily-quota 50000]
 *   npm run credentials -- revoke-portal --id <portalId>
 *   npm run credentials -- issue-department --id <departmentId> [--days 30]
 *   npm run credentials -- revoke-token --jti <jti>
 *   npm run credentials -- revoke-department-token --token <token>
 *   npm run credentials -- list-portals
 *   npm run credentials -- list-dead-letters [--portal <portalId>] [--limit 50]
 *
 * Target: the local stack by default (.local/stack.json, written by `npm start`), or a deployed
 * city with `--stack Yijianshi-<city>` (its CloudFormation outputs; needs
 * @aws-sdk/client-cloudformation) or, without that package, `--table <TableName>
 * --secret-arn <TokenSecretArn> --rest-api-id <RestApiId> --city <city> [--stage api]` (the same
 * outputs). On AWS the token secret is read from Secrets Manager, and portal keys are mirrored as
 * API Gateway API keys (same value) on a usage plan per portal.
 *
 * Results go to stdout as JSON; notes to stderr. Exit 2 on a usage error, 1 on any other failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CredentialsTarget } from './credentials/operations.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run credentials -- <command> [options] [target]

Commands:
  issue-portal --id <id> --name <name> [--counter] [--rate <rps>] [--burst <n>] [--daily-quota <n>]
                                      a new API key for a portal (printed once); --counter
                                      registers it as a counter (窗口) that may submit for
                                      applicants its officers verified in person
  revoke-portal --id <id>             revoke every key of the portal
  issue-department --id <departmentId> [--days 30]
                                      a bearer token for a department of the city's catalog
                                      (--id supervision: 电子监察; --id hotline-12345: the 12345 hotline)
  revoke-token --jti <jti>            revoke a department token by its id
  revoke-department-token --token <token>
                                      revoke the department token given
  list-portals                        portals, with their keys' prefixes and states
  list-dead-letters [--portal <id>] [--limit 50]
                                      webhook deliveries that failed every try

Target (default: the local stack, from .local/stack.json written by \`npm start\`):
  --stack Yijianshi-<city>            a deployed stack (reads its outputs; needs @aws-sdk/client-cloudformation)
  --table <name> --secret-arn <arn> --rest-api-id <id> --city <city> [--stage api]
                                      a deployed stack, from its outputs TableName, TokenSecretArn, RestApiId
  --stack-file <file>                 another local stack description
`;

class UsageError extends Error {}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    days: { type: 'string' },
    jti: { type: 'string' },
    token: { type: 'string' },
    portal: { type: 'string' },
    limit: { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    'daily-quota': { type: 'string' },
    stack: { type: 'string' },
    'stack-file': { type: 'string' },
    table: { type: 'string' },
    'secret-arn': { type: 'string' },
    'rest-api-id': { type: 'string' },
    stage: { type: 'string' },
    city: { type: 'string' },
    counter: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const note = (text: string) => process.stderr.write(`${text}\n`);

function required(name: keyof typeof flags): string {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required.`);
  return v;
}

function optionalNumber(name: keyof typeof flags): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number.`);
  return n;
}

/** The local stack: its environment (table, endpoints, token secret) as `npm start` wrote it. */
function localTarget(file: string): CredentialsTarget {
  if (!existsSync(file))
    throw new UsageError(
      `${file} does not exist: start the local stack with \`npm start\` first, or pass --stack.`,
    );
  const stack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const [k, v] of Object.entries(stack))
    if (/^[A-Z][A-Z0-9_]*$/.test(k) && typeof v === 'string') process.env[k] = v;
  const { city, TOKEN_SECRET, CATALOG_FILE } = stack;
  if (!city || !TOKEN_SECRET || !CATALOG_FILE)
    throw new UsageError(`${file} lacks city, TOKEN_SECRET or CATALOG_FILE.`);
  return { kind: 'local', city, tokenSecret: TOKEN_SECRET, catalogFile: CATALOG_FILE };
}

/** A stack's outputs through CloudFormation, if its SDK package is installed. */
async function stackOutputs(stackName: string): Promise<Record<string, string>> {
  const moduleName = '@aws-sdk/client-cloudformation';
  type Cfn = {
    CloudFormationClient: new (
      c: object,
    ) => {
      send(c: unknown): Promise<{ Stacks?: { Outputs?: { OutputKey?: string; OutputValue?: string }[] }[] }>;
    };
    DescribeStacksCommand: new (input: { StackName: string }) => unknown;
  };
  let cfn: Cfn;
  try {
    cfn = (await import(moduleName)) as Cfn;
  } catch {
    throw new UsageError(
      `--stack reads the stack's outputs with ${moduleName}, which is not installed here. Pass them instead: ` +
        `--table <TableName> --secret-arn <TokenSecretArn> --rest-api-id <RestApiId> --city <city> ` +
        `(aws cloudformation describe-stacks --stack-name ${stackName} --query "Stacks[0].Outputs").`,
    );
  }
  const r = await new cfn.CloudFormationClient({}).send(
    new cfn.DescribeStacksCommand({ StackName: stackName }),
  );
  return Object.fromEntries(
    (r.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
}

async function awsTarget(): Promise<CredentialsTarget> {
  const outputs = flags.stack ? await stackOutputs(flags.stack) : {};
  const table = flags.table ?? outputs.TableName;
  const secretArn = flags['secret-arn'] ?? outputs.TokenSecretArn;
  const restApiId = flags['rest-api-id'] ?? outputs.RestApiId;
  const stage = flags.stage ?? outputs.ApiStage ?? 'api';
  const city = flags.city ?? /^Yijianshi-(.+)$/.exec(flags.stack ?? '')?.[1];
  const missing = [
    ['--table', table],
    ['--secret-arn', secretArn],
    ['--rest-api-id', restApiId],
    ['--city', city],
  ].filter(([, v]) => !v);
  if (missing.length) throw new UsageError(`A deployed target needs ${missing.map(([f]) => f).join(', ')}.`);
  const catalogFile = join(repoRoot, 'cities', city!, 'catalog.json');
  if (!existsSync(catalogFile)) throw new UsageError(`No catalog for city "${city}" at ${catalogFile}.`);
  // What the adapters' config needs; the bucket is not used by these commands.
  Object.assign(process.env, {
    TABLE_NAME: table,
    CITY_ID: city,
    CATALOG_FILE: catalogFile,
    BUCKET_NAME: process.env.BUCKET_NAME ?? 'unused-by-credentials',
  });
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!secret.SecretString) throw new Error(`The secret ${secretArn} has no string value.`);
  const { apiGatewayUsagePlans } = await import('#adapters/apigateway/usage-plans.ts');
  return {
    kind: 'aws',
    city: city!,
    tokenSecret: secret.SecretString,
    catalogFile,
    usagePlans: apiGatewayUsagePlans({
      restApiId: restApiId!,
      stage,
      prefix: flags.stack ?? `Yijianshi-${city}`,
    }),
  };
}

async function main(): Promise<unknown> {
  const [command] = positionals;
  if (flags.help || !command) {
    process.stdout.write(HELP);
    return undefined;
  }
  const aws = Boolean(flags.stack || flags.table || flags['secret-arn'] || flags['rest-api-id']);
  const target = aws
    ? await awsTarget()
    : localTarget(flags['stack-file'] ?? join(repoRoot, '.local', 'stack.json'));
  // Imported once the environment points at the target: the adapters read it when loaded.
  const ops = await import('./credentials/operations.ts');
  switch (command) {
    case 'issue-portal': {
      const rateLimit = optionalNumber('rate');
      const burstLimit = optionalNumber('burst');
      const dailyQuota = optionalNumber('daily-quota');
      const issued = await ops.issuePortal(target, {
        id: required('id'),
        name: required('name'),
        ...(flags.counter ? { counter: true } : {}),
        limits: {
          ...(rateLimit ? { rateLimit } : {}),
          ...(burstLimit ? { burstLimit } : {}),
          ...(dailyQuota ? { dailyQuota } : {}),
        },
      });
      note('The API key is shown only now (only its SHA-256 is stored): hand it to the portal securely.');
      return issued;
    }
    case 'revoke-portal':
      return ops.revokePortal(target, { id: required('id') });
    case 'issue-department': {
      const days = flags.days === undefined ? undefined : Number(flags.days);
      const issued = await ops.issueDepartment(target, {
        id: required('id'),
        ...(days !== undefined ? { days } : {}),
      });
      note(`Keep the jti (${issued.jti}) to revoke this token later.`);
      return issued;
    }
    case 'revoke-token':
      return ops.revokeTokenById(target, { jti: required('jti') });
    case 'revoke-department-token':
      return ops.revokeDepartmentToken(target, { token: required('token') });
    case 'list-portals':
      return ops.listPortals(target);
    case 'list-dead-letters': {
      const limit = optionalNumber('limit');
      return ops.listDeadLetters(target, {
        ...(flags.portal ? { portalId: flags.portal } : {}),
        ...(limit ? { limit } : {}),
      });
    }
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
  }
}

main().then(
  (result) => {
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  },
  (err: Error) => {
    const usage = err instanceof UsageError || err.name === 'UsageError';
    const unreachable = /ECONNREFUSED|unavailable/i.test(
      `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`,
    );
    process.stderr.write(
      `${err.message}${unreachable ? '\n(Is the target running? For the local stack: `npm start`.)' : ''}\n`,
    );
    process.exit(usage ? 2 : 1);
  },
);
