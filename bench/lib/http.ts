/** The benchmarks' HTTP client: JSON in, JSON out, with the client-side latency of each call. */
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the benchmarks read arbitrary JSON responses
  body: any;
  /** Client-side wall time of the request, ms (connection reuse: keep-alive, as a portal would). */
  ms: number;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body, ms };
  }

  /** Like `call`, but throws unless the status is the expected one. */
  async expect(
    status: number,
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const r = await this.call(method, path, options);
    if (r.status !== status)
      throw new Error(
        `${method} ${path} → ${r.status} (expected ${status}): ${JSON.stringify(r.body).slice(0, 500)}`,
      );
    return r;
  }
}
