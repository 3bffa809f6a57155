/**
 * The black-box HTTP suite (test/e2e) against a chosen target:
 *
 *   npm run test:e2e                                     the local stack the run starts (default)
 *   npm run test:e2e -- --target=localstack [--city <id>] the stack `npm run deploy:localstack` deployed
 *   npm run test:e2e -- --target=<url> --credentials <file>   any running deployment
 *
 * This script only turns the flags into E2E_TARGET / E2E_CREDENTIALS / E2E_CITY and runs
 * `vitest run` on test/e2e with them; what a target means is test/e2e/target.ts's business. Other
 * arguments go to vitest unchanged (a file filter such as `flow`, `-t <name>`, `--reporter …`).
 * Without --target, E2E_TARGET from the environment is used if set.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CITY, deployedTarget, localstackFiles } from '../test/e2e/target.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `Usage: npm run test:e2e -- [--target=local|localstack|<url>] [--credentials <file>] [--city <id>] [vitest args]

  --target=local        the stack this run starts, as \`npm start\` does (default)
  --target=localstack   the stack deployed by \`npm run deploy:localstack\`; credentials and base URL
                        from .local/localstack/<city>-credentials.json (or --credentials)
  --target=<url>        a running deployment: the stage's base URL (routes start with /v1);
                        needs --credentials <file> ({ baseUrl, portals, departments })
  --city <id>           which LocalStack deployment (default ${DEFAULT_CITY}; the suite's fixtures are ${DEFAULT_CITY}'s)

Tests that only make sense locally are skipped on other targets. Steps for LocalStack: docs/localstack.md.
`;

const OWN_FLAGS = ['target', 'credentials', 'city'] as const;
type OwnFlag = (typeof OWN_FLAGS)[number];

/** Picks out --target / --credentials / --city (`--x=v` or `--x v`); everything else is vitest's. */
function splitArgs(argv: readonly string[]): {
  own: Partial<Record<OwnFlag, string>>;
  rest: string[];
  help: boolean;
} {
  const own: Partial<Record<OwnFlag, string>> = {};
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1] as OwnFlag | undefined;
    if (!m || !name || !OWN_FLAGS.includes(name)) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new UsageError(`--${name} needs a value.`);
    own[name] = value;
  }
  return { own, rest, help };
}

class UsageError extends Error {}

/** The variables test/e2e/target.ts reads, from the flags (or the environment's own E2E_TARGET). */
function targetEnv(own: Partial<Record<OwnFlag, string>>): Record<string, string> {
  const name = (own.target ?? process.env.E2E_TARGET ?? 'local').trim();
  if (name === 'local' || name === '') {
    if (own.credentials) throw new UsageError('--credentials is for --target=localstack or a URL.');
    return { E2E_TARGET: 'local' };
  }
  const city = own.city ?? process.env.E2E_CITY ?? DEFAULT_CITY;
  if (name === 'localstack')
    return {
      E2E_TARGET: 'localstack',
      E2E_CITY: city,
      E2E_CREDENTIALS: own.credentials ?? process.env.E2E_CREDENTIALS ?? localstackFiles(city).credentials,
    };
  if (!/^https?:\/\/[^/]/.test(name))
    throw new UsageError(`--target must be local, localstack or an http(s) URL, not "${name}".`);
  const credentials = own.credentials ?? process.env.E2E_CREDENTIALS;
  if (!credentials)
    throw new UsageError(`--target=${name} needs --credentials <file> ({ baseUrl, portals, departments }).`);
  return { E2E_TARGET: name, E2E_CITY: city, E2E_CREDENTIALS: credentials };
}

function main(): void {
  const { own, rest, help } = splitArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(HELP);
    return;
  }
  const env = { ...process.env, ...targetEnv(own) };
  // Fails here, before vitest starts, on a missing or malformed credentials file or a bad target.
  const deployed = deployedTarget(env);
  process.stdout.write(
    deployed
      ? `e2e target: ${deployed.kind} at ${deployed.baseUrl} (credentials ${deployed.credentialsFile}; tests that only make sense locally are reported as skipped)\n`
      : 'e2e target: local (the run starts its own stack)\n',
  );
  const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
  if (!existsSync(vitest)) throw new UsageError('vitest is not installed: run `npm install`.');
  // --dir keeps any filter inside the HTTP suite (`flow` must not pick test/statemachines/case-flow).
  const child = spawn(process.execPath, [vitest, 'run', '--dir', 'test/e2e', ...rest], {
    cwd: repoRoot,
    env,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
