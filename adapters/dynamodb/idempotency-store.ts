/**
 * Idempotency-Key records of every POST but POST /v1/cases (whose key is written in the case's own
 * transaction, case-repository.ts): one item per caller and key,
 *
 *   pk IDEMPOTENT#<keyed(scope, key)>, sk REQUEST   (not in keys.ts: only this module reads or writes it)
 *   { fingerprint, state: in_progress | completed, token, lockedUntil, answer?, expiresAt (TTL) }
 *
 * The lifecycle (adapters/http/handler.ts drives it, IETF draft-ietf-httpapi-idempotency-key-header):
 *  1. `reserve` puts the item in_progress, conditional on there being none (or only an expired
 *     one, or an in-progress one whose lock lapsed — its Lambda died — for the same request).
 *     A refused put reads the item: another request → `mismatch` (422); completed → `replay` of
 *     its answer; still in progress → `in_progress` (409 + Retry-After).
 *  2. The route runs. A 2xx answer is `complete`d (kept 24 h); any refusal or failure is
 *     `release`d, so the same key may be sent again with a corrected request (as for cases).
 *     A route whose answer is personal data (POST /v1/prefill, `idempotentRepeat: 'rerun'`) is
 *     completed without its answer: only the fingerprint is kept, and a repeat gets `rerun` —
 *     the route runs again — so that no copy of the applicant's data lives here for 24 h.
 * Both are conditional on the reservation's token: a request that lost its lock never overwrites
 * the one that took it over.
 *
 * The window between a route's own write and `complete`: a retry in it gets 409 with Retry-After
 * (the item is in progress). If the Lambda dies in it, the lock lapses after LOCK_SECONDS and a
 * retry runs the route again — routes whose effect must not repeat answer such a repeat
 * themselves (a decision or a supplement replays by its content, a withdrawal of a withdrawn case
 * answers as before); a repeated material declaration or webhook registration creates a second,
 * unused one.
 */

import { config } from '../config.ts';
import { cityKeyer } from '../identity/identifier-secret.ts';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from './commands.ts';
import { isConditionFailure, send } from './send.ts';

/** How long a completed answer is replayed (the draft suggests 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * How long a reservation holds before another request may take it over: above API Gateway's 29 s
 * integration timeout and any handler's Lambda timeout, so a live request is never taken over.
 */
export const LOCK_SECONDS = 60;
/** Answers larger than this are not kept (an item holds 400 KB): the key is released instead. */
const MAX_ANSWER_BYTES = 300 * 1024;

/** A stored answer: what the route returned, replayed as it was. */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Reservation =
  | { readonly kind: 'reserved'; readonly token: string }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  /** Completed, its answer not kept (a route whose answer is personal data): run it again. */
  | { readonly kind: 'rerun' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'in_progress'; readonly retryAfterSeconds: number };

const table = () => config().TABLE_NAME;

/** The caller's key as stored: keyed under the city's secret, never the key itself. */
async function itemKey(scope: string, key: string) {
  const keyed = await (await cityKeyer())('idempotencyKey', `${scope}\n${key}`);
  return { pk: `IDEMPOTENT#${keyed}`, sk: 'REQUEST' };
}

export const idempotencyStore = {
  async reserve(
    scope: string,
    key: string,
    fingerprint: string,
    now: Date,
    token: string,
  ): Promise<Reservation> {
    const Key = await itemKey(scope, key);
    const ms = now.getTime();
    // Twice at most: a released item can vanish between the refused put and the read.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await send(
          new PutCommand({
            TableName: table(),
            Item: {
              ...Key,
              type: 'idempotentRequest',
              fingerprint,
              state: 'in_progress',
              token,
              lockedUntil: ms + LOCK_SECONDS * 1000,
              expiresAt: Math.floor(ms / 1000) + IDEMPOTENCY_TTL_SECONDS,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :inProgress AND lockedUntil < :now AND fingerprint = :fingerprint)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':nowSeconds': Math.floor(ms / 1000),
              ':now': ms,
              ':inProgress': 'in_progress',
              ':fingerprint': fingerprint,
            },
          }),
        );
        return { kind: 'reserved', token };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const r = await send<{ Item?: Record<string, unknown> }>(
        new GetCommand({ TableName: table(), Key, ConsistentRead: true }),
      );
      const item = r.Item;
      if (!item) continue;
      if (item.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (item.state === 'completed')
        return typeof item.answer === 'object' && item.answer !== null
          ? { kind: 'replay', answer: item.answer as StoredAnswer }
          : { kind: 'rerun' };
      const left = Math.ceil(((item.lockedUntil as number) - ms) / 1000);
      return { kind: 'in_progress', retryAfterSeconds: Math.min(Math.max(left, 1), 5) };
    }
    return { kind: 'in_progress', retryAfterSeconds: 1 };
  },

  /**
   * Completes the reservation `token`, keeping `answer` — or, when it is undefined, the request's
   * fingerprint only (a repeat reruns the route). False when it cannot be kept (too large, lock lost).
   */
  async complete(
    scope: string,
    key: string,
    token: string,
    answer: StoredAnswer | undefined,
  ): Promise<boolean> {
    if (answer && Buffer.byteLength(answer.body, 'utf8') > MAX_ANSWER_BYTES) {
      await this.release(scope, key, token);
      return false;
    }
    try {
      await send(
        new UpdateCommand({
          TableName: table(),
          Key: await itemKey(scope, key),
          UpdateExpression: answer
            ? 'SET #state = :completed, answer = :answer REMOVE lockedUntil'
            : 'SET #state = :completed REMOVE lockedUntil, answer',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
          ExpressionAttributeValues: {
            ':completed': 'completed',
            ':token': token,
            ...(answer ? { ':answer': answer } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  },

  /** Frees the key of reservation `token` (its request was refused or failed). */
  async release(scope: string, key: string, token: string): Promise<void> {
    try {
      await send(
        new DeleteCommand({
          TableName: table(),
          Key: await itemKey(scope, key),
          ConditionExpression: '#token = :token AND #state = :inProgress',
          ExpressionAttributeNames: { '#token': 'token', '#state': 'state' },
          ExpressionAttributeValues: { ':token': token, ':inProgress': 'in_progress' },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  },
};
