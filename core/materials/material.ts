/**
 * The material aggregate (一套材料): one declared file, its bytes in file storage under a key with
 * no personal data. A material moves once, conditionally, from `awaiting_upload` to `verified` or
 * `rejected`, and is judged lazily — whenever someone asks about it (GET, a case submission) — so
 * no storage-event wiring is needed, locally or in AWS. Rejected is final: a portal fixes a bad
 * upload by declaring a new material, so a verdict once given never changes under a case that
 * relied on it. Whenever a case is about to rely on a verified material, its object is looked at
 * again (size and the ETag of the bytes that were hashed): bytes replaced since make it unusable
 * (`changed`).
 *
 * Never-used materials expire (7 days); attaching to a case removes the expiry. The rules live
 * here; adapters only store (adapters/dynamodb/material-store.ts) and read bytes (adapters/s3).
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { MaterialFacts, PendingVerdict } from '../case/application.ts';
import type { Declaration, UploadVerdict } from './declaration.ts';
import type { PresignedUpload } from './ports.ts';

/** A declared material that is never used disappears after this long. */
export const MATERIAL_TTL_SECONDS = 7 * 24 * 3600;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** `m-` + 20 base32 characters: 100 random bits, unguessable, URL- and key-safe. */
export const MATERIAL_ID = /^m-[a-z2-7]{20}$/;

export function newMaterialId(): string {
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  return `m-${[...randomBytes(20)].map((b) => BASE32[b % 32]).join('')}`;
}

export const MATERIAL_STATUSES = ['awaiting_upload', 'verified', 'rejected'] as const;
export type MaterialStatus = (typeof MATERIAL_STATUSES)[number];

export const MaterialSchema = z
  .object({
    type: z.literal('material'),
    materialId: z.string().check(z.regex(MATERIAL_ID)),
    portalId: z.string().check(z.minLength(1)),
    bundleId: z.string().check(z.minLength(1)),
    materialType: z.string().check(z.minLength(1)),
    fileName: z.string().check(z.minLength(1)),
    contentType: z.string().check(z.minLength(1)),
    size: z.number().check(z.int(), z.positive()),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    s3Key: z.string().check(z.minLength(1)),
    status: z.enum(MATERIAL_STATUSES),
    reason: z.optional(z.enum(['mismatch', 'wrong_content'])),
    createdAt: z.string(),
    verifiedAt: z.optional(z.string()),
    rejectedAt: z.optional(z.string()),
    /** Epoch seconds (the store's TTL); absent once the material belongs to a case. */
    expiresAt: z.optional(z.number().check(z.int())),
    caseId: z.optional(z.string()),
    /** ETag of the object version whose bytes were verified (absent on older materials). */
    etag: z.optional(z.string()),
  })
  .check(
    z.refine(
      (m) => (m.status === 'rejected') === (m.reason !== undefined),
      'a reason goes with, and only with, rejected',
    ),
  );
export type Material = z.infer<typeof MaterialSchema>;

/** A newly declared material, awaiting the upload of its bytes under `objectKey`. */
export function declaredMaterial(
  portalId: string,
  declaration: Declaration,
  ids: { readonly materialId: string; readonly objectKey: string },
  now: Date,
): Material {
  return {
    type: 'material',
    materialId: ids.materialId,
    portalId,
    bundleId: declaration.bundleId,
    materialType: declaration.type,
    fileName: declaration.fileName,
    contentType: declaration.contentType,
    size: declaration.size,
    sha256: declaration.sha256,
    s3Key: ids.objectKey,
    status: 'awaiting_upload',
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + MATERIAL_TTL_SECONDS,
  };
}

/**
 * What a portal is told of a material it has just declared (POST /v1/materials, and each item of
 * POST /v1/materials/batch): its id, status, where to upload and when the declaration lapses.
 */
export function declaredView(material: Material, upload: PresignedUpload) {
  return {
    id: material.materialId,
    status: material.status,
    upload,
    // Never used by a case, the declaration is forgotten at this time; the URL expires sooner.
    expiresAt: new Date((material.expiresAt ?? 0) * 1000).toISOString(),
  };
}

/** Expiry deletion lags (up to ~48 h for DynamoDB TTL): an expired material must not be usable meanwhile. */
export const isExpired = (m: Pick<Material, 'expiresAt'>, now: Date) =>
  m.expiresAt !== undefined && m.expiresAt * 1000 <= now.getTime();

/** Whether `portalId` may see the material: its own and not expired (else it is as unknown: 404). */
export const visibleTo = (m: Material, portalId: string, now: Date) =>
  m.portalId === portalId && !isExpired(m, now);

/** What a verdict writes, conditionally on the material still awaiting upload. */
export type VerdictChanges =
  | PendingVerdict
  | {
      readonly status: 'rejected';
      readonly reason: 'mismatch' | 'wrong_content';
      readonly rejectedAt: string;
    };

/** The verdict on stored bytes as the changes to record; `etag` names the version that was judged. */
export function verdictChanges(verdict: UploadVerdict, etag: string | undefined, now: Date): VerdictChanges {
  const at = now.toISOString();
  return verdict.status === 'verified'
    ? { status: 'verified', verifiedAt: at, ...(etag ? { etag } : {}) }
    : { status: 'rejected', reason: verdict.reason, rejectedAt: at };
}

/** The one status a verdict may be recorded from: a verdict once given never changes. */
export const JUDGED_FROM: MaterialStatus = 'awaiting_upload';

/**
 * Whether the material may be attached to `caseId` at `now`: verified, not expired, and free or
 * already this case's (a retried submission). The store checks the same three conditions in the
 * write that attaches it, together with the case's own write.
 */
export function attachable(m: Material, caseId: string, now: Date): boolean {
  return (
    m.status === 'verified' &&
    (m.caseId === undefined || m.caseId === caseId) &&
    (m.expiresAt === undefined || m.expiresAt > Math.floor(now.getTime() / 1000))
  );
}

/** A material's state as a case sees it, from its stored status (a verified one is checked again). */
export function factState(m: Material): MaterialFacts['state'] {
  if (m.status === 'verified') return 'verified';
  if (m.status === 'awaiting_upload') return 'not_uploaded';
  return m.reason === 'wrong_content' ? 'wrong_content' : 'mismatch';
}

export function factsOf(m: Material, state: MaterialFacts['state']): MaterialFacts {
  return {
    materialId: m.materialId,
    type: m.materialType,
    bundleId: m.bundleId,
    state,
    ...(m.caseId ? { caseId: m.caseId } : {}),
    file: { s3Key: m.s3Key, fileName: m.fileName, contentType: m.contentType, size: m.size },
  };
}
