/**
 * Materials (一套材料): one item per declared file, its bytes in S3 under a key with no personal
 * data. A material moves once, conditionally, from `awaiting_upload` to `verified` or `rejected`,
 * and is verified lazily — whenever someone asks about it (GET, a case submission) — so no S3 event
 * wiring is needed, locally or in AWS. Rejected is final: a portal fixes a bad upload by declaring
 * a new material, so a verdict once given never changes under a case that relied on it. Whenever
 * a case is about to rely on a verified material, its object is looked at again (size and the
 * ETag of the bytes that were hashed): bytes replaced since make it unusable (`changed`).
 *
 * Never-used materials expire (DynamoDB TTL, 7 days); attaching to a case removes the TTL.
 */
import { randomBytes } from 'node:crypto';
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { MaterialFacts } from '#core/case/application.ts';
import type { MaterialLookup } from '#core/case/ports.ts';
import { type Declaration, judgeUpload, stillVerified } from '#core/materials/declaration.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import {
  headObject,
  inspectObject,
  materialObjectKey,
  type PresignedUpload,
  presignUpload,
} from '../s3/material-files.ts';
import { keys } from './keys.ts';
import { isConditionFailure, send } from './send.ts';

const table = () => config().TABLE_NAME;

/** A declared material that is never used disappears after this long (TTL). */
export const MATERIAL_TTL_SECONDS = 7 * 24 * 3600;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** `m-` + 20 base32 characters: 100 random bits, unguessable, URL- and key-safe. */
export const MATERIAL_ID = /^m-[a-z2-7]{20}$/;

export function newMaterialId(): string {
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  return `m-${[...randomBytes(20)].map((b) => BASE32[b % 32]).join('')}`;
}

export const MaterialSchema = z
  .object({
    type: z.literal('material'),
    materialId: z.string().regex(MATERIAL_ID),
    portalId: z.string().min(1),
    bundleId: z.string().min(1),
    materialType: z.string().min(1),
    fileName: z.string().min(1),
    contentType: z.string().min(1),
    size: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    s3Key: z.string().min(1),
    status: z.enum(['awaiting_upload', 'verified', 'rejected']),
    reason: z.enum(['mismatch', 'wrong_content']).optional(),
    createdAt: z.string(),
    verifiedAt: z.string().optional(),
    rejectedAt: z.string().optional(),
    /** Epoch seconds (DynamoDB TTL); absent once the material belongs to a case. */
    expiresAt: z.number().int().optional(),
    caseId: z.string().optional(),
    /** S3 ETag of the object version whose bytes were verified (absent on older materials). */
    etag: z.string().optional(),
  })
  .refine(
    (m) => (m.status === 'rejected') === (m.reason !== undefined),
    'a reason goes with, and only with, rejected',
  );
export type Material = z.infer<typeof MaterialSchema>;

/** TTL deletion lags (up to ~48 h in AWS): an expired material must not be usable meanwhile. */
const isExpired = (m: Material, now: Date) =>
  m.expiresAt !== undefined && m.expiresAt * 1000 <= now.getTime();

async function readMaterial(materialId: string): Promise<Material | undefined> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: table(), Key: keys.material(materialId), ConsistentRead: true }),
  );
  return r.Item ? MaterialSchema.parse(r.Item) : undefined;
}

/**
 * Records a declared (already checked) material and presigns the upload of its bytes. The URL is
 * signed before the item is written, so a failure leaves nothing behind.
 */
export async function createMaterial(
  portalId: string,
  declaration: Declaration,
  now = new Date(),
): Promise<{ material: Material; upload: PresignedUpload }> {
  const materialId = newMaterialId();
  const createdAt = now.toISOString();
  const s3Key = materialObjectKey(materialId, createdAt);
  const upload = await presignUpload(s3Key, declaration, now);
  const material: Material = {
    type: 'material',
    materialId,
    portalId,
    bundleId: declaration.bundleId,
    materialType: declaration.type,
    fileName: declaration.fileName,
    contentType: declaration.contentType,
    size: declaration.size,
    sha256: declaration.sha256,
    s3Key,
    status: 'awaiting_upload',
    createdAt,
    expiresAt: Math.floor(now.getTime() / 1000) + MATERIAL_TTL_SECONDS,
  };
  await send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.material(materialId), ...material },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { material, upload };
}

/** The portal's own material; another portal's, an expired or an unknown one is undefined (→ 404). */
export async function getMaterial(
  portalId: string,
  materialId: string,
  now = new Date(),
): Promise<Material | undefined> {
  if (!MATERIAL_ID.test(materialId)) return undefined;
  const m = await readMaterial(materialId);
  return m && m.portalId === portalId && !isExpired(m, now) ? m : undefined;
}

/**
 * Judges the stored bytes of a material still awaiting upload; returns the material as it now
 * stands. No object yet → unchanged. The verdict is written only from `awaiting_upload`: when two
 * verifications race, the first write wins and the other returns what was stored.
 */
