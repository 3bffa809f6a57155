/**
 * The KPI counters (GET /v1/statistics) in the single table, written incrementally and exactly:
 * the case repository adds the Updates built here to the very transaction that creates a case or
 * makes it final, and the evaluation store to those of a rating, a rectification's completion, an
 * inquiry and its answer — so a counter moves iff the change committed, once. Nothing ever scans
 * cases. Counting a final case reads it once (consistently) and loads the catalog and places.
 *
 * | access pattern                                           | pk                                  | sk            |
 * |----------------------------------------------------------|-------------------------------------|---------------|
 * | the city's counters of a day, per shard                  | STATS#all#*                         | <day>#<shard> |
 * | a place's counters of a day, per shard                   | STATS#place#<placeId>               | <day>#<shard> |
 * | a bundle's counters of a day, per shard, and in the same | STATS#bundle#<bundleId>             | <day>#<shard> |
 * |   item each bundle × department's (attributes)           |                                     |               |
 * | legacy, read only: a department's counters               | STATS#department#<departmentId>     | <day>#<shard> |
 * | legacy, read only: a bundle × department's counters      | STATS#bundle-department#<b>/<d>     | <day>#<shard> |
 *
 * `day` is the China date; `shard` 0–7 (core/statistics/counters.ts COUNTER_SHARDS: concurrent
 * cases of one bundle and day update different items, so their transactions do not conflict; a
 * bundle's item is written by fewer cases than the city's, which every case writes).
 * Items carry `type: statistics` (no longer dimension, value and day: the key says them) and one number attribute per counter: the counter's name for the
 * item's own cell; in a bundle's item, `<department code><counter code>` for the bundle × department
 * cell — the department code is 4 base64url characters of the department id's SHA-256, the counter
 * code one letter (COUNTER_CODES), so the name is 5 characters (no counter's name is). A case of
 * one bundle thus writes THREE items per transaction (city, bundle, place) where it wrote one per
 * cell (企业开办 with its 6 departments: 15); AWS bills a transactional write 2 WRU per item and KB.
 *
 * Size (AWS bills per KB, attribute names included): a department attribute is 5 bytes of name and
 * 2 of a small number, so a shard-day of a bundle of 6 departments each with 16 counters moving
 * (submissions, finals, 一次办成, working days, limits, delivery, overdue, corrections, ratings) is
 * 6 × 16 × 7 = 672 bytes, its own 16 counters ~240, keys and type ~50: ~960 bytes, under 1 KB; a
 * typical bundle (4 departments) ~750 (statistics-store.test.ts counts a busy 企业开办 shard-day:
 * 959). Named `d#market-regulation#issuedFirstTime` the same item would be ~3 KB, `d#<id>#<letter>`
 * ~1.9 KB — 4 and 2 WRU more per write of it. A day of more kinds (rejections, withdrawals,
 * 12345) may pass 1 KB: then that item alone is billed 2 KB.
 *
 * Reads: the city, a bundle or a place is ONE Query of its pk (sk BETWEEN the days), items summed.
 * A bundle × department is the bundle's Query (its department's attributes) plus the legacy Query; a
 * department sums its attributes over the bundles it can count in (core/statistics/counters.ts
 * departmentsOfBundle: catalog and places, 通办 counterparts included) plus its legacy Query — several
 * Queries, fine for reads that are rare. One report (counterReader) queries each item set once.
 *
 * Upgrading from the one-item-per-cell layout: city, bundle and place items keep their keys and
 * attribute names, and new writes add to the same items; department and bundle × department items
 * are no longer written but still read and added (each event was counted in exactly one layout,
 * so the sum is exact; a transaction of old code during the deploy writes old items, also read).
 * The codes are part of the layout: a department code must stay unique among a bundle's departments
 * (statistics-store.test.ts checks every city's), and COUNTER_CODES never reuses a letter.
 */

import { isFinal } from '#core/case/lifecycle.ts';
import { type CaseRecord, CaseRecordSchema } from '#core/case/model.ts';
import {
  addCounters,
  bundlesOfDepartment,
  type Cell,
  COUNTERS,
  type CounterName,
  type Counters,
  type CountingContext,
  finalIncrement,
  submissionIncrement,
} from '#core/statistics/counters.ts';
import type { Period } from '#core/statistics/kpis.ts';
import { catalog } from '../catalog/file-catalog.ts';
import { places } from '../catalog/places.ts';
import { config } from '../config.ts';
import { GetCommand, QueryCommand } from './commands.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';
import {
  COUNTER_CODES,
  counterUpdates,
  departmentCode,
  splitBundleDepartment,
  statisticsKeys,
} from './statistics-updates.ts';

