/**
 * Page cursors of listings over a DynamoDB index: the query's LastEvaluatedKey, base64url JSON.
 * A cursor is taken back only if it is one this listing could have given out — exactly the key
 * names of its table and index, string values, its own partition — so a forged or foreign one is a
 * 400, never a query DynamoDB refuses (found by fuzzing: a forged key with other attributes was a 500).
 */
import { BadRequestError } from '#core/shared/errors.ts';

export const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

/**
 * The ExclusiveStartKey of `cursor` for a query of partition `pk` on index `pkName` (e.g. gsi1pk),
 * whose keys are `names` (default: the table's pk/sk and the index's pk/sk).
 */
export function decodeCursor(
  cursor: string | undefined,
  pkName: string,
  pk: string,
  names: readonly string[] = ['pk', 'sk', pkName, pkName.replace(/pk$/, 'sk')],
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const entries = Object.entries(key);
    if (
      key[pkName] !== pk ||
      entries.length !== names.length ||
      entries.some(([k, v]) => !names.includes(k) || typeof v !== 'string')
    )
      throw new Error('not a key of this listing');
    return key;
  } catch {
    throw new BadRequestError('The cursor is not valid for this listing; start again without it.', [
      {
        path: '/query/cursor',
        code: 'invalid_cursor',
        message: 'Use the nextCursor of the previous page unchanged.',
      },
    ]);
  }
}
