/**
 * The flow's decisions, as pure functions over the stored case and its tasks. The state machine
 * only routes; what "accepted", "ready", "merged" or "who re-reviews" means is decided here and
 * tested here.
 */

import * as z from 'zod/mini';
import type { CaseRecord, CorrectionItem, TaskRecord } from '../case/model.ts';
import type { Bundle, Service } from '../catalog/schema.ts';
import { latestDeadline } from '../catalog/time-limit.ts';
import type { PlaceIndex } from '../places/places.ts';
import {
  dependantsOf,
  depths,
  JOINT_INSPECTION,
  jointInspection,
  type NodeState,
  nodeState,
  prerequisites,
} from './stages.ts';

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

/** A ReviewPlan as it travels through the state machine (a stage's wait, its escalation). */
export const ReviewPlanSchema = z.object({
  caseId: z.string(),
  kind: z.enum(['review', 'inspection']),
  departmentId: z.string(),
  services: z.array(z.string()),
  round: z.number().check(z.int(), z.nonnegative()),
  stage: z.number().check(z.int(), z.nonnegative()),
  dueAt: z.string(),
  timeoutSeconds: z.number(),
});

export interface ReviewPlan {
  readonly caseId: string;
  /** A department's review, or the one joint inspection (联合勘验) of the inspected services. */
  readonly kind: 'review' | 'inspection';
  readonly departmentId: string;
  readonly services: readonly string[];
  readonly round: number;
  /** Staged dispatch: the services' depth in the prerequisite graph (0: no prerequisites). */
  readonly stage: number;
  readonly dueAt: string;
  readonly timeoutSeconds: number;
}

/** The chosen services grouped by owning department. */
export function servicesByDepartment(services: readonly Service[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of services) out.set(s.departmentId, [...(out.get(s.departmentId) ?? []), s.id]);
  return out;
}

/** Where the case is decided: as recorded at acceptance, else the competent place for its bundle and form. */
export function decidingPlace(
  record: CaseRecord,
  bundle: Bundle,
  places: PlaceIndex | undefined,
): string | undefined {
  return record.places?.decidedAt ?? places?.decidedAt(bundle, record.form);
}

/** The department that handles `departmentId`'s work at the deciding place (通办: 归属地审批). */
export function competentDepartment(
  record: CaseRecord,
  bundle: Bundle,
  places: PlaceIndex | undefined,
  departmentId: string,
): string {
  const place = decidingPlace(record, bundle, places);
  return places && place ? places.departmentAt(place, departmentId) : departmentId;
}

/**
 * The acceptance as the submission planned it, in the execution's input (`$$.Execution.Input`):
 * the first acceptance opens from it without reading the case.
 */
export interface AcceptanceStart {
  readonly departmentId: string;
  readonly services: readonly string[];
  readonly dueAt: string;
}

/**
 * 通办地受理、归属地审批: who accepts (受理) a case. Accepted at a place's counter, that place's
 * counterpart of the lead department accepts it (the case is then decided at home); applied for
 * online (accepted at the city), or where the accepting place has no counterpart of the lead, the
 * deciding place's lead department accepts it.
 */
export function acceptingDepartment(
  record: CaseRecord,
  bundle: Bundle,
  places: PlaceIndex | undefined,
): string {
  const at = record.places?.acceptedAt;
  if (places && at && at !== places.city.id) {
    const counter = places.departmentAt(at, bundle.leadDepartmentId);
    if (counter !== bundle.leadDepartmentId) return counter;
  }
  return competentDepartment(record, bundle, places, bundle.leadDepartmentId);
}

export type Rejection = { serviceId: string; departmentId: string; opinion: string };

export type StagePlan =
  | { readonly next: 'review'; readonly reviews: ReviewPlan[] }
  | {
      readonly next: 'correct';
      readonly corrections: (CorrectionItem & { departmentId: string })[];
      readonly askedBy: string[];
    }
  | { readonly next: 'merge'; readonly approved: string[]; readonly rejected: Rejection[] };