export {
  COUNTER_CODES,
  counterItems,
  counterUpdates,
  departmentAttribute,
  departmentCode,
  inquiryAnswerCounterItems,
  inquiryCounterItems,
  ratingCounterItems,
  rectificationCounterItems,
  statisticsKeys,
} from './statistics-updates.ts';

const table = () => config().TABLE_NAME;

const context = (): CountingContext => ({ catalog: catalog(), places: places() });

/** The counter Updates of a case being created (written in its create transaction). */
export function submissionCounterItems(record: CaseRecord) {
  return counterUpdates(submissionIncrement(record, context()));
}

/**
 * For a transition of `caseId` from `from` with `changes` at `at`: when it makes the case final,
 * the counter Updates of its KPIs and the case version they were computed from — the transaction
 * must be conditional on that version, so the counts are of exactly the record that became final.
 * Undefined when the transition does not end the case (one consistent read only when it does).
 */
export async function finalCounterItems(
  caseId: string,
  from: readonly CaseRecord['status'][],
  changes: Partial<CaseRecord>,
  at: string,
  /** The record as the caller has just read it: no read here. */
  readAs?: CaseRecord,
): Promise<{ version: number; items: ReturnType<typeof counterUpdates> } | undefined> {
  if (!changes.status || !isFinal(changes.status) || from.every(isFinal)) return undefined;
  let current = readAs?.caseId === caseId ? readAs : undefined;
  if (!current) {
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table(), Key: keys.case(caseId), ConsistentRead: true }),
    );
    if (!r.Item) return undefined;
    current = CaseRecordSchema.parse(r.Item);
  }
  if (!from.includes(current.status)) return undefined; // the transition's own condition refuses it
  const inc = finalIncrement({ ...current, ...changes } as CaseRecord, at, context());
  return inc ? { version: current.version, items: counterUpdates(inc) } : undefined;
}

/** Where a cell's counters are stored: the items of a pk, and whose attributes to take in them. */
export interface CounterSource {
  readonly pk: string;
  /** In a bundle's items: this department's attributes; absent: the counters under their names. */
  readonly departmentId?: string;
}

/** The sources of a cell (see the table above): summed, they are its counters. */
export function sourcesOf(cell: Cell, ctx: CountingContext): CounterSource[] {
  const legacy = { pk: statisticsKeys.pk(cell) };
  const inBundle = (bundleId: string, departmentId: string) => ({
    pk: statisticsKeys.pk({ dimension: 'bundle', value: bundleId }),
    departmentId,
  });
  if (cell.dimension === 'bundle-department') {
    const { bundleId, departmentId } = splitBundleDepartment(cell.value);
    return [inBundle(bundleId, departmentId), legacy];
  }
  if (cell.dimension === 'department')
    return [...bundlesOfDepartment(cell.value, ctx).map((b) => inBundle(b, cell.value)), legacy];
  return [legacy];
}

/** The attribute of each counter in a source's items: its name, or the department's attribute. */
export function attributesOf(departmentId?: string): readonly (readonly [CounterName, string])[] {
  if (departmentId === undefined) return COUNTERS.map((k) => [k, k] as const);
  const code = departmentCode(departmentId);
  return COUNTERS.map((k) => [k, `${code}${COUNTER_CODES[k]}`] as const);
}

/** An item's counters under the given attributes. */
export function countersIn(
  item: Record<string, unknown>,
  attributes: ReturnType<typeof attributesOf>,
): Counters {
  return Object.fromEntries(
    attributes.flatMap(([k, a]) => (typeof item[a] === 'number' ? [[k, item[a] as number]] : [])),
  );
}

async function queryDays(pk: string, period: Period): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': `${period.from}#`, ':to': `${period.to}#~` },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * A reader of cells' counters for one report: each pk is queried once per period however many cells
 * read it (a bundle's items serve the bundle, its bundle × departments and its departments).
 */
export function counterReader(): (cell: Cell, period: Period) => Promise<Counters> {
  const queried = new Map<string, Promise<Record<string, unknown>[]>>();
  const ctx = context();
  return async (cell, period) => {
    const sums = await Promise.all(
      sourcesOf(cell, ctx).map(async ({ pk, departmentId }) => {
        const id = `${pk}|${period.from}|${period.to}`;
        const items = queried.get(id) ?? queryDays(pk, period);
        queried.set(id, items);
        const attributes = attributesOf(departmentId);
        return addCounters(...(await items).map((i) => countersIn(i, attributes)));
      }),
    );
    return addCounters(...sums);
  };
}

/** The counters of one cell over a period (its sources' Queries, the days' shards summed). */
export const cellCounters = (cell: Cell, period: Period): Promise<Counters> => counterReader()(cell, period);
