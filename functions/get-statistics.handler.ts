/**
 * GET /v1/statistics — the reform's KPIs from real cases (考核评价): 一次办成率, working days against
 * committed and legal limits, overdue rate, corrections, visits, materials reused, for the city or
 * a bundle, department or place, over a period. Counters only, never a scan of cases
 * (adapters/dynamodb/statistics-store.ts).
 */
import * as z from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { cellCounters } from '#adapters/dynamodb/statistics-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component } from '#adapters/http/schemas.ts';
import { DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS } from '#core/statistics/kpis.ts';
import { statisticsReport } from '#core/statistics/statistics.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const id = z.string().min(1).max(100);

export const StatisticsQuery = z.object({
  from: day
    .optional()
    .describe(
      `First day counted (China date, YYYY-MM-DD); by default ${DEFAULT_PERIOD_DAYS - 1} days before \`to\`.`,
    ),
  to: day
    .optional()
    .describe(
      `Last day counted, inclusive; by default today. At most ${MAX_PERIOD_DAYS} days from \`from\`.`,
    ),
  bundleId: id.optional().describe('Only this bundle (may be combined with departmentId).'),
  departmentId: id
    .optional()
    .describe(
      'Only the cases of this department’s services (a department other than the supervisor sees only itself).',
    ),
  placeId: id
    .optional()
    .describe('Only the cases accepted at this place (通办); not combined with the others.'),
});

const n = z.number().int().nonnegative();
const rate = z.number().min(0).max(1).nullable();
const avg = z.number().nonnegative().nullable();

/** The KPIs of one cell; every field documented once, here. */
const KpisShape = {
  cases: n.describe('Cases submitted in the period.'),
  finals: n.describe('Cases that became final in the period: issued, rejected or withdrawn.'),
  issued: n.describe('Cases issued in the period (every result delivered together, 一窗出件).'),
  rejected: n.describe(
    'Cases rejected in the period (refused at acceptance, nothing approved, or a correction not supplied in time).',
  ),
  withdrawn: n.describe('Cases the applicant withdrew in the period.'),
  issuedFirstTime: n.describe('Issued cases that needed no correction round.'),
  firstTimeSuccessRate: rate.describe('一次办成率: issuedFirstTime / issued (null when nothing was issued).'),
  decided: n.describe(
    'Cases decided in the period (办结: issued or rejected; a withdrawal is not a decision).',
  ),
  averageWorkingDays: avg.describe(
    'Working days from submission to decision, on average over the decided cases (the day of submission does not count; weekends and public holidays are skipped).',
  ),
  averageCommittedDays: avg.describe(
    'The committed limit of the same cases — submission to their deadline (dueAt, extended while the applicant corrects) — in working days, on average.',
  ),
  averageLegalDays: avg.describe(
    'The legal limit (法定时限) of the same cases’ services, in working days along the longest chain of stages (reviews in parallel within a stage; the deadline is computed the same way from the committed limits), on average.',
  ),
  overdue: n.describe(
    'Decided cases whose decision came after their deadline (dueAt). Tasks overdue inside a case that was decided in time do not count here (GET /v1/supervision shows those).',
  ),
  overdueRate: rate.describe('overdue / decided (null when nothing was decided).'),
  correctionRounds: n.describe('Correction rounds (补正) of the cases that became final, in all.'),
  correctionRoundsPerCase: avg.describe('correctionRounds / finals.'),
  visits: n.describe(
    'Counter visits the issued cases needed, in all: one to fetch the results unless delivered electronically, plus each on-site inspection (a joint inspection counts once).',
  ),
  visitsPerIssuedCase: avg.describe('visits / issued.'),
  electronicDeliveries: n.describe('Issued cases whose results were delivered electronically.'),
  materialsUploaded: n.describe('Materials the applications submitted in the period uploaded.'),
  materialsReused: n.describe(
    'Materials those applications did not upload: held as e-licenses or on file from an earlier case (共享复用).',
  ),
  materialsReusedShare: rate.describe('materialsReused / (materialsUploaded + materialsReused).'),
  ratings: n.describe(
    '好差评 ratings given in the period (a case’s overall score; per department, the department’s own score, else the overall for the lead).',
  ),
  satisfiedRatings: n.describe('Ratings of 4 or 5 (满意, 非常满意).'),
  satisfactionRate: rate.describe('满意率: satisfiedRatings / ratings.'),
  badRatings: n.describe('差评: ratings of 2 or less (不满意, 非常不满意).'),
  rectificationsOpened: n.describe(
    'Rectifications (整改) the 差评 opened in the period, one per department rated badly.',
  ),
  rectificationsCompleted: n.describe('Rectifications completed in the period.'),
  rectificationRate: rate.describe('差评整改率: rectificationsCompleted / rectificationsOpened.'),
  followUpSatisfiedRate: rate.describe(
    '回访: completed rectifications whose applicant was satisfied / rectificationsCompleted.',
  ),
  inquiries: n.describe(
    '12345 inquiries received in the period (consultations, complaints, suggestions; from portals and the hotline).',
  ),
  complaints: n.describe('Of them, complaints (投诉).'),
  inquiriesAnswered: n.describe('Inquiries answered in the period.'),
  averageInquiryAnswerHours: avg.describe(
    'Hours from receipt to answer, on average over the inquiries answered.',
  ),
  inquiriesAnsweredLate: n.describe('Inquiries answered after their deadline.'),
};
const Kpis = z.object(KpisShape);

