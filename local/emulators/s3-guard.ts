/**
 * A thin HTTP layer in front of s3rver that refuses the object PUTs AWS S3 refuses and s3rver
 * accepts (TOOLCHAIN.md; issue 10, defect 10: bytes PUT over a verified material were stored):
 *
 * - a signed header missing from the request, or a presigned URL whose signature does not match
 *   the request (another Content-Type or Content-Length than was signed) → 403 SignatureDoesNotMatch;
 * - a body whose length is not its Content-Length → 400 IncompleteBody;
 * - `If-None-Match: *` on a key that exists → 412 PreconditionFailed (checked and written under a
 *   per-key lock, so two racing PUTs cannot both win, as S3's conditional writes guarantee);
 *   any other If-None-Match on a PUT → 501 NotImplemented.
 *
 * Errors are S3's XML. Everything else — GET, HEAD, OPTIONS (s3rver applies the bucket's CORS
 * rule), SDK calls — passes through unchanged, streamed both ways.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';

export interface S3Guard {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Larger than any material (the catalog caps them at 50 MB); S3's own single-PUT limit is 5 GB. */
const MAX_PUT_BYTES = 100 * 1024 * 1024;

export async function startS3Guard(options: {
  /** s3rver's base URL, e.g. http://127.0.0.1:4568 */
  upstream: string;
  /** The secret access key presigned URLs are signed with (s3rver's: S3RVER). */
  secretAccessKey: string;
  port?: number;
}): Promise<S3Guard> {
  const upstream = new URL(options.upstream);
  const locks = new Map<string, Promise<unknown>>();

  /** Runs `work` after every earlier PUT of the same key has finished. */
  const serialised = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (locks.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return run;
  };

  const send = (
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body?: Buffer | IncomingMessage,
  ): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path,
          headers: { ...headers, host: upstream.host },
        },
        resolve,
      );
      out.on('error', reject);
      if (Buffer.isBuffer(body)) out.end(body);
      else if (body) (body as IncomingMessage).pipe(out);
      else out.end();
    });

  const relay = (res: ServerResponse, answer: IncomingMessage) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  };

  async function guardedPut(req: IncomingMessage, res: ServerResponse, url: URL, rawPath: string) {
    const fail = (status: number, code: string, message: string, extra: Record<string, string> = {}) =>
      s3Error(req, res, status, code, message, { ...extra, Resource: rawPath });

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_PUT_BYTES)
        return fail(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);

    const signed = signedHeadersOf(req, url);
    const missing = signed.filter((h) => req.headers[h] === undefined);
    if (missing.length)
      return fail(
        403,
        'SignatureDoesNotMatch',
        `The request signature we calculated does not match the signature you provided: signed header(s) ${missing.join(', ')} not sent.`,
      );
    if (
      url.searchParams.has('X-Amz-Signature') &&
      !presignedSignatureMatches(req, url, rawPath, options.secretAccessKey)
    )
      return fail(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== body.length)
      return fail(
        400,
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header.',
      );

    const ifNoneMatch = req.headers['if-none-match'];
    const headers: IncomingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    delete headers.expect;
    delete headers['if-none-match']; // decided here; s3rver would ignore it anyway

    await serialised(rawPath, async () => {
      if (ifNoneMatch !== undefined) {
        if (ifNoneMatch.trim() !== '*')
          return fail(
            501,
            'NotImplemented',
            'A header you provided implies functionality that is not implemented',
            {
              Header: 'If-None-Match',
            },
          );
        const head = await send('HEAD', rawPath, {});
        head.resume();
        if (head.statusCode === 200)
          return fail(
            412,
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
            {
              Condition: 'If-None-Match',
            },
          );
      }
      const answer = await send('PUT', req.url ?? rawPath, headers, body);
      // Drained within the lock: the object is stored once s3rver has answered.
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => resolve(Buffer.concat(parts)));
        answer.on('error', reject);
      });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(reply);
    });
  }

  const server = createServer((req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const url = new URL(req.url ?? '/', 'http://guard');
    const work =
      req.method === 'PUT' && isObjectPut(rawPath, url)
        ? guardedPut(req, res, url, rawPath)
        : send(req.method ?? 'GET', req.url ?? '/', req.headers, req).then((answer) => relay(res, answer));
    work.catch((err: Error) => {
      if (!res.headersSent)
        s3Error(req, res, 503, 'ServiceUnavailable', `The S3 emulator did not answer: ${err.message}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** PUT /<bucket>/<key> with no sub-resource (?cors, ?tagging, ?uploadId…): an object upload. */
function isObjectPut(rawPath: string, url: URL): boolean {
  if (rawPath.split('/').filter(Boolean).length < 2) return false;
  return [...url.searchParams.keys()].every((k) => k === 'x-id' || k.toLowerCase().startsWith('x-amz-'));
}

/** The headers the request was signed with: X-Amz-SignedHeaders (presigned) or the Authorization header's. */
function signedHeadersOf(req: IncomingMessage, url: URL): string[] {
  const list =
    url.searchParams.get('X-Amz-SignedHeaders') ??
    /SignedHeaders=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ??
    '';
  return list
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** RFC 3986 encoding, as SigV4 canonicalises query names and values. */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** Recomputes a presigned (query-string) SigV4 signature from the request as received. */
function presignedSignatureMatches(req: IncomingMessage, url: URL, rawPath: string, secret: string): boolean {
  const q = url.searchParams;
  const [, date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/');
  const amzDate = q.get('X-Amz-Date');
  const given = q.get('X-Amz-Signature') ?? '';
  if (!date || !region || !service || !amzDate || !/^[0-9a-f]{64}$/.test(given)) return false;
  const signedHeaders = signedHeadersOf(req, url);
  const canonicalQuery = [...q]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    req.method,
    rawPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return timingSafeEqual(hmac(key, stringToSign), Buffer.from(given, 'hex'));
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function s3Error(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
    .join('');
  res.writeHead(status, {
    'content-type': 'application/xml',
    'x-amz-request-id': requestId,
    // The bucket's CORS rule allows any origin: a browser may read why its upload was refused.
    ...(req.headers.origin ? { 'access-control-allow-origin': '*' } : {}),
    connection: 'close',
  });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`,
  );
}