/**
 * The next step of a staged review, from the stored tasks:
 *  1. re-review (after a supplement): only the tasks that asked for corrections, as they were —
 *     approved stages are not reopened;
 *  2. any correction asked (within MAX_CORRECTION_ROUNDS): ONE consolidated request;
 *  3. whatever became ready — every prerequisite approved, itself not yet decided — opens now, one
 *     task per department and stage (the joint inspection as one task of its organiser);
 *  4. nothing left to open: merge. A refused prerequisite closes its dependants with the reason.
 */
export function planStage(
  record: CaseRecord,
  bundle: Bundle,
  tasks: readonly TaskRecord[],
  round: number,
  now: Date,
  options: { readonly reReview?: boolean; readonly places?: PlaceIndex | undefined } = {},
): StagePlan {
  const graph = prerequisites(bundle, record.services);
  const depth = depths(graph);
  const joint = jointInspection(bundle, record.services);
  const state = new Map([...graph.keys()].map((n) => [n, nodeState(tasks, n)]));
  const canCorrect = record.correctionRound < MAX_CORRECTION_ROUNDS;
  const serviceOf = new Map(bundle.services.map((s) => [s.id, s]));
  const planFor = (
    kind: ReviewPlan['kind'],
    departmentId: string,
    services: readonly string[],
    stage: number,
    taskRound: number,
  ): ReviewPlan => {
    const due = latestDeadline(
      now,
      services.flatMap((id) => serviceOf.get(id)?.timeLimit ?? []),
    );
    return {
      caseId: record.caseId,
      kind,
      departmentId,
      services: [...services],
      round: taskRound,
      stage,
      dueAt: due.toISOString(),
      timeoutSeconds: secondsUntil(due, now),
    };
  };
  const again = (t: TaskRecord, taskRound: number) =>
    planFor(
      t.kind === 'inspection' ? 'inspection' : 'review',
      t.departmentId,
      t.services,
      t.stage ?? 0,
      taskRound,
    );
  const tasksIn = (wanted: NodeState['state']) => {
    const seen = new Map<string, TaskRecord>();
    for (const s of state.values()) if (s.state === wanted && 'task' in s) seen.set(s.task.taskId, s.task);
    return [...seen.values()].sort((a, b) => a.taskId.localeCompare(b.taskId));
  };

  if (options.reReview) return { next: 'review', reviews: tasksIn('correct').map((t) => again(t, round)) };

  const asking = tasksIn('correct');
  if (asking.length && canCorrect) {
    const corrections = asking.flatMap((t) => {
      const d = t.decision!;
      const items = d.corrections.length ? d.corrections : [{ message: d.opinion || '请按部门意见补正' }];
      return items.map((c) => ({ ...c, departmentId: t.departmentId }));
    });
    return { next: 'correct', corrections, askedBy: [...new Set(asking.map((t) => t.departmentId))].sort() };
  }

  // Refused (or out of correction rounds): the node fails, and so does everything waiting for it.
  const failed = new Map<string, { departmentId: string; opinion: string }>();
  for (const [node, s] of state)
    if (s.state === 'reject' || s.state === 'correct') {
      const d = s.task.decision!;
      failed.set(node, {
        departmentId: s.task.departmentId,
        opinion:
          s.state === 'correct' ? `补正次数已达上限 (${MAX_CORRECTION_ROUNDS}): ${d.opinion}` : d.opinion,
      });
    }
  const blocked = new Map<string, { departmentId: string; opinion: string }>();
  for (const [node, why] of failed) {
    const name = node === JOINT_INSPECTION ? '联合勘验' : (serviceOf.get(node)?.name ?? node);
    for (const dep of dependantsOf(graph, node))
      if (!failed.has(dep) && !blocked.has(dep) && state.get(dep)?.state !== 'approve')
        blocked.set(dep, {
          departmentId: why.departmentId,
          opinion: `前置事项「${name}」未获批准，本事项不予办理 (a prerequisite was not approved): ${why.opinion}`,
        });
  }

  const ready = [...graph.keys()].filter((node) => {
    const s = state.get(node)!.state;
    if ((s !== 'unopened' && s !== 'pending') || blocked.has(node)) return false;
    return (graph.get(node) ?? []).every((p) => state.get(p)?.state === 'approve');
  });
  if (ready.length) {
    const reviews: ReviewPlan[] = [];
    const groups = new Map<string, string[]>();
    for (const node of ready) {
      const s = state.get(node)!;
      if (s.state === 'pending') {
        // Already open (a replay, or a retried step): opened again, it refreshes its token.
        if (!reviews.some((r) => r.services.includes(node))) reviews.push(again(s.task, s.task.round));
        continue;
      }
      if (node === JOINT_INSPECTION) {
        const organiser = competentDepartment(record, bundle, options.places, joint!.departments[0]!);
        reviews.push(planFor('inspection', organiser, joint!.services, depth.get(node)!, round));
        continue;
      }
      const dept = competentDepartment(record, bundle, options.places, serviceOf.get(node)!.departmentId);
      const key = `${dept}#${depth.get(node)}`;
      groups.set(key, [...(groups.get(key) ?? []), node]);
    }
    for (const [key, services] of groups) {
      const [dept, stage] = key.split('#') as [string, string];
      reviews.push(planFor('review', dept, services, Number(stage), round));
    }
    return { next: 'review', reviews };
  }

  const approved = record.services.filter((id) => state.get(id)?.state === 'approve');
  const rejected = record.services.flatMap((serviceId) => {
    const why = failed.get(serviceId) ?? blocked.get(serviceId);
    return why ? [{ serviceId, ...why }] : [];
  });
  return { next: 'merge', approved, rejected };
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
  readonly rejected: readonly Rejection[];
  /** The consolidated correction request (一次反馈), when next is 'correct'. */
  readonly corrections: readonly (CorrectionItem & { departmentId: string })[];
  /** Departments that asked for corrections: only they review again. */
  readonly askedBy: readonly string[];
}

