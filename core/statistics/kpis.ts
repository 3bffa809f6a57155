/**
 * The KPIs as defined (考核评价), from summed counters (core/statistics/counters.ts): pure
 * arithmetic, so the same definitions serve GET /v1/statistics, the reform report and a recount.
 * A rate or average over nothing is null (no case to measure), never 0.
 */
import { ValidationError } from '../shared/errors.ts';
import { chinaDate } from '../time/working-days.ts';
import type { Counters } from './counters.ts';

export interface Kpis {
  /** Cases submitted in the period. */
  readonly cases: number;
  /** Cases that became final in the period (issued, rejected or withdrawn). */
  readonly finals: number;
  readonly issued: number;
  readonly rejected: number;
  readonly withdrawn: number;
  /** Issued with no correction round. */
  readonly issuedFirstTime: number;
  /** 一次办成率: issued with no correction round / issued. */
  readonly firstTimeSuccessRate: number | null;
  /** Decided (issued or rejected) in the period. */
  readonly decided: number;
  /** Working days from submission to decision, on average over decided cases. */
  readonly averageWorkingDays: number | null;
  /** The committed limit (the case's dueAt) in working days, on average over the same cases. */
  readonly averageCommittedDays: number | null;
  /** The legal limit (法定时限) of their services in working days (along the longest chain of stages), on average over the same cases. */
  readonly averageLegalDays: number | null;
  /** Decided cases whose decision came after their committed deadline (dueAt). */
  readonly overdue: number;
  /** overdue / decided. */
  readonly overdueRate: number | null;
  /** Correction rounds of the cases that became final, in all. */
  readonly correctionRounds: number;
  /** correctionRounds / finals. */
  readonly correctionRoundsPerCase: number | null;
  /** Counter visits the issued cases needed, in all (0 per case for electronic delivery and no inspection). */
  readonly visits: number;
  /** visits / issued. */
  readonly visitsPerIssuedCase: number | null;
  /** Issued cases delivered electronically. */
  readonly electronicDeliveries: number;
  /** Materials the submitted applications uploaded. */
  readonly materialsUploaded: number;
  /** Materials the submitted applications did not upload: reused from e-licenses or earlier cases. */
  readonly materialsReused: number;
  /** materialsReused / (materialsUploaded + materialsReused). */
  readonly materialsReusedShare: number | null;
  /** 好差评: ratings given in the period. */
  readonly ratings: number;
  /** Ratings of 4–5 (满意, 非常满意). */
  readonly satisfiedRatings: number;
  /** 满意率: satisfiedRatings / ratings. */
  readonly satisfactionRate: number | null;
  /** 差评 (ratings of 2 or less). */
  readonly badRatings: number;
  /** Rectifications (整改) the 差评 opened in the period, and those completed in it. */
  readonly rectificationsOpened: number;
  readonly rectificationsCompleted: number;
  /** 差评整改率: rectifications completed / opened. */
  readonly rectificationRate: number | null;
  /** 回访: completed rectifications whose applicant was satisfied / completed. */
  readonly followUpSatisfiedRate: number | null;
  /** 12345: inquiries received in the period, and of them complaints. */
  readonly inquiries: number;
  readonly complaints: number;
  /** Inquiries answered in the period; their average answer time in hours; those answered after their deadline. */
  readonly inquiriesAnswered: number;
  readonly averageInquiryAnswerHours: number | null;
  readonly inquiriesAnsweredLate: number;
}

const ratio = (n: number, d: number, digits = 4): number | null =>
  d === 0 ? null : Math.round((n / d) * 10 ** digits) / 10 ** digits;

