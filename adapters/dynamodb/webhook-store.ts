/**
 * Webhook subscriptions (PORTAL#<portalId> / WEBHOOK#<id>) and dead-lettered deliveries
 * (DEADLETTER#<portalId>, and all of them in gsi2 DEADLETTER for operators). The signing secret is
 * stored as is — it must be usable to sign — in the KMS-encrypted table, and leaves it only to the
 * delivery use case and, once, to the portal that registered it.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DeadLetter, DeadLetterStore, WebhookRecord, WebhookRepository } from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { keys } from './keys.ts';
import { isConditionFailure, queryPartition, send } from './send.ts';

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

export const webhookRepository: WebhookRepository = {
  async create(record) {
    await send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.webhook(record.portalId, record.webhookId), type: 'webhook', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
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
    try {
      const r = await send<{ Attributes?: Record<string, unknown> }>(
        new DeleteCommand({
          TableName: table(),
          Key: keys.webhook(portalId, webhookId),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      return r.Attributes ? (WebhookItem.parse(r.Attributes) as WebhookRecord) : undefined;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
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
