/**
 * Materials in DynamoDB: one item per declared file (the aggregate and its rules are
 * core/materials/material.ts; the use cases core/materials/use-cases.ts). This module only
 * stores: the conditional put of a new material (of a set: one transaction), the conditional
 * verdict write, strongly consistent reads, and the conditional updates that attach materials
 * inside a case's transaction. Never-used materials expire by DynamoDB TTL on `expiresAt`.
 *
 * `createMaterial`, `createMaterials`, `getMaterial`, `verifyMaterial` and `materialLookup` are
 * the use cases wired to this store and the S3 files, for the handlers.
 */

import type { MaterialLookup } from '#core/case/ports.ts';
import type { Declaration } from '#core/materials/declaration.ts';
import { JUDGED_FROM, type Material, MaterialSchema } from '#core/materials/material.ts';
import type { MaterialDeps, MaterialStore, PresignedUpload } from '#core/materials/ports.ts';
import {
  declareMaterial,
  declareMaterials,
  findMaterial,
  judgeMaterial,
  materialLookupOver,
} from '#core/materials/use-cases.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { materialFiles } from '../s3/material-files.ts';
import {
  GetCommand,
  MAX_TRANSACTION_ITEMS,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from './commands.ts';
import { keys } from './keys.ts';
import { getItems, isConditionFailure, send } from './send.ts';

export {
  MATERIAL_ID,
  MATERIAL_TTL_SECONDS,
  type Material,
  MaterialSchema,
  newMaterialId,
} from '#core/materials/material.ts';

const table = () => config().TABLE_NAME;

async function readMaterial(materialId: string): Promise<Material | undefined> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: table(), Key: keys.material(materialId), ConsistentRead: true }),
  );
  return r.Item ? MaterialSchema.parse(r.Item) : undefined;
}

/** Reads materials by id, strongly consistent, retrying keys DynamoDB leaves unprocessed. */
async function readMaterials(ids: readonly string[]): Promise<Material[]> {
  return (await getItems(ids.map((id) => keys.material(id)))).map((item) => MaterialSchema.parse(item));
}

/** The conditional Put of a new material (its random id is new: a repeat of it would be refused). */
const newMaterialItem = (material: Material) => ({
  TableName: table(),
  Item: { ...keys.material(material.materialId), ...material },
  ConditionExpression: 'attribute_not_exists(pk)',
});

export const materialStore: MaterialStore = {
  async put(material) {
    await send(new PutCommand(newMaterialItem(material)));
  },

  /**
   * ONE TransactWriteItems of conditional Puts: all the materials or none. Not retried on a
   * transaction conflict (as case-repository.ts `transact` is): that needs another write to one of
   * these items at the same moment, and nobody else can name their fresh random ids.
   */
  async putMany(materials) {
    if (materials.length === 0) return;
    if (materials.length > MAX_TRANSACTION_ITEMS)
      throw new RangeError(
        `A transaction holds at most ${MAX_TRANSACTION_ITEMS} items, not ${materials.length}.`,
      );
    await send(
      new TransactWriteCommand({ TransactItems: materials.map((m) => ({ Put: newMaterialItem(m) })) }),
    );
  },

  get: readMaterial,

  getMany: readMaterials,

  async recordVerdict(material, changes) {
    const set = Object.keys(changes).map((k) => (k === 'status' ? '#status = :status' : `${k} = :${k}`));
    try {
      const r = await send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: table(),
          Key: keys.material(material.materialId),
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':from': JUDGED_FROM,
            ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [`:${k}`, v])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      // Ids and the verdict only: the file name may carry personal data.
      logger.info('material judged', {
        materialId: material.materialId,
        status: changes.status,
        ...(changes.status === 'rejected' ? { reason: changes.reason } : {}),
      });
      return MaterialSchema.parse(r.Attributes);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return (await readMaterial(material.materialId)) ?? material;
    }
  },
};

// The case transaction's material items live apart (no S3 client in the case functions).
export { attachToCaseItems } from './material-items.ts';

const deps: MaterialDeps = { store: materialStore, files: materialFiles };

/** Records a declared (already checked) material and presigns the upload of its bytes. */
export function createMaterial(
  portalId: string,
  declaration: Declaration,
  now = new Date(),
): Promise<{ material: Material; upload: PresignedUpload }> {
  return declareMaterial(deps, portalId, declaration, now);
}

/** Records a set of declared (already checked) materials in one write and presigns each upload. */
export function createMaterials(
  portalId: string,
  declarations: readonly Declaration[],
  now = new Date(),
): Promise<{ material: Material; upload: PresignedUpload }[]> {
  return declareMaterials(deps, portalId, declarations, now);
}

/** The portal's own material; another portal's, an expired or an unknown one is undefined (→ 404). */
export function getMaterial(
  portalId: string,
  materialId: string,
  now = new Date(),
): Promise<Material | undefined> {
  return findMaterial(deps, portalId, materialId, now);
}

/** Judges the stored bytes of a material still awaiting upload; returns the material as it now stands. */
export function verifyMaterial(material: Material, now = new Date()): Promise<Material> {
  return judgeMaterial(deps, material, now);
}

export const materialLookup: MaterialLookup = materialLookupOver(deps);
