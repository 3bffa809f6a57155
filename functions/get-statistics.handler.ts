/**
 * GET /v1/statistics — the reform's KPIs from real cases (考核评价): 一次办成率, working days against
 * committed and legal limits, overdue rate, corrections, visits, materials reused, for the city or
 * a bundle, department or place, over a period. Counters only, never a scan of cases
 * (adapters/dynamodb/statistics-store.ts).
 */
import * as z from 'zod/mini';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { counterReader } from '#adapters/dynamodb/statistics-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component } from '#adapters/http/schemas.ts';
import { DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS } from '#core/statistics/kpis.ts';
import { statisticsReport } from '#core/statistics/statistics.ts';

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const id = z.string().check(z.minLength(1), z.maxLength(100));

export const StatisticsQuery = z.object({
  from: z
    .optional(day)
    .check(
      z.describe(
        `First day counted (China date, YYYY-MM-DD); by default ${DEFAULT_PERIOD_DAYS - 1} days before \`to\`.`,
      ),
    ),
  to: z
    .optional(day)
    .check(
      z.describe(
        `Last day counted, inclusive; by default today. At most ${MAX_PERIOD_DAYS} days from \`from\`.`,
      ),
    ),
  bundleId: z.optional(id).check(z.describe('Only this bundle (may be combined with departmentId).')),
  departmentId: z
    .optional(id)
    .check(
      z.describe(
        'Only the cases of this department’s services (a department other than the supervisor sees only itself).',
      ),
    ),
  placeId: z
    .optional(id)
    .check(z.describe('Only the cases accepted at this place (通办); not combined with the others.')),
});

const n = z.number().check(z.int(), z.nonnegative());
const rate = z.nullable(z.number().check(z.gte(0), z.lte(1)));
const avg = z.nullable(z.number().check(z.nonnegative()));

/** The KPIs of one cell; every field documented once, here. */
const KpisShape = {
  cases: n.check(z.describe('Cases submitted in the period.')),
  finals: n.check(z.describe('Cases that became final in the period: issued, rejected or withdrawn.')),
  issued: n.check(z.describe('Cases issued in the period (every result delivered together, 一窗出件).')),
  rejected: n.check(
    z.describe(
      'Cases rejected in the period (refused at acceptance, nothing approved, or a correction not supplied in time).',
    ),
  ),
  withdrawn: n.check(z.describe('Cases the applicant withdrew in the period.')),
  issuedFirstTime: n.check(z.describe('Issued cases that needed no correction round.')),
  firstTimeSuccessRate: rate.check(
    z.describe('一次办成率: issuedFirstTime / issued (null when nothing was issued).'),
  ),
  decided: n.check(
    z.describe('Cases decided in the period (办结: issued or rejected; a withdrawal is not a decision).'),
  ),
  averageWorkingDays: avg.check(
    z.describe(
      'Working days from submission to decision, on average over the decided cases (the day of submission does not count; weekends and public holidays are skipped).',
    ),
  ),
  averageCommittedDays: avg.check(
    z.describe(
      'The committed limit of the same cases — submission to their deadline (dueAt, extended while the applicant corrects) — in working days, on average.',
    ),
  ),
  averageLegalDays: avg.check(
    z.describe(
      'The legal limit (法定时限) of the same cases’ services, in working days along the longest chain of stages (reviews in parallel within a stage; the deadline is computed the same way from the committed limits), on average.',
    ),
  ),
  overdue: n.check(
    z.describe(
      'Decided cases whose decision came after their deadline (dueAt). Tasks overdue inside a case that was decided in time do not count here (GET /v1/supervision shows those).',
    ),
  ),
  overdueRate: rate.check(z.describe('overdue / decided (null when nothing was decided).')),
  correctionRounds: n.check(z.describe('Correction rounds (补正) of the cases that became final, in all.')),
  correctionRoundsPerCase: avg.check(z.describe('correctionRounds / finals.')),
  visits: n.check(
    z.describe(
      'Counter visits the issued cases needed, in all: one to fetch the results unless delivered electronically, plus each on-site inspection (a joint inspection counts once).',
    ),
  ),
  visitsPerIssuedCase: avg.check(z.describe('visits / issued.')),
  electronicDeliveries: n.check(z.describe('Issued cases whose results were delivered electronically.')),
  materialsUploaded: n.check(z.describe('Materials the applications submitted in the period uploaded.')),
  materialsReused: n.check(
    z.describe(
      'Materials those applications did not upload: held as e-licenses or on file from an earlier case (共享复用).',
    ),
  ),
  materialsReusedShare: rate.check(z.describe('materialsReused / (materialsUploaded + materialsReused).')),
  ratings: n.check(
    z.describe(
      '好差评 ratings given in the period (a case’s overall score; per department, the department’s own score, else the overall for the lead).',
    ),
  ),
  satisfiedRatings: n.check(z.describe('Ratings of 4 or 5 (满意, 非常满意).')),
  satisfactionRate: rate.check(z.describe('满意率: satisfiedRatings / ratings.')),
  badRatings: n.check(z.describe('差评: ratings of 2 or less (不满意, 非常不满意).')),
  rectificationsOpened: n.check(
    z.describe('Rectifications (整改) the 差评 opened in the period, one per department rated badly.'),
  ),
  rectificationsCompleted: n.check(z.describe('Rectifications completed in the period.')),
  rectificationRate: rate.check(z.describe('差评整改率: rectificationsCompleted / rectificationsOpened.')),
  followUpSatisfiedRate: rate.check(
    z.describe('回访: completed rectifications whose applicant was satisfied / rectificationsCompleted.'),
  ),
  inquiries: n.check(
    z.describe(
      '12345 inquiries received in the period (consultations, complaints, suggestions; from portals and the hotline).',
    ),
  ),
  complaints: n.check(z.describe('Of them, complaints (投诉).')),
  inquiriesAnswered: n.check(z.describe('Inquiries answered in the period.')),
  averageInquiryAnswerHours: avg.check(
    z.describe('Hours from receipt to answer, on average over the inquiries answered.'),
  ),
  inquiriesAnsweredLate: n.check(z.describe('Inquiries answered after their deadline.')),
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
  z
    .extend(Kpis, {
      from: day.check(z.describe('First day counted (China date).')),
      to: day.check(z.describe('Last day counted (inclusive).')),
      filter: z
        .object({
          bundleId: z.optional(z.string()),
          departmentId: z.optional(z.string()),
          placeId: z.optional(z.string()),
        })
        .check(
          z.describe(
            'What the figures are narrowed to (a department’s own id when it is not the supervisor).',
          ),
        ),
      byBundle: z
        .optional(z.array(z.extend(Kpis, { bundleId: z.string(), bundleName: z.string() })))
        .check(
          z.describe(
            'Per bundle — for the whole city, or within the department asked — only bundles with cases in the period.',
          ),
        ),
      byDepartment: z
        .optional(z.array(z.extend(Kpis, { departmentId: z.string(), departmentName: z.string() })))
        .check(
          z.describe(
            'Per department (for the whole city only): a case counts for every department responsible for one of its services.',
          ),
        ),
      byPlace: z
        .optional(z.array(z.extend(Kpis, { placeId: z.string(), placeName: z.string() })))
        .check(z.describe('Per place the cases were accepted at (for the whole city only).')),
    })
    .check(
      z.meta({
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
    ),
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
    { catalog: catalog(), places: places(), counters: counterReader(), now: () => new Date() },
    caller,
    query,
  ),
  headers: { 'cache-control': 'no-store' },
}));
