/**
 * 一套材料 over HTTP: declare a material, upload its bytes to the presigned URL exactly as told,
 * and see the server judge the stored bytes itself (s3rver enforces none of the signed headers,
 * so every rejection here is the product's own check).
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Call, call, target } from './target.ts';

// 开办企业 asks for 公司章程, which Changzhou accepts as PDF only, up to 10 MB.
const BUNDLE = 'enterprise-opening';
const TYPE = 'articles-of-association';
const MATERIAL_ID = /^m-[a-z2-7]{20}$/;

const apiKey = (portal: number) => ({ 'x-api-key': target().credentials.portals[portal]!.apiKey });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A small, unique PDF (fresh bytes per test). */
const pdf = () =>
  new TextEncoder().encode(`%PDF-1.7\n% ${randomBytes(16).toString('hex')}\n1 0 obj <<>> endobj\n%%EOF\n`);
const png = () => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(48)]);

function declare(bytes: Uint8Array, overrides: Record<string, unknown> = {}, portal = 0): Promise<Call> {
  return call('POST', '/v1/materials', {
    headers: apiKey(portal),
    body: {
      bundleId: BUNDLE,
      type: TYPE,
      fileName: '公司章程.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: sha256(bytes),
      ...overrides,
    },
  });
}

/** Sends bytes exactly as the server said: its method, its URL, its headers and nothing else. */
async function upload(created: Call, bytes: Uint8Array): Promise<number> {
  const { url, method, headers } = created.body.upload as {
    url: string;
    method: string;
    headers: Record<string, string>;
  };
  const res = await fetch(url, { method, headers, body: bytes });
  await res.arrayBuffer();
  return res.status;
}

const look = (id: string, portal = 0) => call('GET', `/v1/materials/${id}`, { headers: apiKey(portal) });

describe('materials over HTTP', () => {
  it('verifies a material once its declared bytes are uploaded', async () => {
    const bytes = pdf();

    const created = await declare(bytes);
    const status = await upload(created, bytes);
    const res = await look(created.body.id);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'awaiting_upload', upload: { method: 'PUT' } });
    expect(created.body.id).toMatch(MATERIAL_ID);
    expect(created.body.upload.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(bytes.length),
    });
    expect(created.headers.get('location')).toMatch(new RegExp(`/v1/materials/${created.body.id}$`));
    expect(status).toBe(200);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.body.id,
      bundleId: BUNDLE,
      type: TYPE,
      fileName: '公司章程.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      status: 'verified',
    });
    expect(res.body).not.toHaveProperty('reason');
    expect(Date.parse(res.body.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.createdAt));
  });

  it('tells when the upload URL and the unused declaration expire', async () => {
    const before = Date.now();

    const created = await declare(pdf());

    const urlExpiry = Date.parse(created.body.upload.expiresAt) - before;
    const materialExpiry = Date.parse(created.body.expiresAt) - before;
    expect(urlExpiry).toBeGreaterThan(14 * 60_000);
    expect(urlExpiry).toBeLessThanOrEqual(15 * 60_000 + 1000);
    expect(materialExpiry).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(materialExpiry).toBeLessThanOrEqual(7 * 24 * 3600_000 + 1000);
  });

  it('shows a material as awaiting upload until its bytes arrive', async () => {
    const created = await declare(pdf());

    const res = await look(created.body.id);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('awaiting_upload');
    expect(res.body).not.toHaveProperty('verifiedAt');
    expect(res.body).not.toHaveProperty('reason');
  });

  it('rejects uploaded bytes that differ from the declared SHA-256 as a mismatch', async () => {
    const declared = pdf();
    const tampered = pdf(); // same length, other bytes: the signed Content-Length cannot catch it
    expect(tampered.length).toBe(declared.length);

    const created = await declare(declared);
    await upload(created, tampered);
    const res = await look(created.body.id);

    expect(res.body).toMatchObject({ status: 'rejected', reason: 'mismatch' });
    expect(res.body).not.toHaveProperty('verifiedAt');
  });

  it('keeps a rejected material rejected when the right bytes follow', async () => {
    const declared = pdf();
    const created = await declare(declared);
    await upload(created, pdf());
    await look(created.body.id);

    await upload(created, declared); // s3rver allows the overwrite; S3 refuses it (If-None-Match)
    const res = await look(created.body.id);

    expect(res.body).toMatchObject({ status: 'rejected', reason: 'mismatch' });
  });

  it('rejects PNG bytes declared as a PDF as wrong content, even with their true size and SHA-256', async () => {
    const bytes = png();

    const created = await declare(bytes, { fileName: '章程.pdf' });
    await upload(created, bytes);
    const res = await look(created.body.id);

    expect(created.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'rejected', reason: 'wrong_content' });
  });

  it('gives concurrent looks at a fresh upload one and the same verdict', async () => {
    const bytes = pdf();
    const created = await declare(bytes);
    await upload(created, bytes);

    const looks = await Promise.all([1, 2, 3, 4].map(() => look(created.body.id)));

    for (const res of looks) expect(res.body.status).toBe('verified');
    expect(new Set(looks.map((r) => r.body.verifiedAt)).size).toBe(1);
  });

  it('lists four distinct mistakes of one declaration in one 422', async () => {
    const res = await declare(pdf(), {
      fileName: '../公司章程.pdf',
      contentType: 'image/png',
      size: 20 * 1024 * 1024,
      sha256: 'NOT-A-DIGEST',
    });

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort()).toEqual([
      '/contentType content_type_not_accepted',
      '/fileName file_name_is_path',
      '/sha256 malformed',
      '/size file_too_large',
    ]);
  });

  it('refuses a declaration without an API key with 401', async () => {
    const bytes = pdf();

    const res = await call('POST', '/v1/materials', {
      body: {
        bundleId: BUNDLE,
        type: TYPE,
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: sha256(bytes),
      },
    });

    expect(res.status).toBe(401);
  });

  it("answers another portal's material, and an unknown one, with 404", async () => {
    const created = await declare(pdf());

    const own = await look(created.body.id, 0);
    const other = await look(created.body.id, 1);
    const unknown = await look('m-aaaaaaaaaaaaaaaaaaaa', 0);

    expect(own.status).toBe(200);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(other.body)).not.toContain('公司章程');
    expect(unknown.status).toBe(404);
  });

  it('keeps the file name out of the S3 key and the upload URL', async () => {
    const fileName = 'zhangsan-公司章程-2024.pdf';

    const created = await declare(pdf(), { fileName });

    const url = new URL(created.body.upload.url);
    const everything = decodeURIComponent(url.href);
    expect(url.pathname).toMatch(new RegExp(`/materials/\\d{4}-\\d{2}/${created.body.id}$`));
    expect(everything).not.toContain('zhangsan');
    expect(everything).not.toContain('公司章程');
    expect(everything).not.toContain('.pdf');
  });
});
