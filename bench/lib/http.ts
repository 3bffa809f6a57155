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

/** What `call` may be asked beside the request itself. */
export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * As a portal's HTTP cache would (RFC 9111, private): a GET answered `Cache-Control: public,
   * max-age=N` is answered from this client for N seconds, then asked again with its ETag
   * (If-None-Match) — a 304 refreshes it. Off by default: the benchmarks time real requests.
   */
  cache?: boolean;
}

export class Api {
  readonly #cache = new Map<string, { etag: string | null; body: string; freshUntil: number }>();

  /**
   * `replyDelayMs` holds every reply back that long before the caller sees it, as a slow network
   * or a busy client would (BENCH_CLIENT_DELAY_MS): the flow behind the API runs on meanwhile,
   * which is how races between a reply and the work it started show up.
   */
  constructor(
    readonly baseUrl: string,
    readonly replyDelayMs = Number(process.env.BENCH_CLIENT_DELAY_MS ?? 0),
  ) {}

  async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const cached = options.cache && method === 'GET' ? this.#cache.get(path) : undefined;
    if (cached && Date.now() < cached.freshUntil)
      return { status: 200, body: JSON.parse(cached.body), ms: 0 };
    let text: string;
    let status: number;
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(cached?.etag ? { 'if-none-match': cached.etag } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))),
      });
      status = res.status;
      text = await res.text();
      const maxAge = /(?:^|,)\s*public\s*,\s*max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '');
      if (options.cache && method === 'GET') {
        if (status === 304 && cached) {
          status = 200;
          text = cached.body;
        }
        if (status === 200 && maxAge)
          this.#cache.set(path, {
            etag: res.headers.get('etag'),
            body: text,
            freshUntil: Date.now() + Number(maxAge[1]) * 1000,
          });
      }
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
  async expect(status: number, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const r = await this.call(method, path, options);
    if (r.status !== status)
      throw new Error(
        `${method} ${path} → ${r.status} (expected ${status}): ${JSON.stringify(r.body).slice(0, 500)}`,
      );
    return r;
  }
}