/**
 * After a stage: open what became ready, or — nothing left to open — 汇总: each service is approved
 * or not by its latest review, a refused prerequisite having closed its dependants. Corrections
 * from any departments are ONE request (bounded by MAX_CORRECTION_ROUNDS). Deferred (容缺)
 * materials still missing hold the issue back: they are asked for in the same way before anything
 * is issued.
 */
export function mergeReviews(
  record: CaseRecord,
  bundle: Bundle,
  tasks: readonly TaskRecord[],
  now: Date,
  places?: PlaceIndex,
): MergeResult | { next: 'review'; reviews: ReviewPlan[] } {
  const plan = planStage(record, bundle, tasks, record.correctionRound, now, { places });
  if (plan.next === 'review') return plan;
  if (plan.next === 'correct')
    return {
      next: 'correct',
      approved: [],
      rejected: [],
      corrections: plan.corrections,
      askedBy: plan.askedBy,
    };
  const { approved, rejected } = plan;
  if (approved.length === 0) return { next: 'reject', approved, rejected, corrections: [], askedBy: [] };
  const owed = record.materials.filter((m) => m.deferredUntil && !m.materialId);
  if (owed.length && record.correctionRound < MAX_CORRECTION_ROUNDS)
    return {
      next: 'correct',
      approved,
      rejected,
      askedBy: [],
      corrections: owed.map((m) => ({
        departmentId: 'lead',
        materialType: m.type,
        message: `容缺受理的材料 ${m.type} 须在 ${m.deferredUntil!.slice(0, 10)} 前补交，补交后统一出件。`,
      })),
    };
  return { next: 'issue', approved, rejected, corrections: [], askedBy: [] };
}
