/**
 * The reference web apps on the local dev server, same origin as the API (as CloudFront serves them
 * beside /v1/* when deployed): the applicant portal at `/`, the department workbench at
 * `/workbench`, the supervision dashboard at `/supervision`, their assets from web/dist (built by
 * local/web-build.ts), and `/config.json` — the runtime configuration the apps read first.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { repoRoot } from './lambda-registry.ts';

export const WEB_DIST = join(repoRoot, 'web', 'dist');

/** What the apps read from `/config.json` (web/src/shared/config.ts has the same shape). */
export interface WebConfig {
  /** '' when the API is on the same origin (always, locally and behind CloudFront). */
  readonly apiBase: string;
  /** The web portal's API key: public by nature (it ships to every browser), limited by its usage plan. */
  readonly portalKey: string;
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly audience: string };
  readonly mode: 'local' | 'deployed';
  /** Local mode only: the demo department tokens, offered for a quick sign-in to the workbench. */
  readonly demoDepartments?: readonly {
    readonly id: string;
    readonly name: string;
    readonly token: string;
  }[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The page each app lives on (its folder's index.html; the apps route by the URL's hash). */
const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/workbench': 'workbench/index.html',
  '/workbench/': 'workbench/index.html',
  '/supervision': 'supervision/index.html',
  '/supervision/': 'supervision/index.html',
};

/**
 * Answers a GET/HEAD outside /v1/: a page, an asset or `/config.json`. `config` is read per request
 * (the stack fills it in once the web portal's key is registered).
 */
export function serveWeb(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  config: () => WebConfig | undefined,
  dist: string = WEB_DIST,
): void {
  const send = (status: number, type: string, body: string | Buffer, cache = 'no-cache') => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (pathname === '/config.json') {
    const c = config();
    if (c) send(200, 'application/json', JSON.stringify(c), 'no-store');
    else send(503, 'text/plain; charset=utf-8', 'The stack is still starting.');
    return;
  }
  if (!existsSync(join(dist, 'index.html'))) {
    send(
      503,
      'text/html; charset=utf-8',
      '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>未构建</title><p>The web apps are not built yet: <code>npm start</code> builds them (web/dist).</p></html>',
    );
    return;
  }
  const relative = PAGES[pathname] ?? pathname.slice(1);
  const file = normalize(join(dist, relative));
  if (!file.startsWith(dist + sep) || !existsSync(file) || !statSync(file).isFile()) {
    send(404, 'text/plain; charset=utf-8', `Not found: ${pathname}`);
    return;
  }
  // Hashed asset names never change content: cache them for good; pages are revalidated.
  const immutable = relative.startsWith('assets/');
  send(
    200,
    TYPES[extname(file)] ?? 'application/octet-stream',
    readFileSync(file),
    immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
}
