/**
 * The records of 好差评 and 12345 as stored (parsed again when read back): a rating of a case, the
 * rectifications (整改) its bad scores opened, and inquiries (咨询, 投诉, 建议). Each carries what
 * statistics need without reading the case again: bundle, competent place, department, scores and
 * instants.
 */
import * as z from 'zod/mini';

const ScoreSchema = /* @__PURE__ */ (() => z.number().check(z.int(), z.gte(1), z.lte(5)))();

export const RatingRecordSchema = /* @__PURE__ */ (() =>
  z.object({
    caseId: z.string(),
    portalId: z.string(),
    bundleId: z.string(),
    /** 通办: the competent place that decided the case (the city's id when the case names none). */
    placeId: z.string(),
    caseStatus: z.enum(['issued', 'rejected', 'withdrawn']),
    overall: ScoreSchema,
    /** The department answerable for the overall score: the one that led the case. */
    leadDepartmentId: z.string(),
    departments: z.array(z.object({ departmentId: z.string(), score: ScoreSchema })),
    comment: z.optional(z.string()),
    createdAt: z.string(),
    /** The rectifications this rating opened (ids). */
    rectificationIds: z.array(z.string()),
  }))();
export type RatingRecord = z.infer<typeof RatingRecordSchema>;

export const RECTIFICATION_STATUSES = ['open', 'completed'] as const;

export const FollowUpSchema = /* @__PURE__ */ (() =>
  z.object({
    contacted: z.boolean().check(z.describe('Whether the applicant was reached for the 回访.')),
    satisfied: z.boolean().check(z.describe('Whether the applicant is satisfied with the rectification.')),
    note: z._default(z.string().check(z.maxLength(2000)), ''),
  }))();

export const RectificationRecordSchema = /* @__PURE__ */ (() =>
  z.object({
    rectificationId: z.string(),
    caseId: z.string(),
    bundleId: z.string(),
    placeId: z.string(),
    departmentId: z.string(),
    /** What the bad score was given for: the case as a whole, the department's own work, or both. */
    reasons: z.array(z.enum(['overall', 'department'])),
    /** The worst bad score behind it. */
    score: ScoreSchema,
    comment: z.optional(z.string()),
    status: z.enum(RECTIFICATION_STATUSES),
    createdAt: z.string(),
    dueAt: z.string(),
    completion: z.optional(
      z.object({
        action: z.string(),
        followUp: FollowUpSchema,
        completedAt: z.string(),
      }),
    ),
  }))();
export type RectificationRecord = z.infer<typeof RectificationRecordSchema>;

export const INQUIRY_KINDS = ['consultation', 'complaint', 'suggestion'] as const;
export type InquiryKind = (typeof INQUIRY_KINDS)[number];
export const INQUIRY_STATUSES = ['open', 'answered'] as const;

export const InquiryRecordSchema = /* @__PURE__ */ (() =>
  z.object({
    inquiryId: z.string(),
    kind: z.enum(INQUIRY_KINDS),
    text: z.string(),
    status: z.enum(INQUIRY_STATUSES),
    /** Where it came in: a portal (the applicant signed in) or the 12345 hotline (an operator). */
    channel: z.enum(['portal', 'hotline']),
    portalId: z.optional(z.string()),
    /** The keyed identifier of the applicant it is from (never the ID number or credit code). */
    applicantKey: z.string(),
    caseId: z.optional(z.string()),
    bundleId: z.string(),
    placeId: z.string(),
    departmentId: z.string(),
    createdAt: z.string(),
    dueAt: z.string(),
    answer: z.optional(z.object({ text: z.string(), answeredAt: z.string(), departmentId: z.string() })),
  }))();
export type InquiryRecord = z.infer<typeof InquiryRecordSchema>;

/** The rectification of `departmentId` for a case's rating: one per case and department. */
export const rectificationIdFor = (caseId: string, departmentId: string) => `${caseId}.rect.${departmentId}`;

export function caseIdOfRectification(rectificationId: string): string | undefined {
  return /^(c-[a-z0-9]+)\.rect\.[a-z0-9-]+$/.exec(rectificationId)?.[1];
}
