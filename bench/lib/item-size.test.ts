/** AWS's billing rules for transactions, as bench/cost.ts applies them (item by item, by size). */
import { describe, expect, it } from 'vitest';
import { itemSize, type TransactItem, transactionUnits, valueSize } from './item-size.ts';

describe('item sizes', () => {
  it('counts names and UTF-8 bytes, numbers by digits, containers with their overhead', () => {
    expect(itemSize({ pk: 'CASE#1' })).toBe(2 + 6);
    expect(valueSize('常州')).toBe(6);
    expect(valueSize(12345)).toBe(4);
    expect(valueSize(true)).toBe(1);
    expect(valueSize(['a', 'b'])).toBe(3 + 2 + 2);
    expect(valueSize({ a: 1 })).toBe(3 + 1 + 1 + 2);
  });
});

describe('transaction units', () => {
  const put = (bytes: number, sk = 'X') => ({ Put: { Item: { pk: 'P', sk, v: 'x'.repeat(bytes) } } });

  it('bills 2 WRU per KB for every item written, not per transaction', () => {
    expect(transactionUnits([put(100)], () => undefined)).toEqual({ wru: 2, rru: 0 });
    expect(transactionUnits([put(100, 'a'), put(100, 'b'), put(100, 'c')], () => undefined)).toEqual({
      wru: 6,
      rru: 0,
    });
    expect(transactionUnits([put(3000)], () => undefined)).toEqual({ wru: 6, rru: 0 });
  });

  it('bills an Update on the item as it stands, and a ConditionCheck as a transactional read', () => {
    const key = { pk: 'CASE#1', sk: 'CASE' };
    const items: TransactItem[] = [
      { Update: { Key: key, ExpressionAttributeValues: { ':s': 'issued' } } },
      { ConditionCheck: { Key: key } },
    ];
    expect(transactionUnits(items, () => 2500)).toEqual({ wru: 6, rru: 2 });
    // A vanished item is billed on what the Update itself wrote.
    expect(transactionUnits(items.slice(0, 1), () => undefined)).toEqual({ wru: 2, rru: 0 });
  });
});