const EXAMPLE = {
  cases: 42,
  finals: 38,
  issued: 33,
  rejected: 3,
  withdrawn: 2,
  issuedFirstTime: 27,
  firstTimeSuccessRate: 0.8182,
  decided: 36,
  averageWorkingDays: 2.14,
  averageCommittedDays: 4.03,
  averageLegalDays: 17.5,
  overdue: 1,
  overdueRate: 0.0278,
  correctionRounds: 7,
  correctionRoundsPerCase: 0.18,
  visits: 5,
  visitsPerIssuedCase: 0.15,
  electronicDeliveries: 30,
  materialsUploaded: 131,
  materialsReused: 58,
  materialsReusedShare: 0.3069,
  ratings: 30,
  satisfiedRatings: 27,
  satisfactionRate: 0.9,
  badRatings: 2,
  rectificationsOpened: 2,
  rectificationsCompleted: 1,
  rectificationRate: 0.5,
  followUpSatisfiedRate: 1,
  inquiries: 9,
  complaints: 2,
  inquiriesAnswered: 8,
  averageInquiryAnswerHours: 5.25,
  inquiriesAnsweredLate: 0,
};

export const StatisticsSchema = component(
  'Statistics',
  Kpis.extend({
    from: day.describe('First day counted (China date).'),
    to: day.describe('Last day counted (inclusive).'),
    filter: z
      .object({
        bundleId: z.string().optional(),
        departmentId: z.string().optional(),
        placeId: z.string().optional(),
      })
      .describe('What the figures are narrowed to (a department’s own id when it is not the supervisor).'),
    byBundle: z
      .array(Kpis.extend({ bundleId: z.string(), bundleName: z.string() }))
      .optional()
      .describe(
        'Per bundle — for the whole city, or within the department asked — only bundles with cases in the period.',
      ),
    byDepartment: z
      .array(Kpis.extend({ departmentId: z.string(), departmentName: z.string() }))
      .optional()
      .describe(
        'Per department (for the whole city only): a case counts for every department responsible for one of its services.',
      ),
    byPlace: z
      .array(Kpis.extend({ placeId: z.string(), placeName: z.string() }))
      .optional()
      .describe('Per place the cases were accepted at (for the whole city only).'),
  }).meta({
    examples: [
      {
        from: '2026-11-02',
        to: '2026-12-01',
        filter: {},
        ...EXAMPLE,
        byBundle: [{ bundleId: 'enterprise-opening', bundleName: '企业开办', ...EXAMPLE }],
        byDepartment: [{ departmentId: 'market-regulation', departmentName: '市市场监管局', ...EXAMPLE }],
        byPlace: [{ placeId: 'changzhou', placeName: '常州市', ...EXAMPLE }],
      },
    ],
  }),
);

export const route = defineRoute({
  name: 'get-statistics',
  method: 'GET',
  path: '/v1/statistics',
  caller: 'department',
  summary:
    'The reform’s KPIs from real cases (考核评价): 一次办成率, working days, overdue rate, visits, reuse',
  description:
    'Counted as cases are submitted and become final (in the same transactions), per China day. The supervisor sees the city, any bundle, department or place, and a breakdown when nothing narrows it; any other department sees only its own cases (byBundle within it). Rates and averages over no case are null.',
  tags: ['Supervision'],
  query: StatisticsQuery,
  responses: { 200: { description: 'The KPIs of the period.', schema: StatisticsSchema } },
  problems: {
    403: 'A department other than the supervisor asked for another department’s statistics.',
    422: `A date is not YYYY-MM-DD, from is after to, the period is longer than ${MAX_PERIOD_DAYS} days, an id is unknown, or placeId is combined with another filter.`,
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ query, caller }) => ({
  status: 200,
  body: await statisticsReport(
    { catalog: catalog(), places: places(), counters: cellCounters, now: () => new Date() },
    caller,
    query,
  ),
  headers: { 'cache-control': 'no-store' },
}));
