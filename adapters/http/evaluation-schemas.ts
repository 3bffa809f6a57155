/**
 * What the evaluation routes answer (好差评 ratings and 整改, 12345 inquiries), as zod: published in
 * the OpenAPI document by the handlers' `component` names and re-exported by adapters/http/schemas.ts,
 * like every other answer's schema. The views that build these answers are core/evaluation/views.ts.
 *
 * Apart from the views since issue #14 (init time): no handler parses with these schemas, and a
 * Lambda bundle gets adapters/http/schemas.lambda.ts in place of schemas.ts, so this module is not
 * bundled at all — in core/evaluation/views.ts its ~110 zod instances were built at every init of
 * the twelve evaluation functions.
 */
import * as z from 'zod/mini';
import { INQUIRY_KINDS, INQUIRY_STATUSES, RECTIFICATION_STATUSES } from '#core/evaluation/model.ts';
import { SATISFACTION_SCALE } from '#core/evaluation/scale.ts';

const Timestamp = z.iso.datetime().check(z.describe('An instant, ISO 8601 in UTC.'));
const count = z.number().check(z.int(), z.nonnegative());
const ScoreView = z.number().check(z.int(), z.gte(1), z.lte(5));
const Label = z.enum(SATISFACTION_SCALE.map((s) => s.label) as [string, ...string[]]);

export const ScaleSchema = z
  .array(z.object({ score: ScoreView, label: Label }))
  .check(z.describe('The national five-level scale (好差评): 5 非常满意 … 1 非常不满意.'));

export const RectificationSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  bundleId: z.string(),
  placeId: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  reasons: z
    .array(z.enum(['overall', 'department']))
    .check(
      z.describe(
        'overall: the case as a whole was rated 差评 (the lead answers for it); department: its own work was.',
      ),
    ),
  score: ScoreView,
  scoreLabel: Label,
  comment: z.optional(z.string()),
  status: z.enum(RECTIFICATION_STATUSES),
  createdAt: Timestamp,
  dueAt: Timestamp.check(z.describe(`Working days after the rating.`)),
  overdue: z.boolean(),
  completion: z.optional(
    z.object({
      action: z.string(),
      followUp: z.object({ contacted: z.boolean(), satisfied: z.boolean(), note: z.string() }),
      completedAt: Timestamp,
    }),
  ),
});

export const RatingSchema = z
  .object({
    caseId: z.string(),
    rated: z.boolean().check(z.describe('false until the applicant rates the case.')),
    ratable: z
      .boolean()
      .check(z.describe('true while the case is final and not yet rated: show the rating form.')),
    scale: ScaleSchema,
    overall: z.optional(ScoreView),
    overallLabel: z.optional(Label),
    departments: z.optional(
      z.array(
        z.object({ departmentId: z.string(), departmentName: z.string(), score: ScoreView, label: Label }),
      ),
    ),
    comment: z.optional(z.string()),
    createdAt: z.optional(Timestamp),
    rectifications: z
      .optional(
        z.array(
          z.object({
            id: z.string(),
            departmentId: z.string(),
            status: z.enum(RECTIFICATION_STATUSES),
            dueAt: Timestamp,
          }),
        ),
      )
      .check(z.describe('What the 差评 opened, and whether it is done.')),
  })
  .check(z.describe('The case’s rating (好差评), or that it has none yet.'));

export const RectificationListSchema = z.object({
  items: z.array(RectificationSchema),
  nextCursor: z.optional(z.string()),
});

export const InquirySchema = z.object({
  id: z.string(),
  kind: z.enum(INQUIRY_KINDS),
  text: z.string(),
  status: z.enum(INQUIRY_STATUSES),
  channel: z.enum(['portal', 'hotline']),
  caseId: z.optional(z.string()),
  bundleId: z.string(),
  departmentId: z.string().check(z.describe('The department it was routed to, which answers it.')),
  departmentName: z.string(),
  createdAt: Timestamp,
  dueAt: Timestamp.check(z.describe('The response deadline (working days by kind).')),
  overdue: z.boolean(),
  answer: z.optional(z.object({ text: z.string(), answeredAt: Timestamp })),
});

export const InquiryListSchema = z.object({
  items: z.array(InquirySchema),
  nextCursor: z.optional(z.string()),
});

/** What POST /v1/inquiries answers (the floor: id, status, departmentId, dueAt). */
export const InquiryCreatedSchema = z.pick(InquirySchema, {
  id: true,
  kind: true,
  status: true,
  departmentId: true,
  departmentName: true,
  dueAt: true,
});

/** 电子监察 of evaluation: open and overdue rectifications, overdue inquiries (no texts). */
export const EvaluationAttentionSchema = {
  rectifications: z
    .array(z.omit(RectificationSchema, { comment: true, completion: true }))
    .check(z.describe('好差评 整改: open rectifications, earliest due first (overdue flagged).')),
  overdueInquiries: z
    .array(z.omit(InquirySchema, { text: true, answer: true }))
    .check(z.describe('12345: open inquiries past their response deadline.')),
};

export const EvaluationTotalsSchema = {
  openRectifications: z.optional(count),
  overdueRectifications: z.optional(count),
  overdueInquiries: z.optional(count),
};