export async function verifyMaterial(material: Material, now = new Date()): Promise<Material> {
  if (material.status !== 'awaiting_upload') return material;
  const stored = await inspectObject(material.s3Key);
  if (!stored) return material;
  const verdict = judgeUpload(material, stored);
  const at = now.toISOString();
  try {
    const r = await send<{ Attributes?: Record<string, unknown> }>(
      new UpdateCommand({
        TableName: table(),
        Key: keys.material(material.materialId),
        UpdateExpression:
          verdict.status === 'verified'
            ? `SET #status = :status, verifiedAt = :at${stored.etag ? ', etag = :etag' : ''}`
            : 'SET #status = :status, reason = :reason, rejectedAt = :at',
        ConditionExpression: '#status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': verdict.status,
          ':at': at,
          ':awaiting': 'awaiting_upload',
          ...(verdict.status === 'rejected' ? { ':reason': verdict.reason } : {}),
          ...(verdict.status === 'verified' && stored.etag ? { ':etag': stored.etag } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    // Ids and the verdict only: the file name may carry personal data.
    logger.info('material judged', { materialId: material.materialId, ...verdict });
    return MaterialSchema.parse(r.Attributes);
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    return (await readMaterial(material.materialId)) ?? material;
  }
}

/**
 * The conditional updates that attach verified materials to a case, inside the transaction that
 * creates or changes the case (adapters/dynamodb/case-repository.ts): all or none, with the case.
 * Attaching again to the same case is harmless (a retried submission).
 */
export function attachToCaseItems(ids: readonly string[], caseId: string, now = new Date()) {
  return [...new Set(ids)].map((id) => ({
    Update: {
      TableName: table(),
      Key: keys.material(id),
      UpdateExpression: 'SET caseId = :caseId REMOVE expiresAt',
      // Verified, not yet expired, and free or already this case's (a retried submission).
      ConditionExpression:
        '#status = :verified AND (attribute_not_exists(caseId) OR caseId = :caseId) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':verified': 'verified',
        ':caseId': caseId,
        ':now': Math.floor(now.getTime() / 1000),
      },
    },
  }));
}

/** Reads materials by id, strongly consistent, retrying keys DynamoDB leaves unprocessed. */
async function readMaterials(ids: readonly string[]): Promise<Material[]> {
  const out: Material[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    let pending: Record<string, unknown>[] = ids.slice(i, i + 100).map((id) => keys.material(id));
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 8) throw new UnavailableError('The database is throttling reads; please retry.');
      if (attempt) await new Promise((r) => setTimeout(r, 10 * 2 ** attempt * Math.random()));
      const r = await send<{
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      }>(new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of r.Responses?.[table()] ?? []) out.push(MaterialSchema.parse(item));
      pending = r.UnprocessedKeys?.[table()]?.Keys ?? [];
    }
  }
  return out;
}

const STATE: Record<Material['status'], (m: Material) => MaterialFacts['state']> = {
  verified: () => 'verified',
  awaiting_upload: () => 'not_uploaded',
  rejected: (m) => (m.reason === 'wrong_content' ? 'wrong_content' : 'mismatch'),
};

/** A few S3 reads at a time: a case names at most 100 materials, most already verified. */
const VERIFY_CONCURRENCY = 8;

/**
 * A material's state as a case would rely on it now. Awaiting upload: judged now. Verified
 * earlier: its object is looked at again (a HEAD; a full re-read for a material verified before
 * ETags were recorded), and bytes replaced since — another size or checksum — make it `changed`.
 * Nothing is written for a change: the material simply cannot be used.
 */
async function currentState(
  m: Material,
  now: Date,
): Promise<{ material: Material; state: MaterialFacts['state'] }> {
  if (m.status === 'awaiting_upload') {
    const judged = await verifyMaterial(m, now);
    return { material: judged, state: STATE[judged.status](judged) };
  }
  if (m.status !== 'verified') return { material: m, state: STATE[m.status](m) };
  const observed = m.etag ? await headObject(m.s3Key) : await inspectObject(m.s3Key);
  return { material: m, state: stillVerified(m, observed) ? 'verified' : 'changed' };
}

export const materialLookup: MaterialLookup = {
  async facts(portalId, ids) {
    const now = new Date();
    const wanted = [...new Set(ids)].filter((id) => MATERIAL_ID.test(id));
    const own = (await readMaterials(wanted)).filter((m) => m.portalId === portalId && !isExpired(m, now));
    const checked: { material: Material; state: MaterialFacts['state'] }[] = [];
    for (let i = 0; i < own.length; i += VERIFY_CONCURRENCY)
      checked.push(
        ...(await Promise.all(own.slice(i, i + VERIFY_CONCURRENCY).map((m) => currentState(m, now)))),
      );
    return new Map(
      checked.map(({ material: m, state }): [string, MaterialFacts] => [
        m.materialId,
        {
          materialId: m.materialId,
          type: m.materialType,
          bundleId: m.bundleId,
          state,
          ...(m.caseId ? { caseId: m.caseId } : {}),
        },
      ]),
    );
  },
};
