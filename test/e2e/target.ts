/**
 * Where the black-box HTTP suite points — the one place that knows about targets.
 * `--target=local` (default): the stack the test run started (same code as `npm start`).
 * `E2E_TARGET=<url>` with `E2E_CREDENTIALS=<file>`: a deployed stack (LocalStack or AWS).
 */
import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { DemoCredentials } from '../../local/setup/demo-credentials.ts';

export interface Target {
  readonly baseUrl: string;
  readonly credentials: DemoCredentials;
}

export function target(): Target {
  const url = process.env.E2E_TARGET;
  if (url && url !== 'local') {
    const file = process.env.E2E_CREDENTIALS;
    if (!file) throw new Error('E2E_TARGET is a URL: set E2E_CREDENTIALS to its credentials.json');
    return {
      baseUrl: url.replace(/\/$/, ''),
      credentials: JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials,
    };
  }
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
