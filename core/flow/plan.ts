/**
 * The flow's decisions, as pure functions over the stored case and its tasks. The state machine
 * only routes; what "accepted", "merged" or "who re-reviews" means is decided here and tested here.
 */

import type { CaseRecord, CorrectionItem, TaskRecord } from '../case/model.ts';
import type { Bundle, Service } from '../catalog/schema.ts';
import { latestDeadline } from '../catalog/time-limit.ts';

/** At most this many consolidated correction rounds; after that a correction counts as a rejection. */
export const MAX_CORRECTION_ROUNDS = 3;
/** Working days the lead department has to accept (受理). */
export const ACCEPTANCE_DAYS = 1;
/** Working days the applicant has to answer a correction request (补正). */
export const SUPPLEMENT_DAYS = 5;
/** Working days of grace after an escalation before the next one. */
export const ESCALATION_DAYS = 2;

/** Seconds from `now` until `due`, at least 1 (a callback timeout must be positive). */
export function secondsUntil(due: Date, now: Date): number {
  return Math.max(1, Math.ceil((due.getTime() - now.getTime()) / 1000));
}

export interface ReviewPlan {
  readonly caseId: string;
  readonly departmentId: string;
  readonly services: readonly string[];
  readonly round: number;
  readonly dueAt: string;
  readonly timeoutSeconds: number;
}

/** The chosen services grouped by owning department (一次分办: one review task per department). */
export function servicesByDepartment(services: readonly Service[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of services) out.set(s.departmentId, [...(out.get(s.departmentId) ?? []), s.id]);
  return out;
}

/**
 * Who reviews in `round`: everyone involved in round 0; afterwards only the departments that asked
 * for the corrections the applicant has just supplied.
 */
export function planReviews(record: CaseRecord, bundle: Bundle, round: number, now: Date): ReviewPlan[] {
  const chosen = bundle.services.filter((s) => record.services.includes(s.id));
  const groups = servicesByDepartment(chosen);
  const only = round === 0 ? undefined : new Set(record.correction?.departments ?? []);
  return [...groups.entries()]
    .filter(([dept]) => !only || only.has(dept))
    .map(([departmentId, services]) => {
      const due = latestDeadline(
        now,
        chosen.filter((s) => services.includes(s.id)).map((s) => s.timeLimit),
      );
      return {
        caseId: record.caseId,
        departmentId,
        services,
        round,
        dueAt: due.toISOString(),
        timeoutSeconds: secondsUntil(due, now),
      };
    });
}

export type AcceptanceNext = 'dispatch' | 'correct' | 'refused';

/** The lead department's acceptance decision → what happens to the case. */
export function acceptanceOutcome(task: TaskRecord): AcceptanceNext {
  const outcome = task.decision?.outcome;
  if (outcome === 'approve') return 'dispatch';
  if (outcome === 'correct') return 'correct';
  return 'refused';
}

export interface MergeResult {
  readonly next: 'issue' | 'correct' | 'reject';
  readonly approved: readonly string[];
  readonly rejected: readonly { serviceId: string; departmentId: string; opinion: string }[];
  /** The consolidated correction request (一次反馈), when next is 'correct'. */
  readonly corrections: readonly (CorrectionItem & { departmentId: string })[];
  /** Departments that asked for corrections: only they review again. */
  readonly askedBy: readonly string[];
}

/**
 * 汇总: each department's latest review decides its services. Corrections from any departments
 * become ONE request (bounded by MAX_CORRECTION_ROUNDS). Deferred (容缺) materials still missing
 * hold the issue back: they are asked for in the same way before anything is issued.
 */
export function mergeReviews(record: CaseRecord, tasks: readonly TaskRecord[], now: Date): MergeResult {
  const latest = new Map<string, TaskRecord>();
  for (const t of tasks)
    if (t.kind === 'review' && t.decision && (latest.get(t.departmentId)?.round ?? -1) < t.round)
      latest.set(t.departmentId, t);

  const approved: string[] = [];
  const rejected: { serviceId: string; departmentId: string; opinion: string }[] = [];
  const corrections: (CorrectionItem & { departmentId: string })[] = [];
  const askedBy: string[] = [];
  const canCorrect = record.correctionRound < MAX_CORRECTION_ROUNDS;
  for (const t of [...latest.values()].sort((a, b) => a.departmentId.localeCompare(b.departmentId))) {
    const d = t.decision!;
    if (d.outcome === 'approve') approved.push(...t.services);
    else if (d.outcome === 'correct' && canCorrect) {
      askedBy.push(t.departmentId);
      const items = d.corrections.length ? d.corrections : [{ message: d.opinion || '请按部门意见补正' }];
      corrections.push(...items.map((c) => ({ ...c, departmentId: t.departmentId })));
    } else {
      const opinion =
        d.outcome === 'correct' ? `补正次数已达上限 (${MAX_CORRECTION_ROUNDS}): ${d.opinion}` : d.opinion;
      rejected.push(...t.services.map((serviceId) => ({ serviceId, departmentId: t.departmentId, opinion })));
    }
  }
  const order = record.services;
  approved.sort((a, b) => order.indexOf(a) - order.indexOf(b));

  if (corrections.length) return { next: 'correct', approved, rejected, corrections, askedBy };
  if (approved.length === 0) return { next: 'reject', approved, rejected, corrections, askedBy };
  const owed = record.materials.filter((m) => m.deferredUntil && !m.materialId);
  if (owed.length && canCorrect)
    return {
      next: 'correct',
      approved,
      rejected,
      askedBy,
      corrections: owed.map((m) => ({
        departmentId: 'lead',
        materialType: m.type,
        message: `容缺受理的材料 ${m.type} 须在 ${m.deferredUntil!.slice(0, 10)} 前补交，补交后统一出件。`,
      })),
    };
  void now;
  return { next: 'issue', approved, rejected, corrections, askedBy };
}
