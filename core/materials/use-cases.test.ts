/**
 * The material aggregate's use cases over in-memory ports: declaring, finding, judging the bytes
 * once, and the facts a case relies on (verified, changed, expired, another portal's). Pure.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Declaration, ObservedObject } from './declaration.ts';
import { attachable, isExpired, JUDGED_FROM, MATERIAL_TTL_SECONDS, type Material } from './material.ts';
import type { MaterialDeps, MaterialFiles, MaterialStore } from './ports.ts';
import {
  declareMaterial,
  declareMaterials,
  findMaterial,
  judgeMaterial,
  materialFacts,
} from './use-cases.ts';

const NOW = new Date('2026-11-03T02:00:00.000Z');
const PDF = new TextEncoder().encode('%PDF-1.7 a declared file');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const declaration: Declaration = {
  bundleId: 'b',
  type: 'id-card',
  fileName: '身份证.pdf',
  contentType: 'application/pdf',
  size: PDF.length,
  sha256: sha(PDF),
};

function ports() {
  const records = new Map<string, Material>();
  const objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  const calls = { inspect: 0, head: 0 };
  /** Presigns and writes in the order they happened. */
  const log: string[] = [];
  const store: MaterialStore & { failPutMany?: boolean } = {
    async put(m) {
      if (records.has(m.materialId)) throw new Error('exists');
      log.push('put');
      records.set(m.materialId, structuredClone(m));
    },
    async putMany(ms) {
      // All or none, as the DynamoDB transaction.
      if (store.failPutMany || ms.some((m) => records.has(m.materialId))) throw new Error('cancelled');
      log.push(`putMany ${ms.length}`);
      for (const m of ms) records.set(m.materialId, structuredClone(m));
    },
    async get(id) {
      const m = records.get(id);
      return m && structuredClone(m);
    },
    async getMany(ids) {
      return ids.flatMap((id) => (records.has(id) ? [structuredClone(records.get(id)!)] : []));
    },
    async recordVerdict(m, changes) {
      const stored = records.get(m.materialId)!;
      if (stored.status !== JUDGED_FROM) return structuredClone(stored);
      const next = { ...stored, ...changes } as Material;
      records.set(m.materialId, next);
      return structuredClone(next);
    },
  };
  const files: MaterialFiles & { failPresign?: boolean; failPresignOf?: string } = {
    objectKey: (id, createdAt) => `materials/${createdAt.slice(0, 7)}/${id}`,
    async presignUpload(key, file, now) {
      // A presign that takes a moment: a write that did not wait for every one would come first.
      await new Promise((r) => setTimeout(r, 1));
      if (files.failPresign || file.contentType === files.failPresignOf) throw new Error('signing failed');
      log.push('presign');
      return {
        url: `https://s3/${key}`,
        method: 'PUT',
        headers: { 'content-type': file.contentType },
        expiresAt: now.toISOString(),
      };
    },
    async inspect(key) {
      calls.inspect++;
      const o = objects.get(key);
      return o && { size: o.bytes.length, sha256: sha(o.bytes), head: o.bytes.slice(0, 16), etag: o.etag };
    },
    async head(key): Promise<ObservedObject | undefined> {
      calls.head++;
      const o = objects.get(key);
      return o && { size: o.bytes.length, etag: o.etag };
    },
  };
  const deps: MaterialDeps = { store, files };
  const upload = (m: Material, bytes: Uint8Array, etag = `"${sha(bytes).slice(0, 8)}"`) =>
    objects.set(m.s3Key, { bytes, etag });
  return { deps, records, objects, files, store, calls, log, upload };
}

