/**
 * Where the black-box HTTP suite points — the one place that knows about targets (with
 * scripts/test-e2e.ts, which only turns `npm run test:e2e -- --target=…` into these variables):
 *
 *   E2E_TARGET unset or `local`  the stack this test run starts (test/support/global-setup.ts, the
 *                                same code as `npm start`).
 *   E2E_TARGET=localstack        the stack `npm run deploy:localstack` deployed; its credentials file
 *                                (E2E_CREDENTIALS, default .local/localstack/<E2E_CITY>-credentials.json)
 *                                also holds its base URL.
 *   E2E_TARGET=<url>             any running deployment (AWS, or `npm start` elsewhere); the URL is
 *                                the stage's base (routes start with /v1), E2E_CREDENTIALS=<file> is
 *                                required.
 *
 * The global setup resolves the target once and provides `baseUrl` and `credentials` to the
 * workers; tests read them through `target()` whatever the target is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { DemoCredentials } from '../../local/setup/demo-credentials.ts';

export interface Target {
  readonly baseUrl: string;
  readonly credentials: DemoCredentials;
}

export interface DeployedTarget extends Target {
  readonly kind: 'localstack' | 'url';
  readonly credentialsFile: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The city the suite's fixtures are written for (its catalog, its seeded shared data). */
export const DEFAULT_CITY = 'changzhou';

/** Whether the suite runs against the stack it starts itself (not LocalStack, AWS or a URL). */
export function isLocalTarget(env: NodeJS.ProcessEnv = process.env): boolean {
  const t = env.E2E_TARGET?.trim();
  return !t || t === 'local';
}

/**
 * How long the suite waits for the asynchronous flow (a task to open, a case to be issued):
 * Lambdas on LocalStack or AWS start cold, each in its own container.
 */
export function flowWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  return isLocalTarget(env) ? 20_000 : 90_000;
}

/** What `npm run deploy:localstack` writes for a city, and `--target=localstack` reads. */
export function localstackFiles(city: string): { dir: string; outputs: string; credentials: string } {
  const dir = join(repoRoot, '.local', 'localstack');
  return {
    dir,
    outputs: join(dir, `${city}-outputs.json`),
    credentials: join(dir, `${city}-credentials.json`),
  };
}

/**
 * The deployed target the environment names, or undefined for the local one. Reads and checks its
 * credentials file; throws a message a tester can act on.
 */
export function deployedTarget(env: NodeJS.ProcessEnv = process.env): DeployedTarget | undefined {
  if (isLocalTarget(env)) return undefined;
  const name = env.E2E_TARGET!.trim();
  if (name === 'localstack') {
    const city = env.E2E_CITY?.trim() || DEFAULT_CITY;
    const file = resolve(env.E2E_CREDENTIALS || localstackFiles(city).credentials);
    if (!existsSync(file))
      throw new Error(
        `${file} does not exist: deploy the stack to LocalStack first (npm run deploy:localstack -- --city ${city} --seed; see docs/localstack.md).`,
      );
    const credentials = readCredentials(file);
    return { kind: 'localstack', baseUrl: stageUrl(credentials.baseUrl), credentials, credentialsFile: file };
  }
  if (!/^https?:\/\/[^/]/.test(name))
    throw new Error(`E2E_TARGET must be "local", "localstack" or an http(s) URL, not "${name}".`);
  if (!env.E2E_CREDENTIALS)
    throw new Error(
      `E2E_TARGET is a URL (${name}): set E2E_CREDENTIALS to its credentials file ({ baseUrl, portals, departments }).`,
    );
  const file = resolve(env.E2E_CREDENTIALS);
  if (!existsSync(file)) throw new Error(`E2E_CREDENTIALS: ${file} does not exist.`);
  return { kind: 'url', baseUrl: stageUrl(name), credentials: readCredentials(file), credentialsFile: file };
}

/** The stage's base URL, without a trailing slash or /v1 (the routes carry it). */
function stageUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** A credentials file in the contract's shape; the suite needs two portals and the departments. */
function readCredentials(file: string): DemoCredentials {
  let parsed: Partial<DemoCredentials>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoCredentials>;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
  const problems = [
    typeof parsed.baseUrl === 'string' ? '' : 'baseUrl',
    Array.isArray(parsed.portals) && parsed.portals.length >= 2 && parsed.portals.every((p) => p.apiKey)
      ? ''
      : 'portals (two, each with an apiKey)',
    Array.isArray(parsed.departments) && parsed.departments.every((d) => d.id && d.token)
      ? ''
      : 'departments (each with id and token)',
  ].filter(Boolean);
  if (problems.length)
    throw new Error(`${file} lacks ${problems.join(', ')}: expected { baseUrl, portals, departments }.`);
  return parsed as DemoCredentials;
}

/** The target of this run, as the global setup resolved it. */
export function target(): Target {
  return { baseUrl: inject('baseUrl'), credentials: inject('credentials') };
}

export interface Call {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: black-box tests read arbitrary JSON responses
  body: any;
}

/** One HTTP call; JSON in, JSON (or problem+json) out. */
export async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Call> {
  const res = await fetch(`${target().baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}
