/**
 * 帮办代办 authorisations in the city table, in the principal's partition:
 *   pk AUTHORISATION#<applicantKey>   sk AUTH#<authorisationId>
 * `applicantKey` is the principal's keyed identifier (HMAC under the city's secret, as for the
 * access log), so a submission naming the principal finds their authorisations in one Query and
 * no key carries an ID number. An authorisation is written once; revoking it is one conditional
 * update (only if not revoked yet). Kept after it ends (no TTL): the record of who could act for whom.
 */

import { type Authorisation, AuthorisationSchema } from '#core/identity/authorisation.ts';
import type { AuthorisationStore, PrincipalRef } from '#core/identity/authorisations.ts';
import { config } from '../config.ts';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from './commands.ts';
import { applicantKey } from './privacy-store.ts';
import { isConditionFailure, send } from './send.ts';

const table = () => config().TABLE_NAME;

export const authorisationKeys = {
  pk: (principalKey: string) => `AUTHORISATION#${principalKey}`,
  item: (principalKey: string, id: string) => ({ pk: `AUTHORISATION#${principalKey}`, sk: `AUTH#${id}` }),
};

const parse = (item: Record<string, unknown>): Authorisation => AuthorisationSchema.parse(item);

export const authorisationStore: AuthorisationStore = {
  async put(a) {
    const key = await applicantKey(a.principal);
    await send(
      new PutCommand({
        TableName: table(),
        Item: { ...authorisationKeys.item(key, a.id), type: 'authorisation', ...a },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },

  async listForPrincipal(principal: PrincipalRef) {
    const key = await applicantKey(principal);
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': authorisationKeys.pk(key), ':sk': 'AUTH#' },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(r.Items ?? []));
      start = r.LastEvaluatedKey;
    } while (start);
    return items
      .map(parse)
      .sort((a, b) => b.grantedAt.localeCompare(a.grantedAt) || b.id.localeCompare(a.id));
  },

  async get(principal, id) {
    const key = await applicantKey(principal);
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: authorisationKeys.item(key, id), ConsistentRead: true }),
    );
    return r.Item ? parse(r.Item) : undefined;
  },

  async saveRevocation(revoked) {
    const key = await applicantKey(revoked.principal);
    try {
      await send(
        new UpdateCommand({
          TableName: table(),
          Key: authorisationKeys.item(key, revoked.id),
          UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': revoked.revokedAt, ':by': revoked.revokedBy },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  },
};
