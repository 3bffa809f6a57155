/**
 * The views that build what the evaluation routes answer from the records (their schemas, the
 * documentation of those answers, are adapters/http/evaluation-schemas.ts). Nothing personal: an
 * inquiry's asker is a keyed identifier, never shown; supervision sees no inquiry texts.
 */
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { isInquiryOverdue } from './inquiry.ts';
import type { InquiryRecord, RatingRecord, RectificationRecord } from './model.ts';
import { isRectificationOverdue } from './rectification.ts';
import { labelOf, SATISFACTION_SCALE, type Score } from './scale.ts';

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
