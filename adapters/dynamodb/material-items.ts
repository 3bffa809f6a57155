/**
 * The material items a case's transaction writes (adapters/dynamodb/case-repository.ts): apart
 * from material-store.ts, which wires the material use cases to the S3 files, so that a function
 * that only creates or changes cases bundles no S3 client.
 */
import type { MaterialAttachment } from '#core/case/application.ts';
import { JUDGED_FROM } from '#core/materials/material.ts';
import { config } from '../config.ts';
import { keys } from './keys.ts';

/**
 * The conditional updates that attach verified materials to a case, inside the transaction that
 * creates or changes the case (adapters/dynamodb/case-repository.ts): all or none, with the case.
 * The condition is core/materials/material.ts `attachable`, in DynamoDB's words. Attaching again
 * to the same case is harmless (a retried submission). A material given with its verdict (judged
 * verified just now, not yet recorded) is recorded verified by the same update, conditional on
 * still awaiting upload (material-store.ts recordVerdict's condition): a verdict never changes.
 */
export function attachToCaseItems(
  materials: readonly MaterialAttachment[],
  caseId: string,
  now = new Date(),
) {
  const byId = new Map(materials.map((m) => [m.materialId, m]));
  return [...byId.values()].map(({ materialId, verdict }) => ({
    Update: {
      TableName: config().TABLE_NAME,
      Key: keys.material(materialId),
      UpdateExpression: verdict
        ? `SET caseId = :caseId, #status = :verified, verifiedAt = :verifiedAt${verdict.etag ? ', etag = :etag' : ''} REMOVE expiresAt`
        : 'SET caseId = :caseId REMOVE expiresAt',
      // Verified (or being so recorded: awaiting upload), not yet expired, and free or already
      // this case's (a retried submission).
      ConditionExpression: `#status = ${verdict ? ':awaiting' : ':verified'} AND (attribute_not_exists(caseId) OR caseId = :caseId) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':verified': 'verified',
        ':caseId': caseId,
        ':now': Math.floor(now.getTime() / 1000),
        ...(verdict
          ? {
              ':awaiting': JUDGED_FROM,
              ':verifiedAt': verdict.verifiedAt,
              ...(verdict.etag ? { ':etag': verdict.etag } : {}),
            }
          : {}),
      },
    },
  }));
}