export function kpisOf(c: Counters): Kpis {
  const n = (k: keyof Counters) => c[k] ?? 0;
  const decided = n('decided');
  return {
    cases: n('submitted'),
    finals: n('finals'),
    issued: n('issued'),
    rejected: n('rejected'),
    withdrawn: n('withdrawn'),
    issuedFirstTime: n('issuedFirstTime'),
    firstTimeSuccessRate: ratio(n('issuedFirstTime'), n('issued')),
    decided,
    averageWorkingDays: ratio(n('workingDays'), decided, 2),
    averageCommittedDays: ratio(n('committedDays'), decided, 2),
    averageLegalDays: ratio(n('legalDays'), decided, 2),
    overdue: n('overdue'),
    overdueRate: ratio(n('overdue'), decided),
    correctionRounds: n('correctionRounds'),
    correctionRoundsPerCase: ratio(n('correctionRounds'), n('finals'), 2),
    visits: n('visits'),
    visitsPerIssuedCase: ratio(n('visits'), n('issued'), 2),
    electronicDeliveries: n('electronicDeliveries'),
    materialsUploaded: n('materialsUploaded'),
    materialsReused: n('materialsReused'),
    materialsReusedShare: ratio(n('materialsReused'), n('materialsUploaded') + n('materialsReused')),
    ratings: n('ratings'),
    satisfiedRatings: n('ratingsSatisfied'),
    satisfactionRate: ratio(n('ratingsSatisfied'), n('ratings')),
    badRatings: n('badRatings'),
    rectificationsOpened: n('rectificationsOpened'),
    rectificationsCompleted: n('rectificationsCompleted'),
    rectificationRate: ratio(n('rectificationsCompleted'), n('rectificationsOpened')),
    followUpSatisfiedRate: ratio(n('rectificationsFollowUpSatisfied'), n('rectificationsCompleted')),
    inquiries: n('inquiries'),
    complaints: n('complaints'),
    inquiriesAnswered: n('inquiriesAnswered'),
    averageInquiryAnswerHours: ratio(n('inquiryAnswerMinutes'), n('inquiriesAnswered') * 60, 2),
    inquiriesAnsweredLate: n('inquiriesAnsweredLate'),
  };
}

/** The longest period one request may ask for (a leap year). */
export const MAX_PERIOD_DAYS = 366;
/** The period when none is asked: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;

export interface Period {
  /** First China date counted, YYYY-MM-DD. */
  readonly from: string;
  /** Last China date counted (inclusive). */
  readonly to: string;
  readonly days: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;
/** A real calendar day (not 2026-02-30; and 2026-13-01, an Invalid Date, is no date rather than a RangeError). */
const isDate = (s: string) => {
  const t = DATE.test(s) ? Date.parse(`${s}T00:00:00Z`) : Number.NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
};
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);

/**
 * The period asked (`from`/`to` China dates, inclusive): by default the last 30 days up to today;
 * `from` alone runs 30 days from it (or to today), `to` alone the 30 days before it. Every problem
 * at once as a ValidationError: not a date, `from` after `to`, longer than 366 days.
 */
export function periodOf(query: { from?: string | undefined; to?: string | undefined }, now: Date): Period {
  const problems = [];
  for (const k of ['from', 'to'] as const) {
    const v = query[k];
    if (v !== undefined && !isDate(v))
      problems.push({
        path: `/query/${k}`,
        code: 'invalid_date',
        message: `${k} must be a date, YYYY-MM-DD.`,
      });
  }
  if (problems.length) throw new ValidationError(problems);
  const today = chinaDate(now);
  const to =
    query.to ??
    (query.from ? minDate(shift(query.from, DEFAULT_PERIOD_DAYS - 1), maxDate(today, query.from)) : today);
  const from = query.from ?? shift(to, -(DEFAULT_PERIOD_DAYS - 1));
  // A default reaching past year 9999 is no date either.
  if (!isDate(from) || !isDate(to))
    throw new ValidationError([
      {
        path: '/query/from',
        code: 'invalid_date',
        message: 'The period must lie within the years 0000–9999.',
      },
    ]);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs) + 1;
  if (days < 1)
    throw new ValidationError([
      { path: '/query/from', code: 'invalid_range', message: `from (${from}) is after to (${to}).` },
    ]);
  if (days > MAX_PERIOD_DAYS)
    throw new ValidationError([
      {
        path: '/query/to',
        code: 'range_too_long',
        message: `A period is at most ${MAX_PERIOD_DAYS} days; ${from} to ${to} is ${days}.`,
      },
    ]);
  return { from, to, days };
}

const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);
