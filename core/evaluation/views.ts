/**
 * What the evaluation routes answer, as zod (published in the OpenAPI document by the handlers'
 * `component` names) and the views that build those answers from the records. Nothing personal:
 * an inquiry's asker is a keyed identifier, never shown; supervision sees no inquiry texts.
 */
import * as z from 'zod/mini';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { isInquiryOverdue } from './inquiry.ts';
import {
  INQUIRY_KINDS,
  INQUIRY_STATUSES,
  type InquiryRecord,
  type RatingRecord,
  RECTIFICATION_STATUSES,
  type RectificationRecord,
} from './model.ts';
import { isRectificationOverdue } from './rectification.ts';
import { labelOf, SATISFACTION_SCALE, type Score } from './scale.ts';

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

const nameOf = (index: CatalogIndex, id: string) => index.departments.get(id)?.name ?? id;

export const scaleView = () => SATISFACTION_SCALE.map((s) => ({ score: s.score, label: s.label }));

export function rectificationView(index: CatalogIndex, r: RectificationRecord, now: Date) {
  return {
    id: r.rectificationId,
    caseId: r.caseId,
    bundleId: r.bundleId,
    placeId: r.placeId,
    departmentId: r.departmentId,
    departmentName: nameOf(index, r.departmentId),
    reasons: r.reasons,
    score: r.score,
    scoreLabel: labelOf(r.score as Score),
    ...(r.comment ? { comment: r.comment } : {}),
    status: r.status,
    createdAt: r.createdAt,
    dueAt: r.dueAt,
    overdue: isRectificationOverdue(r, now),
    ...(r.completion ? { completion: r.completion } : {}),
  };
}

export function ratingView(
  index: CatalogIndex,
  caseId: string,
  rating: RatingRecord | undefined,
  rectifications: readonly RectificationRecord[],
  ratable: boolean,
) {
  if (!rating) return { caseId, rated: false, ratable, scale: scaleView() };
  return {
    caseId,
    rated: true,
    ratable: false,
    scale: scaleView(),
    overall: rating.overall,
    overallLabel: labelOf(rating.overall as Score),
    departments: rating.departments.map((d) => ({
      departmentId: d.departmentId,
      departmentName: nameOf(index, d.departmentId),
      score: d.score,
      label: labelOf(d.score as Score),
    })),
    ...(rating.comment ? { comment: rating.comment } : {}),
    createdAt: rating.createdAt,
    rectifications: rectifications.map((r) => ({
      id: r.rectificationId,
      departmentId: r.departmentId,
      status: r.status,
      dueAt: r.dueAt,
    })),
  };
}

export function inquiryView(index: CatalogIndex, q: InquiryRecord, now: Date) {
  return {
    id: q.inquiryId,
    kind: q.kind,
    text: q.text,
    status: q.status,
    channel: q.channel,
    ...(q.caseId ? { caseId: q.caseId } : {}),
    bundleId: q.bundleId,
    departmentId: q.departmentId,
    departmentName: nameOf(index, q.departmentId),
    createdAt: q.createdAt,
    dueAt: q.dueAt,
    overdue: isInquiryOverdue(q, now),
    ...(q.answer ? { answer: { text: q.answer.text, answeredAt: q.answer.answeredAt } } : {}),
  };
}

/** The evaluation part of the supervision view: a supervisor sees all, a department its own. */
export async function evaluationAttention(
  deps: {
    readonly store: Pick<
      import('./ports.ts').EvaluationStore,
      'openRectifications' | 'openInquiriesDueBefore'
    >;
    readonly catalog: CatalogIndex;
    now(): Date;
  },
  viewer: { readonly departmentId: string; readonly sees: 'all' | 'own' },
) {
  const now = deps.now();
  const MAX = 2000;
  const [rects, inquiries] = await Promise.all([
    deps.store.openRectifications(MAX),
    deps.store.openInquiriesDueBefore(now.toISOString(), MAX),
  ]);
  const visible = <T extends { departmentId: string }>(xs: readonly T[]) =>
    viewer.sees === 'all' ? xs : xs.filter((x) => x.departmentId === viewer.departmentId);
  const rectifications = visible(rects).map((r) => {
    const { comment: _c, completion: _d, ...rest } = rectificationView(deps.catalog, r, now);
    return rest;
  });
  const overdueInquiries = visible(inquiries).map((q) => {
    const { text: _t, answer: _a, ...rest } = inquiryView(deps.catalog, q, now);
    return rest;
  });
  return {
    rectifications,
    overdueInquiries,
    totals: {
      openRectifications: rectifications.length,
      overdueRectifications: rectifications.filter((r) => r.overdue).length,
      overdueInquiries: overdueInquiries.length,
    },
  };
}

export const EvaluationTotalsSchema = {
  openRectifications: z.optional(count),
  overdueRectifications: z.optional(count),
  overdueInquiries: z.optional(count),
};
