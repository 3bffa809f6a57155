/**
 * The Updates that move the KPI counters (the layout: statistics-store.ts, which re-exports these):
 * items, attribute codes, and the Updates of the evaluation's changes (a rating, a rectification's
 * completion, an inquiry and its answer) that the evaluation store adds to its transactions.
 *
 * Apart from statistics-store.ts since issue #14 (init time): that module also counts a final case,
 * reading it back with the case's schema (core/case/model.ts, ~240 zod instances built at import),
 * which the evaluation functions never do; importing these from here, their bundles leave it out.
 */
import { createHash } from 'node:crypto';
import type { InquiryRecord, RatingRecord, RectificationRecord } from '#core/evaluation/model.ts';
import type { Cell, CounterName, Increment } from '#core/statistics/counters.ts';
import {
  inquiryAnswerIncrement,
  inquiryIncrement,
  ratingIncrements,
  rectificationIncrement,
} from '#core/statistics/evaluation.ts';
import { config } from '../config.ts';

const table = () => config().TABLE_NAME;

export const statisticsKeys = {
  pk: (cell: Cell) => `STATS#${cell.dimension}#${cell.value}`,
  item: (cell: Cell, day: string, shard: number) => ({ pk: statisticsKeys.pk(cell), sk: `${day}#${shard}` }),
};

/** One letter per counter, never reused: a bundle × department attribute is `<department code><letter>`. */
export const COUNTER_CODES: Readonly<Record<CounterName, string>> = {
  submitted: 's',
  materialsUploaded: 'u',
  materialsReused: 'r',
  finals: 'f',
  issued: 'i',
  rejected: 'j',
  withdrawn: 'w',
  issuedFirstTime: 'o',
  correctionRounds: 'c',
  finalsWithCorrection: 'C',
  decided: 'd',
  workingDays: 'k',
  committedDays: 'm',
  legalDays: 'l',
  overdue: 'x',
  visits: 'v',
  electronicDeliveries: 'e',
  ratings: 'g',
  ratingsSatisfied: 'G',
  badRatings: 'b',
  rectificationsOpened: 'p',
  rectificationsCompleted: 'P',
  rectificationsFollowUpSatisfied: 'F',
  inquiries: 'q',
  complaints: 'Q',
  inquiriesAnswered: 'a',
  inquiryAnswerMinutes: 'n',
  inquiriesAnsweredLate: 'L',
};

/** A department's code in its bundles' items: 4 base64url characters of its id's SHA-256. */
export const departmentCode = (departmentId: string) =>
  createHash('sha256').update(departmentId).digest('base64url').slice(0, 4);

/** The attribute of a bundle's item holding `departmentId`'s `counter` for that bundle. */
export const departmentAttribute = (departmentId: string, counter: CounterName) =>
  `${departmentCode(departmentId)}${COUNTER_CODES[counter]}`;

/** `<bundleId>/<departmentId>` (core/statistics/counters.ts bundleDepartment) apart. */
export function splitBundleDepartment(value: string): { bundleId: string; departmentId: string } {
  const at = value.indexOf('/');
  return { bundleId: value.slice(0, at), departmentId: value.slice(at + 1) };
}

/**
 * The items an increment adds to, with what each attribute gains: the city's, the place's and the
 * bundle's own counters under their names; each bundle × department's in the bundle's item under
 * the department's attributes. A department cell adds nothing of its own — its counters are read
 * from its bundle × department attributes — so it must come with that cell (an error otherwise).
 */
export function counterItems(...incs: readonly Increment[]) {
  const items = new Map<string, { key: { pk: string; sk: string }; adds: Map<string, number> }>();
  const add = (cell: Cell, inc: Increment, name: (counter: CounterName) => string) => {
    const key = statisticsKeys.item(cell, inc.day, inc.shard);
    const id = `${key.pk}|${key.sk}`;
    const item = items.get(id) ?? { key, adds: new Map<string, number>() };
    items.set(id, item);
    for (const [k, v] of Object.entries(inc.counters) as [CounterName, number][])
      if (v !== 0) item.adds.set(name(k), (item.adds.get(name(k)) ?? 0) + v);
  };
  for (const inc of incs)
    for (const cell of inc.cells) {
      if (cell.dimension === 'department') {
        const paired = inc.cells.some(
          (c) =>
            c.dimension === 'bundle-department' && splitBundleDepartment(c.value).departmentId === cell.value,
        );
        if (!paired)
          throw new Error(`A department cell (${cell.value}) counts only with its bundle × department cell.`);
      } else if (cell.dimension === 'bundle-department') {
        const { bundleId, departmentId } = splitBundleDepartment(cell.value);
        add({ dimension: 'bundle', value: bundleId }, inc, (k) => departmentAttribute(departmentId, k));
      } else add(cell, inc, (k) => k);
    }
  return [...items.values()].filter((i) => i.adds.size > 0);
}

/**
 * One Update per item (city, bundle or place; day; shard): ADD each attribute. Increments that touch
 * one item are merged first — a transaction may name an item only once.
 */
export function counterUpdates(...incs: readonly Increment[]) {
  return counterItems(...incs).map(({ key, adds }) => {
    const entries = [...adds];
    return {
      Update: {
        TableName: table(),
        Key: key,
        UpdateExpression: `SET #type = :type ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: {
          '#type': 'type',
          ...Object.fromEntries(entries.map(([k], i) => [`#c${i}`, k])),
        },
        ExpressionAttributeValues: {
          ':type': 'statistics',
          ...Object.fromEntries(entries.map(([, v], i) => [`:c${i}`, v])),
        },
      },
    };
  });
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
