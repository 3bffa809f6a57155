/**
 * `npm start` in a child process, as a user runs it: for the tests that stop, kill or break a
 * whole local stack (restart with --persist, a DynamoDB outage) without touching the shared one
 * the rest of the suite uses.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/emulators/ports.ts';
import { repoRoot } from '../../local/lambda-registry.ts';
import type { DemoCredentials } from '../../local/setup/demo-credentials.ts';

export interface ChildStack {
  readonly baseUrl: string;
  /** LOCAL_DIR of the child: credentials.json, stack.json and (with persist) data/. */
  readonly dir: string;
  /** Everything the child printed so far. */
  output(): string;
  /** Re-read on every call: each start writes fresh demo credentials. */
  credentials(): DemoCredentials;
  /** Starts (again, on the same port and data). Resolves once it prints "Ready in". */
  start(): Promise<void>;
  /** Ctrl-C in a terminal: SIGINT to the whole process group. Resolves with the exit code. */
  interrupt(): Promise<number | null>;
  /** No cleanup at all: SIGKILL to the whole process group. */
  kill(): Promise<void>;
  /** The process ids of the child's DynamoDB Local (Java), from its stack.json. */
  dynamoDbPids(): number[];
  /** Kills what is still running and removes the directory. */
  dispose(): Promise<void>;
}

export async function childStack(options: { persist?: boolean; env?: Record<string, string> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'yjs-child-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let out = '';

  const exited = (c: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode);
      else c.once('exit', (code) => resolve(code));
    });

  const stack: ChildStack = {
    baseUrl: `http://127.0.0.1:${port}`,
    dir,
    output: () => out,
    credentials: () => JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as DemoCredentials,

    async start() {
      const args = [
        '--import',
        'tsx',
        'local/start.ts',
        ...(options.persist ? ['--persist', join(dir, 'data')] : []),
      ];
      const c = spawn(process.execPath, args, {
        cwd: repoRoot,
        env: {
          ...process.env,
          PORT: String(port),
          LOCAL_DIR: dir,
          CITY: 'changzhou',
          LOG_LEVEL: 'ERROR',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, as a terminal gives it
      });
      child = c;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the stack did not start in 60 s:\n${out}`)), 60_000);
        c.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.slice(out.lastIndexOf('一件事一次办')).includes('Ready in')) {
            clearTimeout(timer);
            resolve();
          }
        });
        c.stderr!.on('data', (d: Buffer) => {
          out += d.toString();
        });
        c.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`the stack exited (${code}):\n${out}`));
        });
      });
    },

    async interrupt() {
      const c = child!;
      const done = exited(c);
      process.kill(-c.pid!, 'SIGINT');
      return done;
    },

    async kill() {
      const c = child!;
      const done = exited(c);
      process.kill(-c.pid!, 'SIGKILL');
      await done;
    },

    dynamoDbPids() {
      const { pids } = JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')) as { pids: number[] };
      // The pid is DynamoDB Local's shell watchdog; Java is its child.
      return pids.flatMap((pid) => {
        try {
          const java = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
          return [pid, ...java.split('\n').filter(Boolean).map(Number)];
        } catch {
          return [pid];
        }
      });
    },

    async dispose() {
      if (child && child.exitCode === null && child.signalCode === null)
        await stack.kill().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A small HTTP client for a child stack: JSON in, JSON (or text) out. */
export async function http(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: black-box tests read arbitrary JSON responses
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
