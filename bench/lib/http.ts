/** The benchmarks' HTTP client: JSON in, JSON out, with the client-side latency of each call. */
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the benchmarks read arbitrary JSON responses
  body: any;
  /** Client-side wall time of the request, ms (connection reuse: keep-alive, as a portal would). */
  ms: number;
}

/** No request of the benchmarks may wait longer than this: a stuck server fails the run, it does not hang it. */
export const REQUEST_TIMEOUT_MS = 30_000;

export class Api {
  /**
   * `replyDelayMs` holds every reply back that long before the caller sees it, as a slow network
   * or a busy client would (BENCH_CLIENT_DELAY_MS): the flow behind the API runs on meanwhile,
   * which is how races between a reply and the work it started show up.
   */
  constructor(
    readonly baseUrl: string,
    readonly replyDelayMs = Number(process.env.BENCH_CLIENT_DELAY_MS ?? 0),
  ) {}

  async call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    let text: string;
    let status: number;
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if ((err as Error).name === 'TimeoutError')
        throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms`, { cause: err });
      throw err;
    }
    const ms = performance.now() - started;
    if (this.replyDelayMs > 0) await new Promise((r) => setTimeout(r, this.replyDelayMs));
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status, body, ms };
  }

  /** Like `call`, but throws unless the status is the expected one. */
  async expect(
    status: number,
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const r = await this.call(method, path, options);
    if (r.status !== status)
      throw new Error(
        `${method} ${path} → ${r.status} (expected ${status}): ${JSON.stringify(r.body).slice(0, 500)}`,
      );
    return r;
  }
}
