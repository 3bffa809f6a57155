/**
 * DynamoDB Local — AWS's own emulator (a Java jar shipped inside the npm package
 * amplify-dynamodb-simulator; scripts/fetch-dynamodb-local.mjs extracts it) — run as a child
 * process with the machine's Java. In memory by default; `persistDir` keeps data between runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
// @ts-expect-error — plain ESM script without types
import { emulatorDir, ensureDynamoDbLocal } from '../../scripts/fetch-dynamodb-local.mjs';
import { freePort } from './ports.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

function checkJava(): void {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(
      'Java is needed to run DynamoDB Local but `java` was not found. Install a JRE ≥ 11, e.g. `apt-get install -y openjdk-17-jre-headless`.',
    );
}

export async function startDynamoDbLocal(
  options: { port?: number; persistDir?: string } = {},
): Promise<DynamoDbLocal> {
  checkJava();
  const jar = ensureDynamoDbLocal({ quiet: false }) as string;
  const port = options.port ?? (await freePort());
  const storage = options.persistDir ? ['-dbPath', options.persistDir] : ['-inMemory'];
  if (options.persistDir) mkdirSync(options.persistDir, { recursive: true });
  const javaArgs = [
    '-Xms64m',
    '-Xmx512m',
    ...(process.env.DYNAMODB_LOCAL_JAVA_OPTS?.split(/\s+/).filter(Boolean) ?? []),
    `-Djava.library.path=${join(emulatorDir as string, 'DynamoDBLocal_lib')}`,
    '-jar',
    jar,
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  // Java runs under a tiny shell watchdog that stops it when our stdin pipe closes: even if this
  // Node process is killed outright, no java process is left behind.
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      'java "$@" & pid=$!; trap \'kill $pid 2>/dev/null\' TERM INT; cat >/dev/null; kill $pid 2>/dev/null; wait $pid',
      'sh',
      ...javaArgs,
    ],
    // DynamoDB Local writes a metadata file into its working directory: keep it out of the repo.
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.persistDir ?? tmpdir() },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      ready = true;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not become ready in 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();

  return {
    endpoint,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
