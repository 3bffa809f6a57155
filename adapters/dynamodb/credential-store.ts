/** Portal API keys (stored only as SHA-256 hashes) and revoked department tokens. */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { keys } from './keys.ts';

const ApiKeyItem = z.object({ portalId: z.string(), status: z.enum(['active', 'revoked']) });

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function registerPortalKey(portalId: string, name: string, apiKey: string): Promise<void> {
  const now = new Date().toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: config().TABLE_NAME,
      Item: { ...keys.portal(portalId), type: 'portal', portalId, name, createdAt: now },
    }),
  );
  await dynamo.send(
    new PutCommand({
      TableName: config().TABLE_NAME,
      Item: {
        ...keys.apiKey(hashApiKey(apiKey)),
        type: 'apiKey',
        portalId,
        status: 'active',
        createdAt: now,
      },
    }),
  );
}

export async function portalForApiKey(apiKey: string): Promise<string | null> {
  const r = await dynamo.send(
    new GetCommand({ TableName: config().TABLE_NAME, Key: keys.apiKey(hashApiKey(apiKey)) }),
  );
  if (!r.Item) return null;
  const item = ApiKeyItem.parse(r.Item);
  return item.status === 'active' ? item.portalId : null;
}

export async function isTokenRevoked(jti: string): Promise<boolean> {
  const r = await dynamo.send(
    new GetCommand({ TableName: config().TABLE_NAME, Key: keys.revokedToken(jti) }),
  );
  return Boolean(r.Item);
}
