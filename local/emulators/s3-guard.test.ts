/**
 * The local S3 (s3rver behind our guard) refuses what AWS S3 refuses (issue 10): a second PUT to a
 * material's presigned URL (If-None-Match: *), a PUT that drops or changes a signed header, a
 * chunked body where Content-Length was signed (defect 10); and its CORS rule is the deployed
 * bucket's, so a browser preflight for an upload passes and one for another header fails
 * (defect 11). Runs its own emulator: no shared stack.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Local, startS3 } from './s3.ts';

const BUCKET = 'guard-test-files';
const dir = mkdtempSync(join(tmpdir(), 'yjs-s3-guard-'));
let s3: S3Local;
let presignUpload: typeof import('#adapters/s3/material-files.ts').presignUpload;

beforeAll(async () => {
  s3 = await startS3({ directory: dir, bucket: BUCKET });
  // The product's own presigner, configured as the local stack configures it (read at first use).
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    BUCKET_NAME: BUCKET,
    TABLE_NAME: 'unused',
    CITY_ID: 'changzhou',
    CATALOG_FILE: 'unused',
  });
  ({ presignUpload } = await import('#adapters/s3/material-files.ts'));
});

afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pdf = (label: string, pad = 0) => Buffer.from(`%PDF-1.4\n% ${label}${' '.repeat(pad)}\n%%EOF\n`);
const freshKey = () => `materials/2026-12/m-${randomUUID()}`;
/** What is stored, read from s3rver itself (not through the guard). */
const stored = async (key: string) => {
  const res = await fetch(`${s3.emulatorEndpoint}/${BUCKET}/${key}`);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
};
const put = (url: string, headers: Record<string, string>, body: Buffer) =>
  fetch(url, { method: 'PUT', headers, body });
const codeOf = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

describe('the local S3, for a presigned material upload', () => {
  it('accepts the first PUT and refuses a second one (412), keeping the first bytes', async () => {
    const key = freshKey();
    const first = pdf('first');
    const upload = await presignUpload(key, { contentType: 'application/pdf', size: first.length });

    const accepted = await put(upload.url, upload.headers, first);
    const again = await put(upload.url, upload.headers, pdf('other'));

    expect(accepted.status).toBe(200);
    expect(again.status).toBe(412);
    expect(await codeOf(again)).toBe('PreconditionFailed');
    expect(await stored(key)).toEqual(first);
  });

  it('lets exactly one of two racing PUTs of a fresh key win', async () => {
    const key = freshKey();
    const [a, b] = [pdf('a'), pdf('b')];
    const upload = await presignUpload(key, { contentType: 'application/pdf', size: a.length });

    const answers = await Promise.all([
      put(upload.url, upload.headers, a),
      put(upload.url, upload.headers, b),
    ]);

    expect(answers.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = answers[0]!.status === 200 ? a : b;
    expect(await stored(key)).toEqual(winner);
  });

  it('refuses a PUT that leaves out the signed If-None-Match (403), keeping the bytes', async () => {
    const key = freshKey();
    const first = pdf('first');
    const upload = await presignUpload(key, { contentType: 'application/pdf', size: first.length });
    expect((await put(upload.url, upload.headers, first)).status).toBe(200);

    const { 'if-none-match': _dropped, ...rest } = upload.headers;
    const overwrite = await put(upload.url, rest, pdf('evil!')); // same size: only the header differs

    expect(overwrite.status).toBe(403);
    expect(await codeOf(overwrite)).toBe('SignatureDoesNotMatch');
    expect(await stored(key)).toEqual(first);
  });

  it('refuses another content type or size than was signed (403), even for a fresh key', async () => {
    const declared = pdf('declared');
    const other = Buffer.from('<html>not the declared file, and longer than it</html>');
    const typeKey = freshKey();
    const typeUpload = await presignUpload(typeKey, {
      contentType: 'application/pdf',
      size: declared.length,
    });
    const sizeKey = freshKey();
    const sizeUpload = await presignUpload(sizeKey, {
      contentType: 'application/pdf',
      size: declared.length,
    });

    const wrongType = await put(
      typeUpload.url,
      { ...typeUpload.headers, 'content-type': 'text/html' },
      declared,
    );
    const { 'content-length': _signed, ...unsized } = sizeUpload.headers;
    const wrongSize = await put(sizeUpload.url, unsized, other); // fetch sends its true length

    expect(wrongType.status).toBe(403);
    expect(wrongSize.status).toBe(403);
    expect(await stored(typeKey)).toBeUndefined();
    expect(await stored(sizeKey)).toBeUndefined();
  });

  it('refuses a chunked body where Content-Length was signed (403)', async () => {
    const key = freshKey();
    const bytes = pdf('chunked');
    const upload = await presignUpload(key, { contentType: 'application/pdf', size: bytes.length });
    const url = new URL(upload.url);
    const { 'content-length': _length, ...headers } = upload.headers;

    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'PUT', headers },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(bytes.subarray(0, 5)); // no content-length: Node sends Transfer-Encoding: chunked
      req.end(bytes.subarray(5));
    });

    expect(status).toBe(403);
    expect(await stored(key)).toBeUndefined();
  });

  it('passes reads and the SDK through unchanged', async () => {
    const key = freshKey();
    const bytes = pdf('read');
    const upload = await presignUpload(key, { contentType: 'application/pdf', size: bytes.length });
    await put(upload.url, upload.headers, bytes);

    const got = await fetch(`${s3.endpoint}/${BUCKET}/${key}`);
    const head = await fetch(`${s3.endpoint}/${BUCKET}/${key}`, { method: 'HEAD' });

    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    const { inspectObject } = await import('#adapters/s3/material-files.ts');
    expect((await inspectObject(key))?.size).toBe(bytes.length);
  });
});

describe('the local S3, for a browser preflight', () => {
  const preflight = (headers: string) =>
    fetch(`${s3.endpoint}/${BUCKET}/${freshKey()}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://portal.example.cn',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': headers,
      },
    });

  it('allows the headers a presigned upload sends', async () => {
    const upload = await presignUpload(freshKey(), { contentType: 'application/pdf', size: 10 });
    // content-length is set by the browser itself and never listed in a preflight.
    const listed = Object.keys(upload.headers).filter((h) => h !== 'content-length');

    const res = await preflight(listed.join(','));

    expect(res.status).toBe(200);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(listed));
  });

  it('refuses a header the bucket rule does not allow, as S3 does', async () => {
    const res = await preflight('content-type,if-none-match,x-portal-session');
    expect(res.status).toBe(403);
  });
});
