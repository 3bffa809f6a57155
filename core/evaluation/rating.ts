/**
 * 好差评: once a case is final the applicant rates it — the bundle as a whole and, optionally,
 * each department that worked on it — on the national five-level scale; once, and for good. Each
 * 差评 (不满意 or worse) opens a rectification (整改) for the department it is about, due in
 * RECTIFICATION_WORKING_DAYS working days, in the same transaction as the rating.
 */
import * as z from 'zod/mini';
import { isFinal } from '../case/lifecycle.ts';
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import { ownCase } from '../case/ownership.ts';
import type { CaseRepository } from '../case/ports.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import type { ApplicantIdentity } from '../identity/applicant.ts';
import type { PlaceIndex } from '../places/places.ts';
import {
  ConflictError,
  NotFoundError,
  type Problem,
  UnprocessableError,
  ValidationError,
} from '../shared/errors.ts';
import { addWorkingDays } from '../time/working-days.ts';
import { type RatingRecord, type RectificationRecord, rectificationIdFor } from './model.ts';
import type { EvaluationStore } from './ports.ts';
import { isBadScore, RECTIFICATION_WORKING_DAYS, type Score } from './scale.ts';

const ScoreSchema = z
  .number()
  .check(
    z.int(),
    z.gte(1),
    z.lte(5),
    z.describe('5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (2 or less opens a rectification).'),
  );

export const RatingRequestSchema = /* @__PURE__ */ (() =>
  z.object({
    overall: ScoreSchema.check(z.describe('The bundle as a whole: 5 非常满意 … 1 非常不满意.')),
    departments: z
      .pipe(
        // Omitted is none: filled in here, not published as a `default` (generated clients read one as always present).
        z.optional(
          z
            .array(
              z.object({
                departmentId: z.string().check(z.minLength(1), z.maxLength(100)),
                score: ScoreSchema,
              }),
            )
            .check(z.maxLength(30)),
        ),
        z.transform((v) => v ?? []),
      )
      .check(z.describe('Optionally, a score per department that worked on the case.')),
    comment: z.optional(z.string().check(z.maxLength(1000))),
  }))();
export type RatingRequest = z.output<typeof RatingRequestSchema>;

/** The case has not ended: it can be rated once it is issued, rejected or withdrawn. */
export class CaseNotFinalError extends UnprocessableError {
  override readonly code = 'case_not_final';
}

export interface RatingDeps {
  readonly cases: Pick<CaseRepository, 'view'>;
  readonly store: EvaluationStore;
  readonly catalog: CatalogIndex;
  readonly places: PlaceIndex;
  now(): Date;
}

type Caller = { readonly portalId: string; readonly applicant: ApplicantIdentity };

/** The departments that worked on the case (its tasks, the applicant's own supplement task aside). */
export function departmentsOfCase(tasks: readonly TaskRecord[]): Set<string> {
  return new Set(tasks.filter((t) => t.kind !== 'supplement').map((t) => t.departmentId));
}

/**
 * The department answerable for the case as a whole: the lead department that accepted it (its
 * acceptance task names the competent place's counterpart), else the bundle's lead at that place.
 */
export function leadDepartmentOf(
  deps: Pick<RatingDeps, 'catalog' | 'places'>,
  record: Pick<CaseRecord, 'bundleId' | 'places'>,
  tasks: readonly TaskRecord[],
): string {
  const acceptance = tasks.find((t) => t.kind === 'acceptance');
  if (acceptance) return acceptance.departmentId;
  const lead = deps.catalog.bundle(record.bundleId).leadDepartmentId;
  return deps.places.departmentAt(record.places?.decidedAt ?? deps.places.city.id, lead);
}

/** The competent place of a case (the city's when it names none). */
export const placeOfCase = (places: PlaceIndex, record: Pick<CaseRecord, 'places'>) =>
  record.places?.decidedAt ?? places.city.id;

