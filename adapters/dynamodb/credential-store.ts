/** Portal API keys (stored only as SHA-256 hashes), their revocation, and revoked department tokens. */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from './commands.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

const ApiKeyItem = z.object({ portalId: z.string(), status: z.enum(['active', 'revoked']) });

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Adds an API key to a portal, creating the portal if it is new (an existing portal keeps its
 * createdAt and gets the new name). One transaction: the key (looked up by hash by the
 * authorizer), its reference under the portal (so every key of a portal can be revoked) and the
 * profile (listed in the sparse gsi2 PORTALS directory). `counter: true` registers the portal as a
 * counter (窗口) whose officers verify applicants in person (adapters/dynamodb/counter-portals.ts);
 * without the option an existing portal keeps what it was.
 */
export async function registerPortalKey(
  portalId: string,
  name: string,
  apiKey: string,
  options: { readonly counter?: boolean } = {},
): Promise<void> {
  const now = new Date().toISOString();
  const hash = hashApiKey(apiKey);
  const TableName = config().TABLE_NAME;
  const directory = keys.portalDirectory(portalId);
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName,
            Key: keys.portal(portalId),
            UpdateExpression: `SET #type = :type, portalId = :portalId, #name = :name, #status = :active, updatedAt = :now, createdAt = if_not_exists(createdAt, :now), gsi2pk = :gsi2pk, gsi2sk = :gsi2sk${options.counter === undefined ? '' : ', #counter = :counter'}`,
            ExpressionAttributeNames: {
              '#type': 'type',
              '#name': 'name',
              '#status': 'status',
              ...(options.counter === undefined ? {} : { '#counter': 'counter' }),
            },
            ExpressionAttributeValues: {
              ':type': 'portal',
              ':portalId': portalId,
              ':name': name,
              ':active': 'active',
              ':now': now,
              ':gsi2pk': directory.gsi2pk,
              ':gsi2sk': directory.gsi2sk,
              ...(options.counter === undefined ? {} : { ':counter': options.counter }),
            },
          },
        },
        {
          Put: {
            TableName,
            Item: { ...keys.apiKey(hash), type: 'apiKey', portalId, status: 'active', createdAt: now },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName,
            Item: {
              ...keys.portalApiKey(portalId, hash),
              type: 'portalApiKey',
              portalId,
              keyHash: hash,
              // Enough to recognise a key in a listing, far too little to use it.
              keyPrefix: apiKey.slice(0, 8),
              status: 'active',
              createdAt: now,
            },
          },
        },
      ],
    }),
  );
  await emptyWebhookDirectory(portalId);
}

/**
 * A portal without webhooks gets its (empty) webhook directory, so the fan-out finds in it that
 * there are none (adapters/dynamodb/webhook-store.ts `webhookDirectories`) instead of querying for
 * them on every batch. Only if it has no directory and no webhook: a webhook registered meanwhile
 * wrote its own directory (and this Put, conditional on none, then changes nothing).
 */
async function emptyWebhookDirectory(portalId: string): Promise<void> {
  const TableName = config().TABLE_NAME;
  const hooks = await dynamo.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :webhook)',
      ExpressionAttributeValues: { ':pk': keys.webhookCount(portalId).pk, ':webhook': 'WEBHOOK#' },
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  if (hooks.Items?.length) return;
  try {
    await dynamo.send(
      new PutCommand({
        TableName,
        Item: { ...keys.webhookCount(portalId), type: 'webhookCount', count: 0, hooks: {} },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
  }
}

const PortalKeyRef = z.object({
  keyHash: z.string(),
  keyPrefix: z.optional(z.string()),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
});

async function portalKeyRefs(portalId: string) {
  const r = await dynamo.send(
    new QueryCommand({
      TableName: config().TABLE_NAME,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.portal(portalId).pk, ':prefix': 'APIKEY#' },
      ConsistentRead: true,
    }),
  );
  return (r.Items ?? []).map((i) => PortalKeyRef.parse(i));
}

/**
 * Revokes every active key of a portal (the authorizer refuses them at once locally; API Gateway
 * may serve a cached answer for up to the authorizer's cache TTL). Returns how many were active.
 */
export async function revokePortalKeys(portalId: string): Promise<number> {
  const now = new Date().toISOString();
  const TableName = config().TABLE_NAME;
  const active = (await portalKeyRefs(portalId)).filter((k) => k.status === 'active');
  for (const k of active) {
    const revoke = (Key: Record<string, string>) => ({
      Update: {
        TableName,
        Key,
        UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
      },
    });
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [revoke(keys.apiKey(k.keyHash)), revoke(keys.portalApiKey(portalId, k.keyHash))],
      }),
    );
  }
  await dynamo
    .send(
      new UpdateCommand({
        TableName,
        Key: keys.portal(portalId),
        UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':now': now },
      }),
    )
    .catch((err: { name?: string }) => {
      if (err.name !== 'ConditionalCheckFailedException') throw err; // no such portal
    });
  return active.length;
}

export interface PortalSummary {
  readonly portalId: string;
  readonly name: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly keys: readonly {
    keyPrefix?: string | undefined;
    status: 'active' | 'revoked';
    createdAt: string;
  }[];
}

/** Every portal (gsi2 PORTALS) with its keys' prefixes and states — never a key or its hash. */
export async function listPortals(): Promise<PortalSummary[]> {
  const profiles: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await dynamo.send(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.portalDirectory('').gsi2pk },
        ExclusiveStartKey: start,
      }),
    );
    profiles.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  const Profile = z.object({
    portalId: z.string(),
    name: z.string(),
    status: z._default(z.enum(['active', 'revoked']), 'active'),
    createdAt: z.string(),
  });
  return Promise.all(
    profiles.map(async (item) => {
      const p = Profile.parse(item);
      const refs = await portalKeyRefs(p.portalId);
      return {
        ...p,
        keys: refs.map((k) => ({ keyPrefix: k.keyPrefix, status: k.status, createdAt: k.createdAt })),
      };
    }),
  );
}

/**
 * Revokes a department token by its id (jti). `expiresAt` (unix seconds, the token's exp) lets
 * DynamoDB TTL forget the revocation once the token would have expired anyway.
 */
export async function revokeToken(jti: string, expiresAt?: number): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: config().TABLE_NAME,
      Item: {
        ...keys.revokedToken(jti),
        type: 'revokedToken',
        jti,
        revokedAt: new Date().toISOString(),
        ...(expiresAt ? { expiresAt } : {}),
      },
    }),
  );
}

/*
 * The authorizer's two look-ups go through `send`: an outage is an UnavailableError, which the
 * authorizer lets through (API Gateway answers 503, infra/city-stack.ts), never "no such key".
 */

export async function portalForApiKey(apiKey: string): Promise<string | null> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: config().TABLE_NAME, Key: keys.apiKey(hashApiKey(apiKey)) }),
  );
  if (!r.Item) return null;
  const item = ApiKeyItem.parse(r.Item);
  return item.status === 'active' ? item.portalId : null;
}

export async function isTokenRevoked(jti: string): Promise<boolean> {
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: config().TABLE_NAME, Key: keys.revokedToken(jti) }),
  );
  return Boolean(r.Item);
}
