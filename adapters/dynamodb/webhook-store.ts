/**
 * Webhook subscriptions — portals' (PORTAL#<portalId> / WEBHOOK#<id>) and departments'
 * (DEPARTMENT#<departmentId> / WEBHOOK#<id>), one store over either — and dead-lettered deliveries
 * (DEADLETTER#<portalId> or DEADLETTER#DEPARTMENT#<departmentId>, and all of them in gsi2
 * DEADLETTER for operators). The signing secret is stored as is — it must be usable to sign — in
 * the KMS-encrypted table, and leaves it only to the delivery use case and, once, to the owner
 * that registered it.
 */

import * as z from 'zod/mini';
import { UnavailableError } from '#core/shared/errors.ts';
import { TASK_EVENT_TYPES } from '#core/webhooks/events.ts';
import {
  type DeadLetter,
  type DeadLetterStore,
  ownerOf,
  WebhookLimitError,
  type WebhookRecord,
  type WebhookRepository,
} from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from './commands.ts';
import { keys } from './keys.ts';
import { isConditionFailure, isTransactionConflict, queryPartition, send } from './send.ts';

/** Dead letters stay visible to operators for 90 days (DynamoDB TTL). */
export const DEAD_LETTER_TTL_SECONDS = 90 * 24 * 3600;

const table = () => config().TABLE_NAME;

const WebhookFields = {
  webhookId: z.string(),
  url: z.string(),
  description: z.optional(z.string()),
  secret: z.string(),
  createdAt: z.string(),
};
const PortalWebhookItem = z.object({ ...WebhookFields, portalId: z.string() });
const DepartmentWebhookItem = z.object({
  ...WebhookFields,
  departmentId: z.string(),
  events: z.optional(z.array(z.enum(TASK_EVENT_TYPES))),
});

const DeadLetterFields = {
  webhookId: z.string(),
  eventId: z.string(),
  attempts: z.number().check(z.int()),
  lastError: z.string(),
  failedAt: z.string(),
  body: z.string(),
};
const DeadLetterItem = z.union([
  z.object({ ...DeadLetterFields, portalId: z.string() }),
  z.object({ ...DeadLetterFields, departmentId: z.string() }),
]);

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

/** Where one kind of owner's webhooks live, and how an item reads back. */
interface WebhookKeys {
  readonly type: string;
  webhook(ownerId: string, webhookId: string): { pk: string; sk: string };
  count(ownerId: string): { pk: string; sk: string };
  parse(item: Record<string, unknown>): WebhookRecord;
}

const PORTAL_KEYS: WebhookKeys = {
  type: 'webhook',
  webhook: keys.webhook,
  count: keys.webhookCount,
  parse: (i) => PortalWebhookItem.parse(i),
};

const DEPARTMENT_KEYS: WebhookKeys = {
  type: 'departmentWebhook',
  webhook: keys.departmentWebhook,
  count: keys.departmentWebhookCount,
  parse: (i) => DepartmentWebhookItem.parse(i),
};

/** Enough for every concurrent registration of one portal to get its turn, bounded. */
const MAX_ATTEMPTS = 20;
/** 10 ms, 20 ms … before jitter, capped at 320 ms: registrations of one portal take turns. */
const backoff = (attempt: number) => pauseBeforeRetry(attempt, { baseDelayMs: 10, maxDelayMs: 320 });

/**
 * The cap (MAX_WEBHOOKS_PER_PORTAL) is enforced on a counter item per owner, changed in the same
 * transaction as the webhook itself: a registration increments it on condition that it is below
 * the limit, a deletion decrements it. An owner without a counter (webhooks registered before it
 * existed) gets one holding the number it has, in a transaction that checks those still exist.
 */
