/**
 * The access log, consents and the prefill rate limit in the city table (keys.ts: ACCESS#, CONSENT#,
 * RATE#). Keyed by the applicant's keyed identifier, never the identifier itself.
 */
import { randomUUID } from 'node:crypto';
import type { PrefillApplicant } from '#core/catalog/prefill.ts';
import type { AccessEntry, PrivacyPort } from '#core/identity/privacy.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import { config } from '../config.ts';
import { cityKeyer } from '../identity/identifier-secret.ts';
import { pauseBeforeRetry } from '../shared/backoff.ts';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from './commands.ts';
import { keys } from './keys.ts';
import { isConditionFailure, send } from './send.ts';

/** Access-log entries are kept this long (then DynamoDB's TTL removes them). */
export const ACCESS_LOG_RETENTION_DAYS = 3 * 365;
const DAY_S = 86_400;

/** The applicant's keyed identifier: the key of everything recorded about them. */
export async function applicantKey(whose: PrefillApplicant): Promise<string> {
  const keyer = await cityKeyer();
  return whose.kind === 'person' ? keyer('idNumber', whose.idNumber) : keyer('uscc', whose.uscc);
}

const encodeCursor = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');
const decodeCursor = (c: string) => Buffer.from(c, 'base64url').toString('utf8');

/** An access-log item: under the applicant's keyed identifier, removed by TTL after the retention. */
function accessItem(key: string, entry: AccessEntry): Record<string, unknown> {
  const expiresAt = Math.floor(Date.parse(entry.at) / 1000) + ACCESS_LOG_RETENTION_DAYS * DAY_S;
  return { ...keys.accessLog(key, entry.at, randomUUID()), type: 'access', ...entry, expiresAt };
}

/** DynamoDB's limit on the requests of one BatchWriteItem. */
const BATCH_WRITE_ITEMS = 25;
/** Tries of a batch whose items DynamoDB keeps leaving unprocessed (throttling) before giving up. */
export const ACCESS_WRITE_ATTEMPTS = 8;

export const privacyStore: PrivacyPort = {
  async recordAccess(whose, entry) {
    const key = await applicantKey(whose);
    await send(new PutCommand({ TableName: config().TABLE_NAME, Item: accessItem(key, entry) }));
  },

  async recordAccesses(whose, entries) {
    if (entries.length === 0) return;
    const key = await applicantKey(whose);
    const table = config().TABLE_NAME;
    if (entries.length === 1) {
      await send(new PutCommand({ TableName: table, Item: accessItem(key, entries[0]!) }));
      return;
    }
    const items = entries.map((e) => accessItem(key, e));
    for (let i = 0; i < items.length; i += BATCH_WRITE_ITEMS) {
      // A batch may come back with some puts unprocessed (throttling): those are sent again, and
      // if they never go through the read fails — personal data never leaves unlogged.
      let pending = items.slice(i, i + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt >= ACCESS_WRITE_ATTEMPTS)
          throw new UnavailableError('The access log is throttling writes; please retry.');
        if (attempt) await pauseBeforeRetry(attempt);
        const r = await send<{ UnprocessedItems?: Record<string, { PutRequest?: unknown }[]> }>(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        pending = (r.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  },

  async listAccess(whose, page) {
    const key = await applicantKey(whose);
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: config().TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ACCESS#${key}` },
        ScanIndexForward: false,
        Limit: page.limit,
        ...(page.cursor ? { ExclusiveStartKey: { pk: `ACCESS#${key}`, sk: decodeCursor(page.cursor) } } : {}),
      }),
    );
    const items = (r.Items ?? []).map(
      (i): AccessEntry => ({
        at: i.at as string,
        actor: i.actor as AccessEntry['actor'],
        purpose: i.purpose as string,
        ...(typeof i.caseId === 'string' ? { caseId: i.caseId } : {}),
      }),
    );
    const last = r.LastEvaluatedKey?.sk;
    return { items, ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}) };
  },

  async recordConsent(whose, consent) {
    const key = await applicantKey(whose);
    await send(
      new PutCommand({
        TableName: config().TABLE_NAME,
        Item: {
          ...keys.consent(key, consent.recordedAt, consent.id),
          type: 'consent',
          ...consent,
          // Kept as long as the reads it allowed are logged.
          expiresAt: Math.floor(Date.parse(consent.expiresAt) / 1000) + ACCESS_LOG_RETENTION_DAYS * DAY_S,
        },
      }),
    );
  },

  async takeLookup(subject, limit, now) {
    const keyer = await cityKeyer();
    const hour = Math.floor(now.getTime() / 3_600_000);
    const windowEnd = (hour + 1) * 3600;
    try {
      await send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: keys.rate('prefill', keyer('subject', subject), String(hour)),
          UpdateExpression: 'ADD #n :one SET expiresAt = :ttl',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': windowEnd + 3600 },
        }),
      );
      return { allowed: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { allowed: false, retryAfterSeconds: Math.max(1, windowEnd - Math.floor(now.getTime() / 1000)) };
    }
  },
};
