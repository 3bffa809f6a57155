/**
 * Webhook subscriptions (PORTAL#<portalId> / WEBHOOK#<id>) and dead-lettered deliveries
 * (DEADLETTER#<portalId>, and all of them in gsi2 DEADLETTER for operators). The signing secret is
 * stored as is — it must be usable to sign — in the KMS-encrypted table, and leaves it only to the
 * delivery use case and, once, to the portal that registered it.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { UnavailableError } from '#core/shared/errors.ts';
import {
  type DeadLetter,
  type DeadLetterStore,
  WebhookLimitError,
  type WebhookRecord,
  type WebhookRepository,
} from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import { keys } from './keys.ts';
import { isConditionFailure, isTransactionConflict, queryPartition, send } from './send.ts';

/** Dead letters stay visible to operators for 90 days (DynamoDB TTL). */
export const DEAD_LETTER_TTL_SECONDS = 90 * 24 * 3600;

const table = () => config().TABLE_NAME;

const WebhookItem = z.object({
  webhookId: z.string(),
  portalId: z.string(),
  url: z.string(),
  description: z.string().optional(),
  secret: z.string(),
  createdAt: z.string(),
});

const DeadLetterItem = z.object({
  portalId: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  attempts: z.number().int(),
  lastError: z.string(),
  failedAt: z.string(),
  body: z.string(),
});

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Tries a transaction; false when a condition failed (or it kept losing races), true when it committed. */
async function tryTransact(items: TransactItems): Promise<boolean> {
  try {
    await send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (err) {
    if (isConditionFailure(err) || isTransactionConflict(err)) return false;
    throw err;
  }
}

/** The portal's webhook counter, or undefined before its first registration under the cap. */
async function readCount(portalId: string): Promise<number | undefined> {
  const r = await send<{ Item?: { count?: number } }>(
    new GetCommand({ TableName: table(), Key: keys.webhookCount(portalId), ConsistentRead: true }),
  );
  return r.Item?.count;
}

/** Enough for every concurrent registration of one portal to get its turn, bounded. */
const MAX_ATTEMPTS = 20;
/** 10 ms, 20 ms … before jitter, capped at 320 ms: registrations of one portal take turns. */
const backoff = (attempt: number) => pauseBeforeRetry(attempt, { baseDelayMs: 10, maxDelayMs: 320 });

/**
 * The cap (MAX_WEBHOOKS_PER_PORTAL) is enforced on a counter item per portal, changed in the same
 * transaction as the webhook itself: a registration increments it on condition that it is below
 * the limit, a deletion decrements it. A portal without a counter (webhooks registered before it
 * existed) gets one holding the number it has, in a transaction that checks those still exist.
 */
export const webhookRepository: WebhookRepository = {
  async create(record, limit) {
    const put = {
      Put: {
        TableName: table(),
        Item: { ...keys.webhook(record.portalId, record.webhookId), type: 'webhook', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt) await backoff(attempt);
      const count = await readCount(record.portalId);
      if (count !== undefined) {
        if (count >= limit) throw new WebhookLimitError(`Portal ${record.portalId} has ${count} webhooks.`);
        const committed = await tryTransact([
          {
            Update: {
              TableName: table(),
              Key: keys.webhookCount(record.portalId),
              UpdateExpression: 'SET #count = #count + :one',
              ConditionExpression: '#count < :limit',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':one': 1, ':limit': limit },
            },
          },
          put,
        ]);
        if (committed) return;
        continue; // full by now (the next read says so), or lost a race: read again
      }
      const existing = await this.list(record.portalId);
      if (existing.length >= limit)
        throw new WebhookLimitError(`Portal ${record.portalId} has ${existing.length} webhooks.`);
      const committed = await tryTransact([
        {
          Put: {
            TableName: table(),
            Item: { ...keys.webhookCount(record.portalId), type: 'webhookCount', count: existing.length + 1 },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        put,
        // The count is exact only if the webhooks it counted are all still there.
        ...existing.map((w) => ({
          ConditionCheck: {
            TableName: table(),
            Key: keys.webhook(w.portalId, w.webhookId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        })),
      ]);
      if (committed) return;
    }
    throw new UnavailableError('Too many concurrent webhook registrations; please retry.');
  },

  async list(portalId) {
    const items = await queryPartition(keys.webhook(portalId, '').pk, {
      skPrefix: 'WEBHOOK#',
      consistent: true,
    });
    return items
      .map((i) => WebhookItem.parse(i))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.webhookId.localeCompare(b.webhookId));
  },

  async get(portalId, webhookId) {
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: keys.webhook(portalId, webhookId), ConsistentRead: true }),
    );
    return r.Item ? (WebhookItem.parse(r.Item) as WebhookRecord) : undefined;
  },

  async delete(portalId, webhookId) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt) await backoff(attempt);
      const existing = await this.get(portalId, webhookId);
      if (!existing) return undefined;
      const count = await readCount(portalId);
      const committed = await tryTransact([
        {
          Delete: {
            TableName: table(),
            Key: keys.webhook(portalId, webhookId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        count === undefined
          ? // No counter yet: none may appear meanwhile (it would count this webhook).
            {
              ConditionCheck: {
                TableName: table(),
                Key: keys.webhookCount(portalId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            }
          : {
              Update: {
                TableName: table(),
                Key: keys.webhookCount(portalId),
                UpdateExpression: 'SET #count = #count - :one',
                ConditionExpression: 'attribute_exists(#count)',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
      ]);
      if (committed) return existing;
    }
    throw new UnavailableError('Too many concurrent webhook changes; please retry.');
  },
};

export const deadLetterStore: DeadLetterStore = {
  async record(d) {
    await send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...keys.deadLetter(d.portalId, d.failedAt, d.webhookId, d.eventId),
          type: 'deadLetter',
          ...d,
          expiresAt: Math.floor(Date.parse(d.failedAt) / 1000) + DEAD_LETTER_TTL_SECONDS,
        },
      }),
    );
  },
};

/** Dead letters, newest first: one portal's, or every portal's (gsi2) for operators. */
export async function listDeadLetters(
  options: { portalId?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  const r = await send<{ Items?: Record<string, unknown>[] }>(
    new QueryCommand({
      TableName: table(),
      ...(options.portalId
        ? {
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `DEADLETTER#${options.portalId}` },
          }
        : {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': 'DEADLETTER' },
          }),
      ScanIndexForward: false,
      Limit: options.limit ?? 50,
    }),
  );
  return (r.Items ?? []).map((i) => DeadLetterItem.parse(i));
}