function webhookStore(k: WebhookKeys): WebhookRepository {
  /** The owner's webhook counter, or undefined before its first registration under the cap. */
  async function readCount(ownerId: string): Promise<number | undefined> {
    const r = await send<{ Item?: { count?: number } }>(
      new GetCommand({ TableName: table(), Key: k.count(ownerId), ConsistentRead: true }),
    );
    return r.Item?.count;
  }
  return {
    async create(record, limit) {
      const owner = ownerOf(record).id;
      const put = {
        Put: {
          TableName: table(),
          Item: { ...k.webhook(owner, record.webhookId), type: k.type, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt) await backoff(attempt);
        const count = await readCount(owner);
        if (count !== undefined) {
          if (count >= limit) throw new WebhookLimitError(`${owner} has ${count} webhooks.`);
          const committed = await tryTransact([
            {
              Update: {
                TableName: table(),
                Key: k.count(owner),
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
        const existing = await this.list(owner);
        if (existing.length >= limit)
          throw new WebhookLimitError(`${owner} has ${existing.length} webhooks.`);
        const committed = await tryTransact([
          {
            Put: {
              TableName: table(),
              Item: { ...k.count(owner), type: 'webhookCount', count: existing.length + 1 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          put,
          // The count is exact only if the webhooks it counted are all still there.
          ...existing.map((w) => ({
            ConditionCheck: {
              TableName: table(),
              Key: k.webhook(owner, w.webhookId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          })),
        ]);
        if (committed) return;
      }
      throw new UnavailableError('Too many concurrent webhook registrations; please retry.');
    },

    async list(ownerId) {
      const items = await queryPartition(k.webhook(ownerId, '').pk, {
        skPrefix: 'WEBHOOK#',
        consistent: true,
      });
      return items
        .map((i) => k.parse(i))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.webhookId.localeCompare(b.webhookId));
    },

    async get(ownerId, webhookId) {
      const r = await send<{ Item?: Record<string, unknown> }>(
        new GetCommand({ TableName: table(), Key: k.webhook(ownerId, webhookId), ConsistentRead: true }),
      );
      return r.Item ? k.parse(r.Item) : undefined;
    },

    async delete(ownerId, webhookId) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt) await backoff(attempt);
        const existing = await this.get(ownerId, webhookId);
        if (!existing) return undefined;
        const count = await readCount(ownerId);
        const committed = await tryTransact([
          {
            Delete: {
              TableName: table(),
              Key: k.webhook(ownerId, webhookId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          count === undefined
            ? // No counter yet: none may appear meanwhile (it would count this webhook).
              {
                ConditionCheck: {
                  TableName: table(),
                  Key: k.count(ownerId),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              }
            : {
                Update: {
                  TableName: table(),
                  Key: k.count(ownerId),
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
}

/** Portals' webhooks: the status changes of their cases. */
export const webhookRepository: WebhookRepository = webhookStore(PORTAL_KEYS);

/** Departments' webhooks: the events of their tasks. */
export const departmentWebhookRepository: WebhookRepository = webhookStore(DEPARTMENT_KEYS);

export const deadLetterStore: DeadLetterStore = {
  async record(d) {
    await send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...(d.departmentId !== undefined
            ? keys.departmentDeadLetter(d.departmentId, d.failedAt, d.webhookId, d.eventId)
            : keys.deadLetter(d.portalId, d.failedAt, d.webhookId, d.eventId)),
          type: 'deadLetter',
          ...d,
          expiresAt: Math.floor(Date.parse(d.failedAt) / 1000) + DEAD_LETTER_TTL_SECONDS,
        },
      }),
    );
  },
};

/** Dead letters, newest first: one portal's or department's, or everyone's (gsi2) for operators. */
export async function listDeadLetters(
  options: { portalId?: string; departmentId?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  const pk = options.departmentId
    ? keys.departmentDeadLetter(options.departmentId, '', '', '').pk
    : options.portalId
      ? keys.deadLetter(options.portalId, '', '', '').pk
      : undefined;
  const r = await send<{ Items?: Record<string, unknown>[] }>(
    new QueryCommand({
      TableName: table(),
      ...(pk
        ? {
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
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
