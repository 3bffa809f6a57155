/**
 * Webhook subscriptions — portals' (PORTAL#<portalId> / WEBHOOK#<id>) and departments'
 * (DEPARTMENT#<departmentId> / WEBHOOK#<id>), one store over either; each owner's directory
 * (<owner> / WEBHOOKS: how many it has, the cap's counter, and all of them in `hooks`, changed in the
 * same transaction as the webhook itself), so the fan-out reads every owner of a batch of events
 * in one BatchGetItem (`webhookDirectories`) — and dead-lettered deliveries
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
  type OwnerRef,
  ownerKey,
  ownerOf,
  WebhookLimitError,
  type WebhookRecord,
  type WebhookRepository,
} from '#core/webhooks/ports.ts';
import { config } from '../config.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type TransactItems,
  TransactWriteCommand,
} from './commands.ts';
import { keys } from './keys.ts';
import { getItems, isConditionFailure, isTransactionConflict, queryPartition, send } from './send.ts';

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

/**
 * An owner's directory item as read: `count` (the cap's counter) and, once complete, `hooks` —
 * every webhook of the owner by id. A counter from before directories has no `hooks`: it gets
 * them with the owner's next registration or deletion; until then readers query the webhooks.
 */
const DirectoryItem = z.object({
  count: z.number(),
  hooks: z.optional(z.record(z.string(), z.record(z.string(), z.unknown()))),
});
type Directory = z.infer<typeof DirectoryItem>;

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
  readonly kind: 'portal' | 'department';
  readonly type: string;
  webhook(ownerId: string, webhookId: string): { pk: string; sk: string };
  count(ownerId: string): { pk: string; sk: string };
  parse(item: Record<string, unknown>): WebhookRecord;
}

const PORTAL_KEYS: WebhookKeys = {
  kind: 'portal',
  type: 'webhook',
  webhook: keys.webhook,
  count: keys.webhookCount,
  parse: (i) => PortalWebhookItem.parse(i),
};

const DEPARTMENT_KEYS: WebhookKeys = {
  kind: 'department',
  type: 'departmentWebhook',
  webhook: keys.departmentWebhook,
  count: keys.departmentWebhookCount,
  parse: (i) => DepartmentWebhookItem.parse(i),
};

/** Oldest first (then by id): the order an owner's webhooks are listed and fanned out in. */
const byCreation = (a: WebhookRecord, b: WebhookRecord) =>
  a.createdAt.localeCompare(b.createdAt) || a.webhookId.localeCompare(b.webhookId);

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
  /** The owner's directory (counter and webhooks), or undefined before its first registration under the cap. */
  async function readDirectory(ownerId: string): Promise<Directory | undefined> {
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: k.count(ownerId), ConsistentRead: true }),
    );
    return r.Item ? DirectoryItem.parse(r.Item) : undefined;
  }
  /** The owner's webhooks as its directory holds them (the item's `hooks`), by id. */
  const byId = (hooks: readonly WebhookRecord[]) =>
    Object.fromEntries(hooks.map((h) => [h.webhookId, { ...h }]));
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
        const directory = await readDirectory(owner);
        if (directory !== undefined) {
          const { count } = directory;
          if (count >= limit) throw new WebhookLimitError(`${owner} has ${count} webhooks.`);
          // A counter without `hooks` (from before directories) gets them all now, on condition
          // that nothing changed since it was read (every change moves the count).
          const all = directory.hooks ? undefined : await this.list(owner);
          const committed = await tryTransact([
            {
              Update: {
                TableName: table(),
                Key: k.count(owner),
                ...(all
                  ? {
                      UpdateExpression: 'SET #count = #count + :one, hooks = :hooks',
                      ConditionExpression:
                        '#count = :read AND #count < :limit AND attribute_not_exists(hooks)',
                      ExpressionAttributeNames: { '#count': 'count' },
                      ExpressionAttributeValues: {
                        ':one': 1,
                        ':limit': limit,
                        ':read': count,
                        ':hooks': byId([...all, record]),
                      },
                    }
                  : {
                      UpdateExpression: 'SET #count = #count + :one, hooks.#id = :hook',
                      ConditionExpression: '#count < :limit AND attribute_exists(hooks)',
                      ExpressionAttributeNames: { '#count': 'count', '#id': record.webhookId },
                      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':hook': { ...record } },
                    }),
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
              Item: {
                ...k.count(owner),
                type: 'webhookCount',
                count: existing.length + 1,
                hooks: byId([...existing, record]),
              },
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
      return items.map((i) => k.parse(i)).sort(byCreation);
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
        const directory = await readDirectory(ownerId);
        // A counter without `hooks` gets the others now (as `create`: nothing changed since read).
        const rest =
          directory && !directory.hooks
            ? (await this.list(ownerId)).filter((h) => h.webhookId !== webhookId)
            : undefined;
        const committed = await tryTransact([
          {
            Delete: {
              TableName: table(),
              Key: k.webhook(ownerId, webhookId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          directory === undefined
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
                  ...(rest
                    ? {
                        UpdateExpression: 'SET #count = #count - :one, hooks = :hooks',
                        ConditionExpression: '#count = :read AND attribute_not_exists(hooks)',
                        ExpressionAttributeNames: { '#count': 'count' },
                        ExpressionAttributeValues: {
                          ':one': 1,
                          ':read': directory.count,
                          ':hooks': byId(rest),
                        },
                      }
                    : {
                        UpdateExpression: 'SET #count = #count - :one REMOVE hooks.#id',
                        ConditionExpression: 'attribute_exists(#count) AND attribute_exists(hooks)',
                        ExpressionAttributeNames: { '#count': 'count', '#id': webhookId },
                        ExpressionAttributeValues: { ':one': 1 },
                      }),
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

const keysOf = (kind: OwnerRef['kind']) => (kind === 'portal' ? PORTAL_KEYS : DEPARTMENT_KEYS);

/**
 * Every given owner's webhooks (core/webhooks/deliver.ts `WebhookDirectory.lookUp`): their
 * directories in one consistent BatchGetItem (send.ts `getItems`); an owner without a complete
 * directory — none yet, or a counter from before directories — by a query of its webhooks, as
 * `list`. Keyed by `ownerKey`; every owner asked is in the answer.
 */
export async function webhookDirectories(owners: readonly OwnerRef[]): Promise<Map<string, WebhookRecord[]>> {
  const out = new Map<string, WebhookRecord[]>();
  const wanted = [...new Map(owners.map((o) => [ownerKey(o), o])).values()];
  // A directory item is told by its partition (the owner's), every directory's sort key the same.
  const byPk = new Map(wanted.map((o) => [keysOf(o.kind).count(o.id).pk, o]));
  const complete = new Map<string, Directory>();
  for (const item of await getItems(wanted.map((o) => keysOf(o.kind).count(o.id)))) {
    const owner = byPk.get(String(item.pk));
    if (owner) complete.set(ownerKey(owner), DirectoryItem.parse(item));
  }
  await Promise.all(
    wanted.map(async (o) => {
      const key = ownerKey(o);
      const hooks = complete.get(key)?.hooks;
      const k = keysOf(o.kind);
      out.set(
        key,
        hooks
          ? Object.values(hooks)
              .map((h) => k.parse(h))
              .sort(byCreation)
          : await (o.kind === 'portal' ? webhookRepository : departmentWebhookRepository).list(o.id),
      );
    }),
  );
  return out;
}

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
