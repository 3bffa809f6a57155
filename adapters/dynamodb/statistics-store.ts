/**
 * The KPI counters (GET /v1/statistics) in the single table, written incrementally and exactly:
 * the case repository adds the Updates built here to the very transaction that creates a case or
 * makes it final, so a counter moves iff the change committed, once. Nothing ever scans cases.
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
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isFinal } from '#core/case/lifecycle.ts';
import { type CaseRecord, CaseRecordSchema } from '#core/case/model.ts';
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
import type { Period } from '#core/statistics/kpis.ts';
import { catalog } from '../catalog/file-catalog.ts';
import { places } from '../catalog/places.ts';
import { config } from '../config.ts';
import { keys } from './keys.ts';
import { send } from './send.ts';

const table = () => config().TABLE_NAME;

export const statisticsKeys = {
  pk: (cell: Cell) => `STATS#${cell.dimension}#${cell.value}`,
  item: (cell: Cell, day: string, shard: number) => ({ pk: statisticsKeys.pk(cell), sk: `${day}#${shard}` }),
};

const context = (): CountingContext => ({ catalog: catalog(), places: places() });

/** One Update per cell: ADD each counter to the cell's item of the day and shard. */
export function counterUpdates(inc: Increment) {
  const counters = Object.entries(inc.counters) as [CounterName, number][];
  if (counters.length === 0) return [];
  const names = Object.fromEntries(counters.map(([k], i) => [`#c${i}`, k]));
  const adds = Object.fromEntries(counters.map(([, v], i) => [`:c${i}`, v]));
  return inc.cells.map((cell) => ({
    Update: {
      TableName: table(),
      Key: statisticsKeys.item(cell, inc.day, inc.shard),
      UpdateExpression: `SET #type = :type, #dimension = :dimension, #value = :value, #day = :day ADD ${counters
        .map((_, i) => `#c${i} :c${i}`)
        .join(', ')}`,
      ExpressionAttributeNames: {
        '#type': 'type',
        '#dimension': 'dimension',
        '#value': 'value',
        '#day': 'day',
        ...names,
      },
      ExpressionAttributeValues: {
        ':type': 'statistics',
        ':dimension': cell.dimension,
        ':value': cell.value,
        ':day': inc.day,
        ...adds,
      },
    },
  }));
}

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
): Promise<{ version: number; items: ReturnType<typeof counterUpdates> } | undefined> {
  if (!changes.status || !isFinal(changes.status) || from.every(isFinal)) return undefined;
  const r = await send<{ Item?: Record<string, unknown> }>(
    new GetCommand({ TableName: table(), Key: keys.case(caseId), ConsistentRead: true }),
  );
  if (!r.Item) return undefined;
  const current = CaseRecordSchema.parse(r.Item);
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
