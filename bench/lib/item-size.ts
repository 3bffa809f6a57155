/**
 * DynamoDB item sizes and transaction units as AWS bills them, for bench/cost.ts. DynamoDB Local's
 * ReturnConsumedCapacity does not count a TransactWriteItems item by item (measured 2026-12-02:
 * one Put of 100 B → 4 units, three Puts of 900 B each → 4 units, one Put of 3,000 B → 12), so the
 * cost benchmark computes transactions itself from what each one wrote:
 *  - "Transactional write requests require 2 WCUs per item write up to 1 KB" (on-demand: 2 WRU
 *    per KB, rounded up, per Put/Update/Delete; an Update is billed on the larger of the item
 *    before and after — here the item as it stands after the case, at least what the Update set);
 *  - a ConditionCheck is a transactional read of its item: 2 RRU per 4 KB, rounded up.
 *    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html,
 *    "Capacity management for transactions")
 * Sizes follow "Item sizes and formats" (developerguide/CapacityUnitCalculations.html): attribute
 * names and string values in UTF-8 bytes, numbers ~1 byte per 2 significant digits + 1, binary
 * its length, null/boolean 1, a list or map 3 bytes + 1 per element + its elements.
 */

/** Bytes of one document-client value (a plain JS value as the lean client sends it). */
export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number' || typeof v === 'bigint') {
    const digits =
      String(v)
        .replace(/^-|\.|e.*$/gi, '')
        .replace(/^0+/, '').length || 1;
    return Math.ceil(digits / 2) + 1;
  }
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce<number>((n, x) => n + valueSize(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce<number>((n, x) => n + 1 + valueSize(x), 0);
  if (typeof v === 'object')
    return (
      3 +
      Object.entries(v as Record<string, unknown>).reduce(
        (n, [k, x]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(x),
        0,
      )
    );
  return 1;
}

/** Bytes of an item (its attributes: names + values). */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
}

/** One entry of TransactItems in document-client shape. */
export type TransactItem = Record<
  string,
  {
    TableName?: string;
    Key?: Record<string, unknown>;
    Item?: Record<string, unknown>;
    ExpressionAttributeValues?: Record<string, unknown>;
  }
>;

/** The key an entry touches ("pk|sk"), for looking its final size up. */
export function entryKey(entry: TransactItem): { op: string; key: Record<string, unknown> } {
  const [op, body] = Object.entries(entry)[0]!;
  const key = body.Key ?? { pk: body.Item?.pk, sk: body.Item?.sk };
  return { op, key };
}

/**
 * AWS's units for one TransactWriteItems: `sizeOf(key)` answers an item's size as it stands now
 * (undefined when it no longer exists); a Put is its Item, an Update at least its values.
 */
export function transactionUnits(
  items: readonly TransactItem[],
  sizeOf: (key: Record<string, unknown>) => number | undefined,
): { wru: number; rru: number } {
  let wru = 0;
  let rru = 0;
  for (const entry of items) {
    const [op, body] = Object.entries(entry)[0]!;
    const key = body.Key ?? {};
    if (op === 'Put') wru += 2 * Math.ceil(Math.max(1, itemSize(body.Item ?? {})) / 1024);
    else if (op === 'ConditionCheck') rru += 2 * Math.ceil(Math.max(1, sizeOf(key) ?? 1) / 4096);
    else {
      const floor = itemSize(key) + valueSize(body.ExpressionAttributeValues ?? {});
      wru += 2 * Math.ceil(Math.max(1, sizeOf(key) ?? 0, floor) / 1024);
    }
  }
  return { wru, rru };
}
