/**
 * When a department sees an applicant's personal data in full (最小必要, PIPL purpose limitation):
 * while it holds an open task on the case, and for `afterMs` after its work on the case ended —
 * its last decision, or the case's closing when that came later (a withdrawal closes tasks without
 * a decision). Then masked: the case is done, the data is no longer needed for it. Pure.
 */
import { isFinal } from '../case/lifecycle.ts';
import type { CaseRecord, TaskRecord } from '../case/model.ts';
import { maskedApplicant } from '../case/views.ts';
import { isValidIdNumber, maskIdentifier } from '../shared/identifiers.ts';

export function seesPersonalData(
  record: Pick<CaseRecord, 'status' | 'updatedAt'>,
  tasks: readonly TaskRecord[],
  departmentId: string,
  now: Date,
  afterMs: number,
): boolean {
  const own = tasks.filter((t) => t.departmentId === departmentId);
  if (own.some((t) => t.status === 'pending')) return true;
  const ends = own.flatMap((t) => (t.decision ? [Date.parse(t.decision.decidedAt)] : []));
  if (isFinal(record.status)) ends.push(Date.parse(record.updatedAt));
  if (ends.length === 0) return false;
  return now.getTime() - Math.max(...ends) < afterMs;
}

/** The case's applicant as a department may still see it after the period: masked. */
export const maskedForDepartment = maskedApplicant;

/** A task's form with the values that are resident ID numbers masked (the rest is the case's substance). */
export function maskedForm<V extends { readonly value: unknown }>(
  form: Readonly<Record<string, V>>,
): Record<string, V> {
  return Object.fromEntries(
    Object.entries(form).map(([k, f]) => [
      k,
      typeof f.value === 'string' && isValidIdNumber(f.value) ? { ...f, value: maskIdentifier(f.value) } : f,
    ]),
  );
}
