/**
 * 一套材料 over HTTP: declare a material, upload its bytes to the presigned URL exactly as told,
 * and see the server judge the stored bytes itself (s3rver enforces none of the signed headers,
 * so every rejection here is the product's own check). A whole set is declared in one call
 * (POST /v1/materials/batch): all of it or none.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createPublicClient } from '../../client/index.ts';
import { applicantOfDemo, DEFAULT_ORGANISATION, portalClient, submit } from './portal.ts';
import { type Call, call, isLocalTarget, target } from './target.ts';

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

// ───────────────────────────── a set in one call ─────────────────────────────

/** The service of 企业开办 the set is for: the guide asks for 4 materials. */
const SERVICE = 'enterprise-establishment-registration';

/** A declaration of `bytes` as a file of `type`, named `fileName`. */
const declarationOf = (bytes: Uint8Array, type = TYPE, fileName = `${type}.pdf`) => ({
  bundleId: BUNDLE,
  type,
  fileName,
  contentType: 'application/pdf',
  size: bytes.length,
  sha256: sha256(bytes),
});

const declareSet = (items: unknown[], portal = 0) =>
  call('POST', '/v1/materials/batch', { headers: apiKey(portal), body: { items } });

/** The material items stored under file names starting with `prefix` (local table only). */
async function storedMaterialsNamed(prefix: string): Promise<string[]> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const names: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME!,
        FilterExpression: '#type = :material AND begins_with(fileName, :prefix)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':material': 'material', ':prefix': prefix },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    names.push(...(page.Items ?? []).map((i) => i.fileName as string));
    start = page.LastEvaluatedKey;
  } while (start);
  db.destroy();
  return names.sort();
}

describe('a set of materials declared in one call', () => {
  it('declares the set the guide asks for, each uploaded as told and verified, and a case is submitted with it', async () => {
    // Prepare: the materials the guide asks for, each a file of its own.
    const guide = await createPublicClient({ baseUrl: target().baseUrl }).GET(
      '/v1/bundles/{bundleId}/guide',
      {
        params: { path: { bundleId: BUNDLE }, query: { services: [SERVICE] } },
      },
    );
    const types = (guide.data?.materials ?? []).filter((m) => m.required).map((m) => m.type);
    expect(types.length).toBeGreaterThanOrEqual(3);
    const files = types.map((type) => ({ type, bytes: pdf() }));

    // Act: one call for the whole set (through the typed client), then each file's PUT.
    const declared = await portalClient(0).POST('/v1/materials/batch', {
      body: { items: files.map((f) => declarationOf(f.bytes, f.type)) },
    });
    const items = declared.data?.items ?? [];
    const puts = await Promise.all(
      items.map(async ({ upload }, i) => {
        const res = await fetch(upload.url, {
          method: upload.method,
          headers: upload.headers,
          body: files[i]!.bytes,
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const looks = await Promise.all(items.map((m) => look(m.id)));

    // Assess: one answer per file in the order declared, each as POST /v1/materials answers one.
    expect(declared.response.status, JSON.stringify(declared.error)).toBe(201);
    expect(declared.response.headers.get('location')).toBeNull();
    expect(items).toHaveLength(files.length);
    expect(new Set(items.map((m) => m.id)).size).toBe(files.length);
    items.forEach((m, i) => {
      expect(m.id).toMatch(MATERIAL_ID);
      expect(Object.keys(m).sort()).toEqual(['expiresAt', 'id', 'status', 'upload']);
      expect(m).toMatchObject({ status: 'awaiting_upload', upload: { method: 'PUT' } });
      expect(m.upload.headers).toMatchObject({
        'content-type': 'application/pdf',
        'content-length': String(files[i]!.bytes.length),
      });
    });
    expect(puts).toEqual(files.map(() => 200));
    expect(looks.map((r) => [r.status, r.body.type, r.body.status])).toEqual(
      files.map((f) => [200, f.type, 'verified']),
    );

    // …and a case cites them: submitted, its materials these.
    const form = await createPublicClient({ baseUrl: target().baseUrl }).GET('/v1/bundles/{bundleId}/form', {
      params: { path: { bundleId: BUNDLE }, query: { services: [SERVICE] } },
    });
    const values = Object.fromEntries(
      Object.entries(form.data?.schema.properties ?? {}).map(([k, p]) => [k, p.examples[0]]),
    );
    const submitted = await submit({
      bundleId: BUNDLE,
      services: [SERVICE],
      applicant: applicantOfDemo(DEFAULT_ORGANISATION),
      form: values,
      materials: items.map((m, i) => ({ type: files[i]!.type, materialId: m.id })),
      delivery: { method: 'electronic' },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  });

  it('lists every problem of two bad items in one 422, each under its item', async () => {
    const res = await declareSet([
      declarationOf(pdf()),
      { ...declarationOf(pdf()), contentType: 'image/png' },
      declarationOf(pdf()),
      { ...declarationOf(pdf()), fileName: '../章程.pdf', size: 20 * 1024 * 1024, sha256: 'NOT-A-DIGEST' },
    ]);

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort()).toEqual([
      '/items/1/contentType content_type_not_accepted',
      '/items/3/fileName file_name_is_path',
      '/items/3/sha256 malformed',
      '/items/3/size file_too_large',
    ]);
  });

  it.skipIf(!isLocalTarget())('writes nothing of a refused set, and all of it once corrected', async () => {
    const marker = `set-${randomUUID()}-`;
    const good = [0, 1, 2].map((i) => declarationOf(pdf(), TYPE, `${marker}${i}.pdf`));
    const bad = [good[0], { ...good[1], sha256: 'x' }, { ...good[2], type: 'no-such-type' }];

    const refused = await declareSet(bad);
    const storedAfterRefusal = await storedMaterialsNamed(marker);
    const corrected = await declareSet(good);
    const storedAfterCorrection = await storedMaterialsNamed(marker);

    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/items/1/sha256',
      '/items/2/type',
    ]);
    expect(storedAfterRefusal).toEqual([]);
    expect(corrected.status).toBe(201);
    expect(storedAfterCorrection).toEqual(good.map((d) => d.fileName));
  });

  it('declares 50 files in one call, and refuses 51 or none with one 422', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => declarationOf(pdf(), TYPE, `${i}.pdf`));

    const most = await declareSet(fifty);
    const tooMany = await declareSet([...fifty, declarationOf(pdf())]);
    const none = await declareSet([]);

    expect(most.status, JSON.stringify(most.body).slice(0, 500)).toBe(201);
    expect(most.body.items).toHaveLength(50);
    const last = await look(most.body.items[49].id);
    expect(last.body).toMatchObject({ fileName: '49.pdf', status: 'awaiting_upload' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ path: '/items', code: 'too_many' })]);
    expect(none.status).toBe(422);
    expect(none.body.errors).toEqual([expect.objectContaining({ path: '/items', code: 'too_few' })]);
  });

  it("answers another portal's look at a material of a set with 404", async () => {
    const res = await declareSet([declarationOf(pdf())], 0);

    expect(res.status).toBe(201);
    expect((await look(res.body.items[0].id, 1)).status).toBe(404);
    expect((await look(res.body.items[0].id, 0)).status).toBe(200);
  });
});
