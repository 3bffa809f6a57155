/**
 * `npm start`: the whole system on this machine. `CITY=<id>` picks the city (default changzhou),
 * `PORT` the port (default 3000); `--persist [dir]` keeps data in .local/data/<city> between runs.
 * Ctrl-C stops every child process.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lambda-registry.ts';
import { writeDemoCredentials } from './setup/demo-credentials.ts';
import { startLocalStack } from './stack.ts';
import { ensureWebBuild } from './web-build.ts';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next && !next.startsWith('--') ? next : '';
}

async function main() {
  const started = Date.now();
  const city = process.env.CITY ?? 'changzhou';
  const port = Number(process.env.PORT ?? argValue('--port') ?? 3000);
  const persist = argValue('--persist');
  // LOCAL_DIR: where credentials.json and stack.json go (default .local/ in the repository).
  const localDir = process.env.LOCAL_DIR ?? join(repoRoot, '.local');
  const persistDir = persist === undefined ? undefined : persist || join(localDir, 'data', city);
  const say = (m: string) => process.stdout.write(`• ${m}\n`);

  say(
    `一件事一次办 — local stack for city "${city}"${persistDir ? `, data kept in ${persistDir}` : ' (in memory)'}`,
  );
  // The web apps build (when their sources changed) while the stack starts; served once both are done.
  const building = ensureWebBuild(say);
  const stack = await startLocalStack({
    city,
    port,
    ...(persistDir ? { persistDir } : {}),
    progress: say,
    onRequest: (line) => process.stdout.write(`  ${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });

  const credentialsFile = join(localDir, 'credentials.json');
  mkdirSync(localDir, { recursive: true });
  const creds = await writeDemoCredentials(stack, credentialsFile);
  // The API contract's "Web": the apps' URL beside the credentials.
  const written = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(credentialsFile, `${JSON.stringify({ ...written, webUrl: stack.webUrl }, null, 2)}\n`, {
    mode: 0o600,
  });
  await building.catch(async (err: Error) => {
    await stack.stop();
    throw new Error(`the web apps did not build: ${err.message}`);
  });
  // stack.json holds the stack's secrets (token secret, signing key): only its owner reads it.
  // (`mode` applies only when the file is created; chmod covers one left by an earlier run.)
  const stackFile = join(localDir, 'stack.json');
  writeFileSync(
    stackFile,
    JSON.stringify({ baseUrl: stack.baseUrl, city, pids: stack.pids, ...stack.env }, null, 2),
    { mode: 0o600 },
  );
  chmodSync(stackFile, 0o600);

  process.stdout.write(
    [
      '',
      `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      `  Web apps:     ${stack.webUrl}   (applicant portal; ${stack.webUrl}/workbench for departments, ${stack.webUrl}/supervision for 电子监察)`,
      `  API:          ${stack.baseUrl}/v1   (try: curl ${stack.baseUrl}/v1/bundles)`,
      `  Credentials:  ${credentialsFile}  (${creds.portals.length} portals, ${creds.departments.length} departments, ${creds.applicants?.length ?? 0} applicants)`,
      `  Identity:     ${stack.identityProvider.issuer}   (a fresh token: npm run applicant-token -- chen-jing)`,
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping…`);
    await stack.stop();
    say('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`\nCould not start the local stack: ${err.message}\n`);
  process.exit(1);
});
