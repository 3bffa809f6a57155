/**
 * The local API Gateway: turns HTTP requests into REST API (v1) proxy events, runs the authorizer
 * for non-public routes as API Gateway would, and calls the same handler files that deploy to AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from '#adapters/http/cors.ts';
import {
  AUTHORIZER_UNAVAILABLE,
  GATEWAY_PROBLEMS,
  type GatewayProblem,
  gatewayProblem,
  gatewayProblemBody,
} from '#adapters/http/gateway-responses.ts';
import { AUTHORIZER_CACHE_SECONDS, IDENTITY_SOURCES } from '#adapters/http/route.ts';
import { type HttpRoute, httpRoutes } from '#functions/routes.ts';
import { invokeFunction } from './lambda-registry.ts';

const MAX_BODY = 10 * 1024 * 1024; // API Gateway's payload limit

interface CompiledRoute {
  route: HttpRoute;
  regex: RegExp;
  names: string[];
}

function compile(routes: readonly HttpRoute[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const pattern = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route, regex: new RegExp(`^${pattern}/?$`), names };
  });
}

/** One of API Gateway's own answers, exactly as the stack's Gateway Responses give it. */
function problem(res: ServerResponse, answer: GatewayProblem, requestId: string = randomUUID()) {
  res.writeHead(answer.status, { ...answer.headers });
  res.end(gatewayProblemBody(answer, requestId));
}

/**
 * Returns the authorizer context to put into requestContext.authorizer, or null (→ 401). Throwing
 * means the authorizer failed (it could not check the credentials): API Gateway then answers its
 * AUTHORIZER_FAILURE Gateway Response, which the stack maps to a 503 — and so does this server.
 */
export type Authorizer = (
  event: APIGatewayProxyEvent,
  route: HttpRoute,
) => Promise<Record<string, string> | null>;

/**
 * API Gateway keeps an authorizer's answer per credential (the route kind's identity sources) for
 * its results-cache TTL: a key or token revoked meanwhile still works until then, and the
 * authorizer's look-up is not paid on every request. The dev server does the same, so that local
 * tests and benchmarks see what a deployment does. Failures (an outage) are not kept.
 */
function cachedAuthorizer(authorize: Authorizer, ttlMs: number): Authorizer {
  const answers = new Map<string, { context: Record<string, string> | null; until: number }>();
  return async (event, route) => {
    if (ttlMs <= 0 || route.caller === 'public') return authorize(event, route);
    const headers = Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']),
    );
    const sources = IDENTITY_SOURCES[route.caller as keyof typeof IDENTITY_SOURCES];
    // API Gateway answers 401 itself, without calling the authorizer, when an identity source is missing.
    const values = sources.map((h) => headers[h.toLowerCase()]);
    if (values.some((v) => !v)) return null;
    const key = JSON.stringify([route.caller, ...values]);
    const now = Date.now();
    const hit = answers.get(key);
    if (hit && hit.until > now) return hit.context;
    const context = await authorize(event, route);
    answers.set(key, { context, until: now + ttlMs });
    if (answers.size > 10_000) answers.delete(answers.keys().next().value!);
    return context;
  };
}

