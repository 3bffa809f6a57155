/**
 * The material use cases over the ports: declare, find, judge, and the facts a case relies on.
 */
import type { MaterialFacts, PendingVerdict } from '../case/application.ts';
import type { MaterialLookup } from '../case/ports.ts';
import { type Declaration, judgeUpload, stillVerified } from './declaration.ts';
import {
  declaredMaterial,
  factState,
  factsOf,
  JUDGED_FROM,
  MATERIAL_ID,
  type Material,
  newMaterialId,
  verdictChanges,
  visibleTo,
} from './material.ts';
import type { MaterialDeps, PresignedUpload } from './ports.ts';

/** A new id and object key for a declared file, and the upload of exactly that file presigned. */
async function prepare(
  deps: MaterialDeps,
  portalId: string,
  declaration: Declaration,
  now: Date,
): Promise<{ material: Material; upload: PresignedUpload }> {
  const materialId = newMaterialId();
  const objectKey = deps.files.objectKey(materialId, now.toISOString());
  const upload = await deps.files.presignUpload(objectKey, declaration, now);
  return { material: declaredMaterial(portalId, declaration, { materialId, objectKey }, now), upload };
}

/**
 * Use case: a portal declares one (already checked) file.
 *  1. A new id and its object key; the upload is presigned for exactly the declared file.
 *  2. The material is recorded awaiting upload. The URL is signed before the record is written,
 *     so a failure leaves nothing behind.
 */
export async function declareMaterial(
  deps: MaterialDeps,
  portalId: string,
  declaration: Declaration,
  now: Date,
): Promise<{ material: Material; upload: PresignedUpload }> {
  const declared = await prepare(deps, portalId, declaration, now);
  await deps.store.put(declared.material);
  return declared;
}

/**
 * Use case: a portal declares a whole set of (already checked) files at once (一套材料).
 *  1. Each file gets a new id and object key, and its upload is presigned — every one of them
 *     before anything is written.
 *  2. All the materials are recorded awaiting upload with one store call, all or none, so a
 *     failure at either step leaves nothing behind.
 * Answers in the order declared.
 */
export async function declareMaterials(
  deps: MaterialDeps,
  portalId: string,
  declarations: readonly Declaration[],
  now: Date,
): Promise<{ material: Material; upload: PresignedUpload }[]> {
  const declared = await Promise.all(declarations.map((d) => prepare(deps, portalId, d, now)));
  await deps.store.putMany(declared.map((d) => d.material));
  return declared;
}

/** The portal's own material; another portal's, an expired or an unknown one is undefined (→ 404). */
export async function findMaterial(
  deps: Pick<MaterialDeps, 'store'>,
  portalId: string,
  materialId: string,
  now: Date,
): Promise<Material | undefined> {
  if (!MATERIAL_ID.test(materialId)) return undefined;
  const m = await deps.store.get(materialId);
  return m && visibleTo(m, portalId, now) ? m : undefined;
}

/**
 * Judges the stored bytes of a material still awaiting upload; returns the material as it now
 * stands. No object yet → unchanged. The verdict is recorded only from awaiting upload: when two
 * judgments race, the first write wins and the other returns what was stored.
 */
export async function judgeMaterial(deps: MaterialDeps, material: Material, now: Date): Promise<Material> {
  if (material.status !== JUDGED_FROM) return material;
  const stored = await deps.files.inspect(material.s3Key);
  if (!stored) return material;
  return deps.store.recordVerdict(material, verdictChanges(judgeUpload(material, stored), stored.etag, now));
}

/** A few storage reads at a time: a case names at most 100 materials, most already verified. */
export const VERIFY_CONCURRENCY = 8;

/**
 * A material's state as a case would rely on it now. Awaiting upload: judged now. Verified
 * earlier: its object is looked at again (a HEAD; a full re-read for a material verified before
 * ETags were recorded), and bytes replaced since — another size or checksum — make it `changed`.
 * Nothing is written for a change: the material simply cannot be used.
 */
async function currentState(
  deps: MaterialDeps,
  m: Material,
  now: Date,
  deferVerified: boolean,
): Promise<{ material: Material; state: MaterialFacts['state']; verdict?: PendingVerdict }> {
  if (m.status === JUDGED_FROM && deferVerified) {
    // Judged here; a verified verdict is left to the write that attaches the material (one write).
    const stored = await deps.files.inspect(m.s3Key);
    if (!stored) return { material: m, state: factState(m) };
    const changes = verdictChanges(judgeUpload(m, stored), stored.etag, now);
    if (changes.status === 'verified') return { material: m, state: 'verified', verdict: changes };
    const judged = await deps.store.recordVerdict(m, changes);
    return { material: judged, state: factState(judged) };
  }
  if (m.status === 'awaiting_upload') {
    const judged = await judgeMaterial(deps, m, now);
    return { material: judged, state: factState(judged) };
  }
  if (m.status !== 'verified') return { material: m, state: factState(m) };
  const observed = m.etag ? await deps.files.head(m.s3Key) : await deps.files.inspect(m.s3Key);
  return { material: m, state: stillVerified(m, observed) ? 'verified' : 'changed' };
}

/** The facts a case submission or supplement relies on: the portal's own, unexpired materials, as they are now. */
export async function materialFacts(
  deps: MaterialDeps,
  portalId: string,
  ids: readonly string[],
  now: Date,
  { deferVerified = false }: { readonly deferVerified?: boolean } = {},
): Promise<Map<string, MaterialFacts>> {
  const wanted = [...new Set(ids)].filter((id) => MATERIAL_ID.test(id));
  const own = (await deps.store.getMany(wanted)).filter((m) => visibleTo(m, portalId, now));
  const checked: Awaited<ReturnType<typeof currentState>>[] = [];
  for (let i = 0; i < own.length; i += VERIFY_CONCURRENCY)
    checked.push(
      ...(await Promise.all(
        own.slice(i, i + VERIFY_CONCURRENCY).map((m) => currentState(deps, m, now, deferVerified)),
      )),
    );
  return new Map(
    checked.map(({ material, state, verdict }) => [
      material.materialId,
      { ...factsOf(material, state), ...(verdict ? { verdict } : {}) },
    ]),
  );
}

/** The case use cases' MaterialLookup port, over these use cases. */
export function materialLookupOver(deps: MaterialDeps, now: () => Date = () => new Date()): MaterialLookup {
  return { facts: (portalId, ids, options) => materialFacts(deps, portalId, ids, now(), options) };
}