describe('material use cases', () => {
  it('declares a material awaiting its upload, expiring unless used, with a presigned upload', async () => {
    const { deps, records } = ports();
    const { material, upload } = await declareMaterial(deps, 'p-1', declaration, NOW);
    expect(material).toMatchObject({
      status: 'awaiting_upload',
      portalId: 'p-1',
      materialType: 'id-card',
      s3Key: `materials/2026-11/${material.materialId}`,
      createdAt: NOW.toISOString(),
      expiresAt: NOW.getTime() / 1000 + MATERIAL_TTL_SECONDS,
    });
    expect(material.materialId).toMatch(/^m-[a-z2-7]{20}$/);
    expect(upload.url).toContain(material.s3Key);
    expect(records.get(material.materialId)).toEqual(material);
  });

  it('records nothing when the upload cannot be presigned', async () => {
    const { deps, records, files } = ports();
    files.failPresign = true;
    await expect(declareMaterial(deps, 'p-1', declaration, NOW)).rejects.toThrow();
    expect(records.size).toBe(0);
  });

  it('declares a set with every upload presigned first, then one write of all, answered in order', async () => {
    const { deps, records, log } = ports();
    const set = [
      declaration,
      { ...declaration, type: 'business-license', fileName: '营业执照.pdf' },
      { ...declaration, type: 'lease', contentType: 'image/png', fileName: '租赁合同.png' },
    ];

    const declared = await declareMaterials(deps, 'p-1', set, NOW);

    expect(log).toEqual(['presign', 'presign', 'presign', 'putMany 3']);
    expect(declared.map(({ material }) => [material.materialType, material.fileName])).toEqual(
      set.map((d) => [d.type, d.fileName]),
    );
    expect(new Set(declared.map(({ material }) => material.materialId)).size).toBe(3);
    for (const { material, upload } of declared) {
      expect(material).toMatchObject({
        status: 'awaiting_upload',
        portalId: 'p-1',
        createdAt: NOW.toISOString(),
      });
      expect(upload.url).toContain(material.s3Key);
      expect(records.get(material.materialId)).toEqual(material);
    }
    // Each as declaring it alone would have recorded it.
    const alone = (await declareMaterial(deps, 'p-1', set[2]!, NOW)).material;
    const { materialId: _a, s3Key: _k, ...same } = alone;
    expect(declared[2]!.material).toMatchObject(same);
  });

  it('records nothing of a set when one upload cannot be presigned, or the write is refused', async () => {
    const { deps, records, files, store, log } = ports();
    files.failPresignOf = 'image/png';
    const set = [declaration, { ...declaration, contentType: 'image/png' }, declaration];
    await expect(declareMaterials(deps, 'p-1', set, NOW)).rejects.toThrow('signing failed');
    expect(log).not.toContain('putMany 3');
    expect(records.size).toBe(0);

    files.failPresignOf = undefined;
    store.failPutMany = true;
    await expect(declareMaterials(deps, 'p-1', set, NOW)).rejects.toThrow('cancelled');
    expect(records.size).toBe(0);
  });

  it("finds a portal's own unexpired material only", async () => {
    const { deps } = ports();
    const { material } = await declareMaterial(deps, 'p-1', declaration, NOW);
    expect(await findMaterial(deps, 'p-1', material.materialId, NOW)).toEqual(material);
    expect(await findMaterial(deps, 'p-2', material.materialId, NOW)).toBeUndefined();
    const later = new Date(NOW.getTime() + MATERIAL_TTL_SECONDS * 1000);
    expect(await findMaterial(deps, 'p-1', material.materialId, later)).toBeUndefined();
    expect(await findMaterial(deps, 'p-1', 'not-an-id', NOW)).toBeUndefined();
  });

  it('judges the declared bytes verified once, recording the ETag of what was hashed', async () => {
    const { deps, upload } = ports();
    const { material } = await declareMaterial(deps, 'p-1', declaration, NOW);
    expect(await judgeMaterial(deps, material, NOW)).toEqual(material); // nothing uploaded yet
    upload(material, PDF, '"v1"');
    const judged = await judgeMaterial(deps, material, NOW);
    expect(judged).toMatchObject({ status: 'verified', verifiedAt: NOW.toISOString(), etag: '"v1"' });
  });

  it('rejects other bytes (mismatch) and declared bytes of another type (wrong_content), for good', async () => {
    const { deps, upload } = ports();
    const a = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    upload(a, new TextEncoder().encode('%PDF-1.7 another file'));
    expect(await judgeMaterial(deps, a, NOW)).toMatchObject({ status: 'rejected', reason: 'mismatch' });
    const png = new TextEncoder().encode('not a pdf at all');
    const b = (
      await declareMaterial(deps, 'p-1', { ...declaration, size: png.length, sha256: sha(png) }, NOW)
    ).material;
    upload(b, png);
    const rejected = await judgeMaterial(deps, b, NOW);
    expect(rejected).toMatchObject({
      status: 'rejected',
      reason: 'wrong_content',
      rejectedAt: NOW.toISOString(),
    });
    // Judged again with the right bytes in place: the verdict stands.
    upload(a, PDF);
    expect((await judgeMaterial(deps, a, NOW)).status).toBe('rejected');
  });

  it('gives a case the facts as they are now: judged, re-checked, or changed', async () => {
    const { deps, upload, objects, calls } = ports();
    const fresh = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    const verified = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    const replaced = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    const raw = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    const other = (await declareMaterial(deps, 'p-2', declaration, NOW)).material;
    for (const m of [fresh, verified, replaced]) upload(m, PDF);
    await judgeMaterial(deps, verified, NOW);
    await judgeMaterial(deps, replaced, NOW);
    objects.set(replaced.s3Key, { bytes: PDF, etag: '"overwritten"' });
    calls.inspect = 0;
    calls.head = 0;

    const facts = await materialFacts(
      deps,
      'p-1',
      [fresh, verified, replaced, raw, other].map((m) => m.materialId),
      NOW,
    );

    expect(facts.get(fresh.materialId)?.state).toBe('verified'); // judged on the way
    expect(facts.get(verified.materialId)?.state).toBe('verified');
    expect(facts.get(replaced.materialId)?.state).toBe('changed');
    expect(facts.get(raw.materialId)?.state).toBe('not_uploaded');
    expect(facts.has(other.materialId)).toBe(false);
    // Only the two awaiting upload are read (one has no object yet); the verified ones get a HEAD.
    expect(calls).toEqual({ inspect: 2, head: 2 });
  });

  it('leaves a verified verdict to the attaching write when asked (deferVerified); records a rejection at once', async () => {
    const { deps, upload, records } = ports();
    const good = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    const bad = (await declareMaterial(deps, 'p-1', declaration, NOW)).material;
    upload(good, PDF, '"v1"');
    upload(bad, new TextEncoder().encode('%PDF-1.7 other bytes'));

    const facts = await materialFacts(deps, 'p-1', [good.materialId, bad.materialId], NOW, {
      deferVerified: true,
    });

    expect(facts.get(good.materialId)).toMatchObject({
      state: 'verified',
      verdict: { status: 'verified', verifiedAt: NOW.toISOString(), etag: '"v1"' },
    });
    expect(records.get(good.materialId)?.status).toBe(JUDGED_FROM); // not written: the case's write records it
    expect(facts.get(bad.materialId)).toMatchObject({ state: 'mismatch' });
    expect(facts.get(bad.materialId)?.verdict).toBeUndefined();
    expect(records.get(bad.materialId)).toMatchObject({ status: 'rejected', reason: 'mismatch' });
    // Without the option, the verdict is recorded here as before and none is handed on.
    const recorded = await materialFacts(deps, 'p-1', [good.materialId], NOW);
    expect(recorded.get(good.materialId)?.verdict).toBeUndefined();
    expect(records.get(good.materialId)?.status).toBe('verified');
  });

  it('attaches only a verified, unexpired material that is free or already this case’s', () => {
    const base = {
      type: 'material',
      materialId: 'm-aaaaaaaaaaaaaaaaaaaa',
      portalId: 'p-1',
      bundleId: 'b',
      materialType: 'id-card',
      fileName: 'f',
      contentType: 'application/pdf',
      size: 1,
      sha256: sha(PDF),
      s3Key: 'k',
      status: 'verified',
      createdAt: NOW.toISOString(),
      expiresAt: NOW.getTime() / 1000 + 60,
    } satisfies Material;
    expect(attachable(base, 'c-1', NOW)).toBe(true);
    expect(attachable({ ...base, caseId: 'c-1' }, 'c-1', NOW)).toBe(true);
    expect(attachable({ ...base, caseId: 'c-2' }, 'c-1', NOW)).toBe(false);
    expect(attachable({ ...base, status: 'awaiting_upload' }, 'c-1', NOW)).toBe(false);
    expect(attachable({ ...base, expiresAt: NOW.getTime() / 1000 }, 'c-1', NOW)).toBe(false);
    expect(isExpired({ expiresAt: NOW.getTime() / 1000 }, NOW)).toBe(true);
    const { expiresAt: _attached, ...noExpiry } = base;
    expect(attachable(noExpiry, 'c-1', new Date('2030-01-01'))).toBe(true);
  });
});
