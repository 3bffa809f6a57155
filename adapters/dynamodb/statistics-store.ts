/**
 * The KPI counters (GET /v1/statistics) in the single table, written incrementally and exactly:
 * the case repository adds the Updates built here to the very transaction that creates a case or
 * makes it final, and the evaluation store to those of a rating, a rectification's completion, an
 * inquiry and its answer — so a counter moves iff the change committed, once. Nothing ever scans
 * cases. Counting a final case reads it once (consistently) and loads the catalog and places.
 *
 * | access pattern                                | table | pk                        | sk              |
 * |-----------------------------------------------|-------|---------------------------|-----------------|
 * | one cell's counters of a day, per shard       | table | STATS#<dimension>#<value> | <day>#<shard>   |
 *
 * `dimension` is all (value `*`), bundle, department, place or bundle-department (value
 * `<bundleId>/<departmentId>`); `day` the China date; `shard` 0–7 (core/statistics/counters.ts
 * COUNTER_SHARDS: concurrent cases of one cell and day update different items, so their
 * transactions do not conflict). A period of one cell is ONE Query (sk BETWEEN the days), its items
 * summed.
 */

import { isFinal } from '#core/case/lifecycle.ts';
import { type CaseRecord, CaseRecordSchema } from '#core/case/model.ts';
import type { InquiryRecord, RatingRecord, RectificationRecord } from '#core/evaluation/model.ts';
import {
  addCounters,
  type Cell,
  COUNTERS,
  type CounterName,
  type Counters,
  type CountingContext,
  finalIncrement,
  type Increment,
  submissionIncrement,
} from '#core/statistics/counters.ts';
import {
  inquiryAnswerIncrement,
  inquiryIncrement,
  ratingIncrements,
  rectificationIncrement,
} from '#core/statistics/evaluation.ts';
import type { Period } from '#core/statistics/kpis.ts';
import { catalog } from '../catalog/file-catalog.ts';
import { places } from '../catalog/places.ts';
import { config } from '../config.ts';
import { GetCommand, QueryCommand } from './commands.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

const table = () => config().TABLE_NAME;

export const statisticsKeys = {
  pk: (cell: Cell) => `STATS#${cell.dimension}#${cell.value}`,
  item: (cell: Cell, day: string, shard: number) => ({ pk: statisticsKeys.pk(cell), sk: `${day}#${shard}` }),
};

const context = (): CountingContext => ({ catalog: catalog(), places: places() });

/**
 * One Update per item (cell, day, shard): ADD each counter. Increments that touch one item are
 * merged first — a transaction may name an item only once.
 */
export function counterUpdates(...incs: readonly Increment[]) {
  const items = new Map<string, { cell: Cell; day: string; shard: number; counters: Counters }>();
  for (const inc of incs)
    for (const cell of inc.cells) {
      const key = `${statisticsKeys.pk(cell)}|${inc.day}#${inc.shard}`;
      const known = items.get(key);
      items.set(key, {
        cell,
        day: inc.day,
        shard: inc.shard,
        counters: known ? addCounters(known.counters, inc.counters) : inc.counters,
      });
    }
  return [...items.values()].flatMap((i) => itemUpdate(i.cell, i.day, i.shard, i.counters));
}

function itemUpdate(cell: Cell, day: string, shard: number, all: Counters) {
  const counters = Object.entries(all).filter(([, v]) => v !== 0) as [CounterName, number][];
  if (counters.length === 0) return [];
  return [
    {
      Update: {
        TableName: table(),
        Key: statisticsKeys.item(cell, day, shard),
        UpdateExpression: `SET #type = :type, #dimension = :dimension, #value = :value, #day = :day ADD ${counters
          .map((_, i) => `#c${i} :c${i}`)
          .join(', ')}`,
        ExpressionAttributeNames: {
          '#type': 'type',
          '#dimension': 'dimension',
          '#value': 'value',
          '#day': 'day',
          ...Object.fromEntries(counters.map(([k], i) => [`#c${i}`, k])),
        },
        ExpressionAttributeValues: {
          ':type': 'statistics',
          ':dimension': cell.dimension,
          ':value': cell.value,
          ':day': day,
          ...Object.fromEntries(counters.map(([, v], i) => [`:c${i}`, v])),
        },
      },
    },
  ];
}

/** The counter Updates of a rating and the rectifications it opens (in the rating's transaction). */
export const ratingCounterItems = (rating: RatingRecord, rectifications: readonly RectificationRecord[]) =>
  counterUpdates(...ratingIncrements(rating, rectifications));
/** The counter Updates of a rectification's completion (in its transaction). */
export const rectificationCounterItems = (
  r: RectificationRecord,
  completion: NonNullable<RectificationRecord['completion']>,
) => counterUpdates(rectificationIncrement(r, completion));
/** The counter Updates of a new inquiry, and of its answer (each in its own transaction). */
export const inquiryCounterItems = (q: InquiryRecord) => counterUpdates(inquiryIncrement(q));
export const inquiryAnswerCounterItems = (q: InquiryRecord, answer: NonNullable<InquiryRecord['answer']>) =>
  counterUpdates(inquiryAnswerIncrement(q, answer));

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

/** The counters of one cell over a period: one Query, the days' shards summed. */
export async function cellCounters(cell: Cell, period: Period): Promise<Counters> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': statisticsKeys.pk(cell),
          ':from': `${period.from}#`,
          ':to': `${period.to}#~`,
        },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return addCounters(
    ...items.map((i) =>
      Object.fromEntries(COUNTERS.flatMap((k) => (typeof i[k] === 'number' ? [[k, i[k] as number]] : []))),
    ),
  );
}
