/**
 * The webhook HTTP sender against real local servers: 2xx only counts, redirects are not followed,
 * slow receivers time out, and without the local allowance a name resolving to loopback is refused
 * at connect time (the delivery-time SSRF check), before any byte is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpSender } from './http-sender.ts';

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (req.url === '/ok') res.writeHead(204).end();
      else if (req.url === '/echo') res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
      else if (req.url === '/fail') res.writeHead(503).end('down');
      else if (req.url === '/redirect') res.writeHead(302, { location: `${base}/ok` }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const local = createHttpSender({ allowPrivate: true, timeoutMs: 500 });
const strict = createHttpSender({ allowPrivate: false, timeoutMs: 500 });

describe('the webhook sender', () => {
  it('counts a 2xx as delivered and anything else as failed', async () => {
    expect(await local.post(`${base}/ok`, { 'content-type': 'application/json' }, '{}')).toEqual({
      ok: true,
      status: 204,
    });
    expect(await local.post(`${base}/fail`, {}, '{}')).toEqual({ ok: false, status: 503, error: 'http_503' });
  });

  it('does not follow redirects', async () => {
    hits.length = 0;
    expect(await local.post(`${base}/redirect`, {}, '{}')).toEqual({
      ok: false,
      status: 302,
      error: 'redirect_302',
    });
    expect(hits).toEqual(['/redirect']);
  });

  it('gives up on a receiver slower than the timeout', async () => {
    const started = Date.now();
    expect(await local.post(`${base}/slow`, {}, '{}')).toEqual({ ok: false, error: 'timeout_500ms' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('without the local allowance, refuses loopback by address and by name, sending nothing', async () => {
    hits.length = 0;
    const port = (server.address() as AddressInfo).port;
    expect(await strict.post(`${base}/ok`, {}, '{}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^refused/),
    });
    // https so that only the address check stands in the way; localhost resolves to loopback.
    expect(await strict.post(`https://localhost:${port}/ok`, {}, '{}')).toEqual({
      ok: false,
      error: 'refused: address_not_allowed',
    });
    expect(hits).toEqual([]);
  });

  it('reports a closed port as a network failure', async () => {
    expect(await local.post('http://127.0.0.1:9/', {}, '{}')).toMatchObject({
      ok: false,
      error: 'network_ECONNREFUSED',
    });
  });
});
