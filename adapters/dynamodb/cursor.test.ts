/** Page cursors: what a listing gave out comes back as its key; anything else is a 400, not a query. */
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '#core/shared/errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

const key = { pk: 'CASE#c-1', sk: 'TASK#t-1', gsi1pk: 'INBOX#tax', gsi1sk: '2026-12-01' };
const forged = (k: Record<string, unknown>) => Buffer.from(JSON.stringify(k)).toString('base64url');

describe('page cursors', () => {
  it('gives back the key it encoded, and nothing without a cursor', () => {
    expect(decodeCursor(encodeCursor(key), 'gsi1pk', 'INBOX#tax')).toEqual(key);
    expect(decodeCursor(undefined, 'gsi1pk', 'INBOX#tax')).toBeUndefined();
    expect(encodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['another partition', forged({ ...key, gsi1pk: 'INBOX#police' })],
    ['an extra attribute', forged({ ...key, status: 'pending' })],
    ['a missing key', forged({ pk: key.pk, sk: key.sk, gsi1pk: key.gsi1pk })],
    ['a value that is no string', forged({ ...key, gsi1sk: 5 })],
    ['no JSON', 'not-a-cursor'],
  ])('refuses %s as a 400 invalid_cursor', (_, cursor) => {
    try {
      decodeCursor(cursor, 'gsi1pk', 'INBOX#tax');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).problems[0]?.code).toBe('invalid_cursor');
    }
  });

  it('checks the key names a listing says, for a table without an index', () => {
    const tableKey = { pk: 'INQUIRY#me', sk: '2026-12-01#q-1' };
    expect(decodeCursor(encodeCursor(tableKey), 'pk', 'INQUIRY#me', ['pk', 'sk'])).toEqual(tableKey);
    expect(() => decodeCursor(encodeCursor(key), 'pk', 'CASE#c-1', ['pk', 'sk'])).toThrow(BadRequestError);
  });
});