/**
 * Use case: rate a case (好差评).
 *  1. The case must be the caller's (else 404) and final (else 422 case_not_final).
 *  2. Every department scored must have worked on the case, once each (else 422, all listed).
 *  3. The overall score's department is the lead; each 差评 — overall or per department — opens a
 *     rectification for its department (one per department), due in 5 working days.
 *  4. Rating, rectifications and the case's timeline entry commit together, iff the case has no
 *     rating yet (else 409).
 */
export async function rateCase(
  deps: RatingDeps,
  input: { readonly caller: Caller; readonly caseId: string; readonly request: RatingRequest },
): Promise<{ rating: RatingRecord; rectifications: RectificationRecord[] }> {
  const view = await deps.cases.view(input.caseId);
  if (!view || !ownCase(view.record, input.caller))
    throw new NotFoundError(`There is no case "${input.caseId}" of yours.`);
  const { record, tasks } = view;
  if (!isFinal(record.status))
    throw new CaseNotFinalError(
      `The case is ${record.status}: it can be rated once it is issued, rejected or withdrawn.`,
    );

  const worked = departmentsOfCase(tasks);
  const problems: Problem[] = [];
  const seen = new Set<string>();
  input.request.departments.forEach((d, i) => {
    if (!worked.has(d.departmentId))
      problems.push({
        path: `/departments/${i}/departmentId`,
        code: 'department_not_involved',
        message: `Department "${d.departmentId}" did not work on this case (it did: ${[...worked].sort().join(', ')}).`,
      });
    else if (seen.has(d.departmentId))
      problems.push({
        path: `/departments/${i}/departmentId`,
        code: 'duplicate_department',
        message: `Department "${d.departmentId}" is scored twice.`,
      });
    seen.add(d.departmentId);
  });
  if (problems.length) throw new ValidationError(problems);

  const now = deps.now();
  const at = now.toISOString();
  const lead = leadDepartmentOf(deps, record, tasks);
  const placeId = placeOfCase(deps.places, record);
  const comment = input.request.comment?.trim() || undefined;

  // One rectification per department rated 差评, for the whole case (the lead) or its own work.
  const bad = new Map<string, { reasons: Set<'overall' | 'department'>; score: number }>();
  const flag = (departmentId: string, reason: 'overall' | 'department', score: number) => {
    if (!isBadScore(score)) return;
    const entry = bad.get(departmentId) ?? { reasons: new Set(), score };
    entry.reasons.add(reason);
    entry.score = Math.min(entry.score, score);
    bad.set(departmentId, entry);
  };
  flag(lead, 'overall', input.request.overall);
  for (const d of input.request.departments) flag(d.departmentId, 'department', d.score);
  const dueAt = addWorkingDays(now, RECTIFICATION_WORKING_DAYS).toISOString();
  const rectifications: RectificationRecord[] = [...bad].map(([departmentId, b]) => ({
    rectificationId: rectificationIdFor(record.caseId, departmentId),
    caseId: record.caseId,
    bundleId: record.bundleId,
    placeId,
    departmentId,
    reasons: (['overall', 'department'] as const).filter((r) => b.reasons.has(r)),
    score: b.score as Score,
    ...(comment ? { comment } : {}),
    status: 'open',
    createdAt: at,
    dueAt,
  }));

  const rating: RatingRecord = {
    caseId: record.caseId,
    portalId: record.portalId,
    bundleId: record.bundleId,
    placeId,
    caseStatus: record.status as RatingRecord['caseStatus'],
    overall: input.request.overall,
    leadDepartmentId: lead,
    departments: input.request.departments.map((d) => ({ departmentId: d.departmentId, score: d.score })),
    ...(comment ? { comment } : {}),
    createdAt: at,
    rectificationIds: rectifications.map((r) => r.rectificationId),
  };
  const created = await deps.store.createRating(rating, rectifications, {
    at,
    event: 'rated',
    detail: { overall: rating.overall, rectifications: rectifications.length },
  });
  if (!created) throw new ConflictError('This case is rated already; a rating cannot be changed.');
  return { rating, rectifications };
}

/** Whether the caller may still rate the case: it is final and has no rating. */
export function ratable(record: Pick<CaseRecord, 'status'>, rating: RatingRecord | undefined): boolean {
  return isFinal(record.status) && !rating;
}