export async function startDevServer(options: {
  port?: number;
  host?: string;
  authorize?: Authorizer;
  /** The authorizer results cache, as API Gateway's. @default AUTHORIZER_CACHE_SECONDS × 1000 */
  authorizerCacheMs?: number;
  onRequest?: (line: string) => void;
  /** Answers GET/HEAD outside /v1/: the reference web apps, same origin as the API (local/web-assets.ts). */
  serveWeb?: (req: IncomingMessage, res: ServerResponse, pathname: string) => void;
  /**
   * Listen before the stack is ready (its URL is needed to finish it), answering 503 + Retry-After
   * until `open()`: a handler must never run before the environment it reads is complete (an SDK
   * client resolving its endpoint too early would keep the wrong one). @default false
   */
  startClosed?: boolean;
}): Promise<{ url: string; server: Server; open(): void; close(): Promise<void> }> {
  let open = !options.startClosed;
  const compiled = compile(httpRoutes);
  const authorize =
    options.authorize &&
    cachedAuthorizer(options.authorize, options.authorizerCacheMs ?? AUTHORIZER_CACHE_SECONDS * 1000);

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    try {
      if (!open) {
        req.resume();
        return problem(res, gatewayProblem(503, 'unavailable', '服务正在启动，请稍后重试。'));
      }
      const url = new URL(req.url ?? '/', 'http://local');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > MAX_BODY) return problem(res, GATEWAY_PROBLEMS.REQUEST_TOO_LARGE);
        chunks.push(c as Buffer);
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': CORS_ALLOW_METHODS.join(','),
          'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
        });
        return res.end();
      }
      if (options.serveWeb && !url.pathname.startsWith('/v1/') && /^(GET|HEAD)$/.test(req.method ?? ''))
        return options.serveWeb(req, res, url.pathname);
      const matches = compiled.filter((c) => c.regex.test(url.pathname));
      const match = matches.find((c) => c.route.method === req.method);
      if (!match) {
        // API Gateway answers both with MISSING_AUTHENTICATION_TOKEN (404); a 405 says more locally.
        return matches.length
          ? problem(res, gatewayProblem(405, 'method_not_allowed'))
          : problem(res, GATEWAY_PROBLEMS.MISSING_AUTHENTICATION_TOKEN);
      }
      const values = match.regex.exec(url.pathname)!.slice(1);
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(match.names.map((n, i) => [n, decodeURIComponent(values[i]!)]));
      } catch {
        // e.g. "%E0%A4%A" or "%zz": a client error, not a crash of the local runtime.
        return problem(res, gatewayProblem(400, 'bad_request', '路径不是有效的百分号编码 UTF-8。'));
      }
      // Prototype-less maps: a header or query parameter named "__proto__" is just a name (as in
      // the JSON event API Gateway sends), not a way to crash the local runtime.
      const headers: Record<string, string> = Object.create(null);
      const multiValueHeaders: Record<string, string[]> = Object.create(null);
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        const v = req.rawHeaders[i + 1]!;
        headers[k] = v;
        multiValueHeaders[k] = [...(multiValueHeaders[k] ?? []), v];
      }
      const query: Record<string, string> = Object.create(null);
      const multiQuery: Record<string, string[]> = Object.create(null);
      for (const [k, v] of url.searchParams) {
        query[k] = v;
        multiQuery[k] = [...(multiQuery[k] ?? []), v];
      }
      const body = Buffer.concat(chunks);
      const event: APIGatewayProxyEvent = {
        resource: match.route.path,
        path: url.pathname,
        httpMethod: match.route.method,
        headers,
        multiValueHeaders,
        queryStringParameters: Object.keys(query).length ? query : null,
        multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
        pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
        stageVariables: null,
        body: body.length ? body.toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          authorizer: null,
          protocol: 'HTTP/1.1',
          httpMethod: match.route.method,
          path: url.pathname,
          stage: '$default',
          requestId: randomUUID(),
          requestTimeEpoch: started,
          resourceId: 'local',
          resourcePath: match.route.path,
          domainName: req.headers.host ?? 'localhost',
          identity: {
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            apiKey: req.headers['x-api-key']?.toString() ?? null,
            userAgent: req.headers['user-agent'] ?? null,
          } as APIGatewayProxyEvent['requestContext']['identity'],
        },
      };
      if (match.route.caller !== 'public') {
        let context: Record<string, string> | null;
        try {
          context = authorize ? await authorize(event, match.route) : null;
        } catch {
          problem(res, AUTHORIZER_UNAVAILABLE, event.requestContext.requestId);
          options.onRequest?.(
            `${req.method} ${url.pathname} → ${AUTHORIZER_UNAVAILABLE.status} authorizer failed`,
          );
          return;
        }
        // As the stack's Gateway Response for UNAUTHORIZED: one answer for every route.
        if (!context) return problem(res, GATEWAY_PROBLEMS.UNAUTHORIZED, event.requestContext.requestId);
        event.requestContext.authorizer = context;
      }
      headers['x-forwarded-proto'] = 'http';
      const result = (await invokeFunction(`${match.route.name}.handler.ts`, event)) as APIGatewayProxyResult;
      res.writeHead(result.statusCode, { 'access-control-allow-origin': '*', ...(result.headers as object) });
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      options.onRequest?.(
        `${req.method} ${url.pathname} → ${result.statusCode} (${Date.now() - started} ms)`,
      );
    } catch (err) {
      // Only reached if a handler crashed outside its own error handling (it should not).
      options.onRequest?.(`${req.method} ${req.url} → 500 ${(err as Error).message}`);
      if (!res.headersSent) problem(res, gatewayProblem(500, 'internal', '本地运行环境未能运行该处理函数。'));
      else res.end();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    open: () => {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
