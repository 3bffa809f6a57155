/**
 * The material items a case's transaction writes (adapters/dynamodb/case-repository.ts): apart
 * from material-store.ts, which wires the material use cases to the S3 files, so that a function
 * that only creates or changes cases bundles no S3 client.
 */
import { config } from '../config.ts';
import { keys } from './keys.ts';

/**
 * The conditional updates that attach verified materials to a case, inside the transaction that
 * creates or changes the case (adapters/dynamodb/case-repository.ts): all or none, with the case.
 * The condition is core/materials/material.ts `attachable`, in DynamoDB's words. Attaching again
 * to the same case is harmless (a retried submission).
 */
export function attachToCaseItems(ids: readonly string[], caseId: string, now = new Date()) {
  return [...new Set(ids)].map((id) => ({
    Update: {
      TableName: config().TABLE_NAME,
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
