/**
 * 整改 and 回访: the department a 差评 was about records what it did about it and the result of
 * following up with the applicant; once. Supervision sees the open and overdue ones meanwhile.
 */
import * as z from 'zod/mini';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { FollowUpSchema, type RectificationRecord } from './model.ts';
import type { EvaluationStore } from './ports.ts';

export const RectificationCompletionSchema = /* @__PURE__ */ (() =>
  z.object({
    action: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(4000),
        z.describe('What the department did about the 差评 (整改措施).'),
      ),
    followUp: z
      .extend(FollowUpSchema, {
        // Omitted is none: filled in here, not published as a `default` (generated clients read one as always present).
        note: z.pipe(
          z.optional(z.string().check(z.maxLength(2000))),
          z.transform((v) => v ?? ''),
        ),
      })
      .check(z.describe('The 回访: whether the applicant was reached and is satisfied.')),
  }))();

/** Whether an open rectification is past its deadline at `now`. */
export const isRectificationOverdue = (r: Pick<RectificationRecord, 'status' | 'dueAt'>, now: Date) =>
  r.status === 'open' && Date.parse(r.dueAt) < now.getTime();

/**
 * Use case: complete a rectification.
 *  1. It must exist (404) and be the caller's department's (403).
 *  2. It must be open: completing it again is 409.
 */
export async function completeRectification(
  deps: { readonly store: EvaluationStore; now(): Date },
  input: {
    readonly departmentId: string;
    readonly rectificationId: string;
    readonly request: z.output<typeof RectificationCompletionSchema>;
  },
): Promise<RectificationRecord> {
  const current = await deps.store.getRectification(input.rectificationId);
  if (!current) throw new NotFoundError(`There is no rectification "${input.rectificationId}".`);
  if (current.departmentId !== input.departmentId)
    throw new ForbiddenError('A department completes only its own rectifications.');
  if (current.status !== 'open') throw new ConflictError('This rectification is completed already.');
  const completion = { ...input.request, completedAt: deps.now().toISOString() };
  if (!(await deps.store.completeRectification(current, completion)))
    throw new ConflictError('This rectification is completed already.');
  return { ...current, status: 'completed', completion };
}
