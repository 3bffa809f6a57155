/**
 * What 好差评 and 12345 add to the KPI counters (core/statistics/counters.ts), from their records
 * (core/evaluation/model.ts), which carry the bundle, the competent place and the departments:
 * no case is read again. The evaluation store writes these increments in the same transaction as
 * the rating, the rectification's completion, the inquiry and its answer.
 *
 * Cells: the city, the bundle, the competent place (where the case is decided — for cases it is
 * the place of acceptance) and the department answerable — with its bundle. A rating counts for
 * the city, bundle and place with its overall score; for each department rated with that
 * department's score, and for the lead with the overall score when the lead was not rated itself.
 */
import type { InquiryRecord, RatingRecord, RectificationRecord } from '../evaluation/model.ts';
import { isBadScore } from '../evaluation/scale.ts';
import { chinaDate } from '../time/working-days.ts';
import {
  addCounters,
  bundleDepartment,
  type Cell,
  type Counters,
  dropZeros,
  type Increment,
  shardOf,
} from './counters.ts';

const wide = (bundleId: string, placeId: string): Cell[] => [
  { dimension: 'all', value: '*' },
  { dimension: 'bundle', value: bundleId },
  { dimension: 'place', value: placeId },
];
const departmental = (bundleId: string, departmentId: string): Cell[] => [
  { dimension: 'department', value: departmentId },
  { dimension: 'bundle-department', value: bundleDepartment(bundleId, departmentId) },
];

const scored = (score: number): Counters =>
  dropZeros({ ratings: 1, ratingsSatisfied: score >= 4 ? 1 : 0, badRatings: isBadScore(score) ? 1 : 0 });

/** A rating and the rectifications it opens. */
export function ratingIncrements(
  rating: RatingRecord,
  rectifications: readonly RectificationRecord[],
): Increment[] {
  const day = chinaDate(new Date(rating.createdAt));
  const shard = shardOf(rating.caseId);
  const at = (cells: Cell[], counters: Counters): Increment => ({ day, shard, cells, counters });
  const byDepartment = new Map(rating.departments.map((d) => [d.departmentId, d.score]));
  if (!byDepartment.has(rating.leadDepartmentId)) byDepartment.set(rating.leadDepartmentId, rating.overall);
  const opened = { rectificationsOpened: rectifications.length };
  return [
    at(wide(rating.bundleId, rating.placeId), addCounters(scored(rating.overall), dropZeros(opened))),
    ...[...byDepartment].map(([departmentId, score]) =>
      at(
        departmental(rating.bundleId, departmentId),
        addCounters(
          scored(score),
          dropZeros({
            rectificationsOpened: rectifications.filter((r) => r.departmentId === departmentId).length,
          }),
        ),
      ),
    ),
    // A rectification of a department that was not rated itself (it cannot be today, but count it anyway).
    ...rectifications
      .filter((r) => !byDepartment.has(r.departmentId))
      .map((r) => at(departmental(rating.bundleId, r.departmentId), { rectificationsOpened: 1 })),
  ];
}

/** A rectification completed, with its 回访. */
export function rectificationIncrement(
  r: RectificationRecord,
  completion: NonNullable<RectificationRecord['completion']>,
): Increment {
  return {
    day: chinaDate(new Date(completion.completedAt)),
    shard: shardOf(r.caseId),
    cells: [...wide(r.bundleId, r.placeId), ...departmental(r.bundleId, r.departmentId)],
    counters: dropZeros({
      rectificationsCompleted: 1,
      rectificationsFollowUpSatisfied: completion.followUp.satisfied ? 1 : 0,
    }),
  };
}

const inquiryCells = (q: InquiryRecord) => [
  ...wide(q.bundleId, q.placeId),
  ...departmental(q.bundleId, q.departmentId),
];

/** An inquiry received. */
export function inquiryIncrement(q: InquiryRecord): Increment {
  return {
    day: chinaDate(new Date(q.createdAt)),
    shard: shardOf(q.inquiryId),
    cells: inquiryCells(q),
    counters: dropZeros({ inquiries: 1, complaints: q.kind === 'complaint' ? 1 : 0 }),
  };
}

/** An inquiry answered: counted for the department it was routed to. */
export function inquiryAnswerIncrement(
  q: InquiryRecord,
  answer: NonNullable<InquiryRecord['answer']>,
): Increment {
  const minutes = Math.max(0, Math.round((Date.parse(answer.answeredAt) - Date.parse(q.createdAt)) / 60_000));
  return {
    day: chinaDate(new Date(answer.answeredAt)),
    shard: shardOf(q.inquiryId),
    cells: inquiryCells(q),
    counters: dropZeros({
      inquiriesAnswered: 1,
      inquiryAnswerMinutes: minutes,
      inquiriesAnsweredLate: Date.parse(answer.answeredAt) > Date.parse(q.dueAt) ? 1 : 0,
    }),
  };
}
