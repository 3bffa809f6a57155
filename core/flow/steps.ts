/**
 * The flow's task steps as use cases over the ports. Each is idempotent: Step Functions retries
 * a failed task, so running a step twice must leave the same state as running it once.
 */

import {
  allows,
  correctionStageOf,
  isFinal,
  leadsTo,
  type Transition,
  transition,
} from '../case/lifecycle.ts';
import { type CaseRecord, type TaskRecord, type TimelineEntry, taskIdFor } from '../case/model.ts';
import {
  type AuditRecord,
  type CaseRepository,
  type DecisionWrite,
  MAX_LICENSES_PER_TRANSITION,
  type TaskRepository,
  type TransitionEffects,
  type Workflow,
} from '../case/ports.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import type { Bundle } from '../catalog/schema.ts';
import type { IssuedLicense } from '../licenses/ports.ts';
import type { PlaceIndex } from '../places/places.ts';
import { DomainError } from '../shared/errors.ts';
import { addWorkingDays } from '../time/working-days.ts';
import {
  ACCEPTANCE_DAYS,
  type AcceptanceStart,
  acceptanceOutcome,
  acceptingDepartment,
  decidingPlace,
  ESCALATION_DAYS,
  type MergeResult,
  mergeReviews,
  planStage,
  type ReviewPlan,
  SUPPLEMENT_DAYS,
  secondsUntil,
} from './plan.ts';
import { producedData, stageDecided } from './stages.ts';

/** Named so ASL can Catch it: the case the execution runs for does not exist. */
export class CaseNotFoundError extends DomainError {
  readonly code = 'case_not_found';
}

export interface FlowDeps {
  readonly cases: CaseRepository;
  readonly tasks: TaskRepository;
  readonly workflow: Workflow;
  readonly catalog: CatalogIndex;
  /** 通办: the city's places; absent, everything is decided by the catalog's (city) departments. */
  readonly places?: PlaceIndex;
  /** The case (undefined when there is none) and its tasks in one read; without it, two reads. */
  readonly caseWithTasks?: (
    caseId: string,
  ) => Promise<{ record: CaseRecord | undefined; tasks: TaskRecord[] }>;
  now(): Date;
  /** Something went wrong that the state machine will mend (a step it takes over): for the logs. */
  warn?(message: string, detail: Record<string, unknown>): void;
  /**
   * 一窗出件 at once: the merge that leaves the licenses to issue, written by the issue's own write
   * with the decision that completed the stage — the licenses issued and the case ended `issued`
   * now (core/flow/issue-and-deliver.ts issueWithDecision: the stage's last decision; its wait is
   * answered `next: "issued"`). False when it did not (nothing written): the merge is
   * written on its own and the state machine issues. Absent: the state machine issues.
   */
  readonly issueNow?: (record: CaseRecord, merge: MergeWrite, decision: HeldDecision) => Promise<boolean>;
}

/**
 * The merge (汇总) as an issue's write records it before its own: the approved services, the
 * changes (the fresh results, the outcome) and the steps' timeline entries and audits.
 */
export interface MergeWrite {
  readonly approved: readonly string[];
  readonly changes: Partial<CaseRecord>;
  readonly steps: readonly { readonly timeline: TimelineEntry; readonly audit: AuditRecord }[];
}

/**
 * The case and its tasks as read together. A step handed one (read consistently just before, by
 * the caller that completes the wait: decide-task) plans from it instead of reading again.
 */
export type CaseWithTasks = { record: CaseRecord; tasks: TaskRecord[] };

/** The case and its tasks: one read where the adapters offer it, else two. */
async function loadWithTasks(deps: FlowDeps, caseId: string): Promise<CaseWithTasks> {
  if (deps.caseWithTasks) {
    const { record, tasks } = await deps.caseWithTasks(caseId);
    if (!record) throw new CaseNotFoundError(`case ${caseId} does not exist`);
    return { record, tasks };
  }
  return { record: await load(deps, caseId), tasks: await deps.tasks.listForCase(caseId) };
}

async function load(deps: FlowDeps, caseId: string): Promise<CaseRecord> {
  const record = await deps.cases.get(caseId);
  if (!record) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return record;
}

/** The case ended (issued, rejected or withdrawn) while the flow still had steps to run. */
export class CaseClosedError extends DomainError {
  readonly code = 'case_closed';
}

/**
 * One write of a step, as `move` makes it: the case from the status the step expects to its own,
 * with `changes`, the step's timeline entry and audit, and `effects` — counted (when it ends the
 * case) from the record the step read, not read again. False when refused.
 */
function writeStep(
  deps: FlowDeps,
  record: CaseRecord,
  step: Transition,
  changes: Partial<CaseRecord>,
  event: string,
  detail: Record<string, unknown>,
  at: string,
  effects: Omit<TransitionEffects, 'readAs'> = {},
): Promise<boolean> {
  return deps.cases.transition(
    record.caseId,
    [step.from],
    { ...changes, status: step.to },
    { at, event, detail },
    { actor: 'flow', action: event, detail },
    { readAs: record, ...effects },
  );
}

/**
 * Transition unless this step already happened. Steps run again when Step Functions retries them
 * and when an execution is replayed from the start (the local runtime's --persist resume): a case
 * already past this step is left as it is. A case that has ended stops the flow (named error).
 */
async function move(
  deps: FlowDeps,
  record: CaseRecord,
  step: Transition,
  changes: Partial<CaseRecord>,
  event: string,
  detail: Record<string, unknown> = {},
  /** The next stage's tasks, opened by the same write if it can be (`opened` says whether). */
  opening?: readonly OpeningEntry[],
  /** The decision this step completes, written by the same write (`recorded` set once it is). */
  decision?: HeldDecision,
): Promise<{ opened: boolean }> {
  // From the status this step expects (not the record's: a replayed step finds the case moved on).
  const from = [step.from];
  const to = step.to;
  const at = deps.now().toISOString();
  const attempt = async (openTasks?: readonly OpeningEntry[]) => {
    const decide = decision && !decision.recorded ? decision.write : undefined;
    const written = await writeStep(deps, record, step, changes, event, detail, at, {
      ...(openTasks ? { openTasks } : {}),
      ...(decide ? { decide } : {}),
    });
    if (written && decide && decision) decision.recorded = true;
    return written;
  };
  // With the tasks first; refused (one of them exists already, or the case is not as read): as
  // without them — the stage is then opened as it always was (openStage, idempotent).
  if (opening?.length && (await attempt(opening))) return { opened: true };
  if (await attempt()) return { opened: false };
  const current = await load(deps, record.caseId);
  if (current.status === to) return { opened: false };
  if (from.includes(current.status)) {
    // Lost a race with another write to the case: try once more.
    if (await attempt()) return { opened: false };
    throw new Error(`case ${record.caseId}: could not record "${event}" after a concurrent change`);
  }
  if (isFinal(current.status))
    throw new CaseClosedError(`case ${record.caseId} is ${current.status}; "${event}" does not apply`);
  // Otherwise the case has already moved past this step: nothing to do.
  return { opened: false };
}

export interface OpenTaskInput {
  readonly caseId: string;
  readonly kind: 'acceptance' | 'review' | 'supplement' | 'inspection';
  readonly round: number;
  readonly taskToken: string;
  /** The wait carries on through the stages (`answerWait`): set by the state machine's definition. */
  readonly carryOn?: boolean | undefined;
  readonly stage?: number | undefined;
  readonly departmentId?: string | undefined;
  readonly services?: readonly string[] | undefined;
  readonly dueAt?: string | undefined;
  /** The execution's input (`$$.Execution.Input`): the first acceptance as the submission planned it. */
  readonly start?: { readonly acceptance?: AcceptanceStart | undefined } | undefined;
}

/** The task a stage plan describes (a review or the joint inspection), pending, and its opening timeline entry. */
function plannedTask(
  r: Pick<ReviewPlan, 'caseId' | 'kind' | 'departmentId' | 'services' | 'round' | 'stage' | 'dueAt'>,
  now: Date,
  extra: {
    taskToken?: string;
    early?: true;
    stageSize?: number;
    wave?: string;
    carryOn?: boolean | undefined;
  } = {},
): { task: TaskRecord; opened: { at: string; event: string; detail: Record<string, unknown> } } {
  const stage = r.stage;
  const taskId = taskIdFor(r.caseId, r.round, r.kind, r.departmentId, stage);
  return {
    task: {
      taskId,
      caseId: r.caseId,
      kind: r.kind,
      departmentId: r.departmentId,
      services: [...r.services],
      round: r.round,
      ...(stage > 0 ? { stage } : {}),
      status: 'pending',
      createdAt: now.toISOString(),
      dueAt: r.dueAt,
      overdue: false,
      escalations: 0,
      ...(extra.taskToken ? { taskToken: extra.taskToken } : {}),
      ...(extra.stageSize ? { stageSize: extra.stageSize } : {}),
      ...(extra.wave ? { wave: extra.wave } : {}),
      ...(extra.carryOn ? { carryOn: true as const } : {}),
    },
    opened: {
      at: now.toISOString(),
      event: `${r.kind}_task_opened`,
      detail: {
        taskId,
        departmentId: r.departmentId,
        services: [...r.services],
        dueAt: r.dueAt,
        ...(stage > 0 ? { stage } : {}),
        ...(extra.early ? { early: true } : {}),
      },
    },
  };
}

/**
 * One stage's wait (一次分办, 并联审批): every review of the stage is a task of its own, and the state
 * machine waits on ONE callback for all of them — the last decision of the stage completes it
 * (core/flow/decide-task.ts). `stageTimeoutSeconds`: until the earliest deadline among them; at
 * that point the overdue ones are escalated (`escalateStage`) and the wait goes on.
 */
export interface StageWait {
  reviews: ReviewPlan[];
  stageTimeoutSeconds: number;
  /**
   * Its tasks are open already, under the token of the wait the step was handed (`carriedOpening`):
   * opened by the step's own write, so a wait that carries on has nothing left to open.
   */
  opened?: true;
}

/** A wait as a step that answers it sees it: its token, and whether it carries on through the stages. */
export interface HeldWait {
  readonly token: string;
  readonly carryOn?: boolean | undefined;
}

/**
 * A department's decision handed to the step it completes, to be written by that step's own write
 * (core/flow/decide-task.ts: the acceptance, a stage's last review or inspection). `recorded`
 * becomes true once a write carrying it commits; a step that writes nothing (or whose write is
 * refused) leaves it false, and the decision is then written on its own.
 */
export interface HeldDecision {
  readonly write: DecisionWrite;
  recorded: boolean;
}

/** A task to open and its opening timeline entry. */
export type OpeningEntry = { readonly task: TaskRecord; readonly timeline: TimelineEntry };

/** The tasks of one opening, all holding the wait's token, one wave (what `stageDecided` counts in). */
function openingEntries(reviews: readonly ReviewPlan[], now: Date, wait: HeldWait): OpeningEntry[] {
  const wave = waveOf(reviews);
  return reviews.map((r) => {
    const { task, opened } = plannedTask(r, now, {
      taskToken: wait.token,
      stageSize: reviews.length,
      wave,
      carryOn: wait.carryOn,
    });
    return { task, timeline: opened };
  });
}

/** More tasks than one transaction holds with the step's own items (100 items, 3 per task). */
const MAX_TASKS_OPENED_WITH_A_STEP = 30;

/**
 * The next stage's tasks for the step's own write to open — one write for the step and the
 * opening, where there were two — when the wait it answers carries on (it would open them under
 * its token next: `answerWait`). Otherwise none: the state machine opens the stage.
 */
function carriedOpening(
  wait: HeldWait | undefined,
  reviews: readonly ReviewPlan[],
  now: Date,
): OpeningEntry[] | undefined {
  if (!wait?.carryOn || reviews.length === 0 || reviews.length > MAX_TASKS_OPENED_WITH_A_STEP)
    return undefined;
  return openingEntries(reviews, now, wait);
}

function stageWait(reviews: readonly ReviewPlan[], now: Date): StageWait {
  const earliest = Math.min(...reviews.map((r) => Date.parse(r.dueAt)));
  return {
    reviews: [...reviews],
    stageTimeoutSeconds: Number.isFinite(earliest) ? secondsUntil(new Date(earliest), now) : 60,
  };
}

/**
 * Opens the tasks of one stage, all holding the stage's token (a task opened early, on a
 * prerequisite's approval, gets it now; one re-opened after an escalation gets the fresh one). If
 * every one of them is decided already, the stage completes at once.
 */
export async function openStage(
  deps: FlowDeps,
  input: {
    caseId: string;
    round: number;
    reviews: readonly ReviewPlan[];
    taskToken: string;
    carryOn?: boolean | undefined;
  },
  /** How many stages the wait has carried on through already (`answerWait`). */
  carried = 0,
): Promise<{ taskIds: string[]; decided: boolean }> {
  const now = deps.now();
  // One opening, one wave: what its tasks share (stageDecided counts `stageSize` within it). The
  // same reviews make the same wave, so a retried or re-opened stage is the same wave again.
  const wait = { token: input.taskToken, carryOn: input.carryOn };
  const entries = openingEntries(input.reviews, now, wait);
  const stored: TaskRecord[] = [];
  if (deps.tasks.openAll && entries.length > 1) stored.push(...(await deps.tasks.openAll(entries)));
  else for (const e of entries) stored.push(await deps.tasks.open(e.task, e.timeline));
  // Tasks created here are pending, and a decision on one comes after it: the last decision
  // completes the stage. A task that existed (opened early) may be decided while the others get the
  // token: its decision, reading before they hold it, cannot complete the stage, and what this
  // step got back for it may predate the decision — so read them all once more, after every token
  // is written: of the last decision and this read, one sees the other.
  const reused = stored.some((t) => t.createdAt !== now.toISOString());
  const decided = reused
    ? stageDecided(await deps.tasks.listForCase(input.caseId), input.taskToken)
    : stored.every((t) => t.decision !== undefined || t.status !== 'pending');
  if (decided)
    await answerWait(
      deps,
      wait,
      await completeStage(deps, input.caseId, input.round, undefined, undefined, wait),
      carried,
      (err) =>
        deps.warn?.('next stage not opened with the last one; the state machine opens it', {
          caseId: input.caseId,
          err,
        }),
    );
  return { taskIds: stored.map((t) => t.taskId), decided };
}

/** The wave of an opening: its tasks' ids, sorted, in 8 hexadecimal digits (FNV-1a). */
function waveOf(reviews: readonly ReviewPlan[]): string {
  const ids = reviews.map((r) => taskIdFor(r.caseId, r.round, r.kind, r.departmentId, r.stage)).sort();
  let h = 0x811c9dc5;
  for (const ch of ids.join('|')) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** More stages than any plan has: past this, a wait leaves the next stage to the state machine. */
const MAX_CARRIED_STAGES = 20;

/** A wait's answer: the step taken when its tasks were decided. */
export type WaitStep = { readonly next: string } | { readonly outcome: string };

const opensStage = (
  step: WaitStep,
): step is { caseId: string; round: number; next: 'dispatch' | 'review' } & StageWait =>
  'next' in step && (step.next === 'dispatch' || step.next === 'review');

/**
 * 一次等待 — one wait through the whole review: how a wait is answered once what it holds is
 * decided (by the last decision, or an opening that found everything decided). A wait the state
 * machine opened with `carryOn` (its definition takes any step from it) carries on: a next stage
 * — the acceptance's dispatch, or a stage after a stage — opens here, under the same token, and
 * only the outcome (issue, correct, reject, refused) or a step left to the state machine (plan,
 * record) is sent: 企业开办 runs its acceptance and both stages in one wait, four transitions less.
 * Any other wait (an execution started on an older definition) gets the step, as before.
 *
 * The wait's timeout was set for what it held first. When it fires while a later stage holds the
 * token, the escalation looks at what is pending now (`escalateStage`, `escalateTask`) and the
 * wait is entered again for it: at worst the transitions the stage would have cost anyway.
 * Opening the stage here fails → the step is sent after all, and the state machine opens it
 * (Review Stage; `openStage` is idempotent).
 */
export async function answerWait(
  deps: FlowDeps,
  wait: HeldWait,
  step: WaitStep,
  carried = 0,
  onCarryFailed: (err: unknown) => void = () => {},
): Promise<void> {
  // Opened with the step that planned it, under this token: the wait goes on as it is.
  if (wait.carryOn && opensStage(step) && step.opened) return;
  if (wait.carryOn && opensStage(step) && carried < MAX_CARRIED_STAGES) {
    try {
      await openStage(
        deps,
        {
          caseId: step.caseId,
          round: step.round,
          reviews: step.reviews,
          taskToken: wait.token,
          carryOn: true,
        },
        carried + 1,
      );
      return;
    } catch (err) {
      // Whatever it was (the table, the case ended meanwhile): the state machine takes it from here.
      onCarryFailed(err);
    }
  }
  await deps.workflow.succeed(wait.token, step);
}

/** What a stage's wait answers when the stage could not be planned with it: the state machine plans it (Plan Next Stage). */
export interface PlanLater {
  readonly caseId: string;
  readonly round: number;
  readonly next: 'plan';
  readonly outcome: 'decided';
}

/**
 * The answer to a stage's wait once every task of the stage is decided, computed by whoever saw it
 * complete (the last decision, or the opening that found them all decided): the next step itself
 * — mergeDecisions, what Plan Next Stage would run — so the decision travels once and the state
 * machine goes straight to the next stage (two transitions less per stage). Planning is a flow
 * step like any other, idempotent: should this answer not reach the execution (a token that
 * expired), Plan Next Stage runs it again later to the same effect. If planning fails, the answer
 * says so (`next: "plan"`) and the state machine plans the stage itself, with its retries.
 * Executions started on a definition that ignores the wait's answer plan the stage again: harmless.
 */
export async function completeStage(
  deps: FlowDeps,
  caseId: string,
  round: number,
  onPlanningFailed: (err: unknown) => void = () => {},
  read?: CaseWithTasks,
  /** The wait answered with this step: one that carries on gets the next stage opened by the step's write. */
  wait?: HeldWait,
  /** The decision that completed the stage, to write with the step (HeldDecision). */
  decision?: HeldDecision,
): Promise<MergeStep | PlanLater> {
  return stepOrLater(
    () => mergeDecisions(deps, caseId, round, read, wait, decision),
    onPlanningFailed,
    planLater(caseId, round),
  );
}

/** The stage's answer that leaves the planning to Plan Next Stage. */
export const planLater = (caseId: string, round: number): PlanLater => ({
  caseId,
  round,
  next: 'plan',
  outcome: 'decided',
});

/** A wait's answer: the step taken now, or — it failed — the answer that leaves it to the state machine. */
async function stepOrLater<T, L>(step: () => Promise<T>, onFailed: (err: unknown) => void, later: L) {
  try {
    return await step();
  } catch (err) {
    onFailed(err);
    return later;
  }
}

/** Opens a review or inspection the stage plan described in full; completes at once with a decision given meanwhile. */
async function openPlannedTask(
  deps: FlowDeps,
  input: OpenTaskInput & {
    kind: 'review' | 'inspection';
    departmentId: string;
    services: readonly string[];
    dueAt: string;
  },
): Promise<{ taskId: string }> {
  const { task, opened } = plannedTask({ ...input, stage: input.stage ?? 0 }, deps.now(), {
    taskToken: input.taskToken,
  });
  const stored = await deps.tasks.open(task, opened);
  if (stored.decision) await deps.workflow.succeed(input.taskToken, { outcome: stored.decision.outcome });
  return { taskId: task.taskId };
}

/**
 * Opens a callback task: creates it with the token, or — when re-opened after a timeout — stores
 * the fresh token. A task already decided (its answer came while the old token was expiring) is
 * completed at once with the recorded decision, so no decision is ever lost.
 */
export async function openTask(deps: FlowDeps, input: OpenTaskInput): Promise<{ taskId: string }> {
  // One review or inspection with its own token: what executions started before the stage wait
  // (`openStage`) still ask for after a deploy. It comes with everything it needs from the stage
  // plan (department, services, deadline): the case is not read; its transaction checks the case
  // is still open.
  if (
    (input.kind === 'review' || input.kind === 'inspection') &&
    input.departmentId &&
    input.services &&
    input.dueAt
  )
    return openPlannedTask(deps, {
      ...input,
      kind: input.kind,
      departmentId: input.departmentId,
      services: input.services,
      dueAt: input.dueAt,
    });
  const now = deps.now();
  // The first acceptance opens as the submission planned it (the execution's input): no read.
  const planned = input.kind === 'acceptance' && input.round === 0 ? input.start?.acceptance : undefined;
  const opening = planned ?? (await fromCase(deps, input, now));
  // A supplement answered before its wait began: the flow was resumed, nothing opens.
  if (!opening) return { taskId: taskIdFor(input.caseId, input.round, 'supplement', 'applicant') };
  const { departmentId, dueAt, services } = opening;
  const stage = input.stage ?? 0;
  const caseId = input.caseId;
  const taskId = taskIdFor(caseId, input.round, input.kind, departmentId, stage);
  const task: TaskRecord = {
    taskId,
    caseId,
    kind: input.kind,
    departmentId,
    services: [...services],
    round: input.round,
    ...(stage > 0 ? { stage } : {}),
    status: 'pending',
    createdAt: now.toISOString(),
    dueAt,
    overdue: false,
    escalations: 0,
    taskToken: input.taskToken,
    ...(input.carryOn && input.kind === 'acceptance' ? { carryOn: true as const } : {}),
  };
  const stored = await deps.tasks.open(task, {
    at: now.toISOString(),
    event: `${input.kind}_task_opened`,
    detail: { taskId, departmentId, services: task.services, dueAt, ...(stage > 0 ? { stage } : {}) },
  });
  if (stored.decision) {
    const wait = { token: input.taskToken, carryOn: task.carryOn };
    await answerWait(
      deps,
      wait,
      input.kind === 'acceptance'
        ? await completeAcceptance(
            deps,
            caseId,
            input.round,
            stored.decision.outcome,
            undefined,
            undefined,
            wait,
          )
        : { outcome: stored.decision.outcome },
      0,
      (err) =>
        deps.warn?.('first stage not opened with the acceptance; the state machine opens it', {
          caseId,
          err,
        }),
    );
    return { taskId };
  }
  // The applicant may have supplemented between the read above and this write, having found no
  // task to settle: look again, and resume now rather than wait for an answer already given.
  if (input.kind === 'supplement') {
    const after = await load(deps, input.caseId);
    if (!allows(after.status, 'supplement') || after.correctionRound !== input.round) {
      await closeAnsweredSupplement(deps, stored);
      await deps.workflow.succeed(input.taskToken, { outcome: 'supplemented' });
    }
  }
  return { taskId };
}

/**
 * What a task opened from the case needs: its department, due date and services. A supplement the
 * applicant answered before this wait began resumes the flow at once: undefined, nothing to open.
 */
async function fromCase(
  deps: FlowDeps,
  input: OpenTaskInput,
  now: Date,
): Promise<AcceptanceStart | undefined> {
  const record = await load(deps, input.caseId);
  const bundle = deps.catalog.bundle(record.bundleId);
  if (
    input.kind === 'supplement' &&
    (!allows(record.status, 'supplement') || record.correctionRound !== input.round)
  ) {
    // The applicant answered before this wait began: resume at once. An earlier attempt of this
    // step may have opened the wait and failed before closing it (the answer came in between):
    // close it now, or it would stay pending on a case that moves on without it.
    const taskId = taskIdFor(record.caseId, input.round, 'supplement', 'applicant');
    const left = await deps.tasks.get(taskId);
    if (left?.status === 'pending') await closeAnsweredSupplement(deps, left);
    await deps.workflow.succeed(input.taskToken, { outcome: 'supplemented' });
    return undefined;
  }
  const departmentId =
    input.kind === 'acceptance'
      ? acceptingDepartment(record, bundle, deps.places)
      : input.kind === 'supplement'
        ? 'applicant'
        : input.departmentId!;
  const dueAt =
    input.dueAt ??
    (input.kind === 'acceptance'
      ? addWorkingDays(now, ACCEPTANCE_DAYS).toISOString()
      : (record.correction?.dueAt ?? addWorkingDays(now, SUPPLEMENT_DAYS).toISOString()));
  return {
    departmentId,
    dueAt,
    services: input.kind === 'supplement' ? [] : (input.services ?? record.services),
  };
}

/** The applicant's supplement wait, answered without it: closed as approved by the applicant. */
async function closeAnsweredSupplement(deps: FlowDeps, task: TaskRecord): Promise<void> {
  const at = deps.now().toISOString();
  await deps.tasks.decide(
    task,
    { outcome: 'approve', opinion: '', corrections: [], decidedAt: at, decidedBy: 'applicant' },
    'approved',
    { at, event: 'supplement_task_closed', detail: { taskId: task.taskId } },
    { actor: 'flow', action: 'supplement', detail: { taskId: task.taskId } },
  );
}

/**
 * 前置部门办结即推送: the moment a review is approved, whatever it was the last missing prerequisite
 * of opens — without waiting for the rest of its stage — carrying the results just produced (the
 * new enterprise's credit code…). Such a task has no callback token yet: the state machine's next
 * stage finds it open (planStage plans it again with its own round and stage), stores its token,
 * or completes at once if the department has decided meanwhile. Nothing opens early while a
 * correction is being asked (the consolidated request comes first) or once the case left review.
 * Best effort by design: if this fails, the next stage opens the same tasks.
 */
export async function openReadyDependants(deps: FlowDeps, caseId: string): Promise<{ opened: string[] }> {
  const read = await loadWithTasks(deps, caseId);
  let record = read.record;
  const tasks = read.tasks;
  if (record.status !== 'in_review' || record.correction) return { opened: [] };
  const bundle = deps.catalog.bundle(record.bundleId);
  const now = deps.now();
  // Nothing of this stage is still pending: the state machine plans the next stage right now and
  // opens what is ready — opening it here too would only race it (twice the writes, the tokens
  // stored afterwards). Early opening is for the uneven branches: a dependant ready while others
  // of its stage are still being reviewed.
  if (!tasks.some((t) => t.status === 'pending' && t.kind !== 'supplement')) return { opened: [] };
  const plan = planStage(record, bundle, tasks, record.correctionRound, now, { places: deps.places });
  if (plan.next !== 'review') return { opened: [] };
  const open = new Set(tasks.filter((t) => t.status !== 'closed').map((t) => t.taskId));
  const fresh = plan.reviews.filter(
    (r) => !open.has(taskIdFor(caseId, r.round, r.kind, r.departmentId, r.stage)),
  );
  if (fresh.length === 0) return { opened: [] };
  record = await recordResults(deps, record, bundle, tasks, now);
  const opened: string[] = [];
  for (const r of fresh) {
    const planned = plannedTask(r, now, { early: true });
    await deps.tasks.open(planned.task, planned.opened);
    opened.push(planned.task.taskId);
  }
  return { opened };
}

export type AcceptanceStep =
  | ({ caseId: string; round: number; next: 'dispatch' } & StageWait)
  | { caseId: string; round: number; next: 'correct'; timeoutSeconds: number }
  | { caseId: string; round: number; next: 'refused' };

/** What the acceptance's wait answers when the acceptance could not be recorded with its decision: Record Acceptance records it. */
export interface RecordLater {
  readonly caseId: string;
  readonly round: number;
  readonly next: 'record';
  readonly outcome: string;
}

/**
 * The answer to the acceptance's wait once the lead department has decided, computed by whoever
 * delivers the decision (the decision itself, or the re-opened wait that finds it): the step
 * Record Acceptance would take — recordAcceptance, idempotent — so the decision travels once and
 * the flow goes straight to the first stage. If recording fails, the answer says so
 * (`next: "record"`) and the state machine records it, with its retries. Executions started on a
 * definition that ignores the wait's answer record it again: harmless.
 */
export async function completeAcceptance(
  deps: FlowDeps,
  caseId: string,
  round: number,
  outcome: string,
  onRecordingFailed: (err: unknown) => void = () => {},
  read?: CaseWithTasks,
  /** The acceptance's wait: one that carries on gets the first stage opened with the acceptance. */
  wait?: HeldWait,
  /** The acceptance's decision, to write with the acceptance (HeldDecision). */
  decision?: HeldDecision,
): Promise<AcceptanceStep | RecordLater> {
  return stepOrLater(
    () => recordAcceptance(deps, caseId, round, read, wait, decision),
    onRecordingFailed,
    recordLater(caseId, round, outcome),
  );
}

/** The acceptance's answer that leaves the recording to Record Acceptance. */
export const recordLater = (caseId: string, round: number, outcome: string): RecordLater => ({
  caseId,
  round,
  next: 'record',
  outcome,
});

/** After the lead department's decision: accept → dispatch plan; correct → one request; refuse → end. */
export async function recordAcceptance(
  deps: FlowDeps,
  caseId: string,
  round: number,
  read?: CaseWithTasks,
  wait?: HeldWait,
  decision?: HeldDecision,
): Promise<AcceptanceStep> {
  const { record, tasks } = read ?? (await loadWithTasks(deps, caseId));
  const bundle = deps.catalog.bundle(record.bundleId);
  const acceptanceId = taskIdFor(caseId, round, 'acceptance', bundle.leadDepartmentId);
  const task = tasks.find((t) => t.taskId === acceptanceId);
  if (!task?.decision) throw new Error(`acceptance task of ${caseId} round ${round} has no decision`);
  const now = deps.now();
  const next = acceptanceOutcome(task);
  if (next === 'dispatch') {
    const places = placesOf(deps, record, bundle);
    // 一次分办: the first stage — every service without prerequisites — opens at once (with the
    // acceptance itself, when the wait carries on).
    const plan = planStage(record, bundle, [task], 0, now, { places: deps.places });
    const reviews = plan.next === 'review' ? plan.reviews : [];
    const { opened } = await move(
      deps,
      record,
      transition('submitted', 'accept'),
      places ? { places } : {},
      'accepted',
      { departmentId: task.departmentId, ...(places ?? {}) },
      carriedOpening(wait, reviews, now),
      decision,
    );
    return { caseId, round, next, ...stageWait(reviews, now), ...(opened ? { opened: true as const } : {}) };
  }
  if (next === 'correct' && record.correctionRound > round) {
    // Replayed: this correction was requested (and perhaps answered) already.
    return { caseId, round: round + 1, next, timeoutSeconds: replayTimeout(record, now) };
  }
  if (next === 'correct') {
    const due = addWorkingDays(now, SUPPLEMENT_DAYS);
    const correction = {
      round: record.correctionRound + 1,
      requestedAt: now.toISOString(),
      dueAt: due.toISOString(),
      stage: correctionStageOf('submitted')!,
      departments: [task.departmentId],
      items: (task.decision.corrections.length
        ? task.decision.corrections
        : [{ message: task.decision.opinion || '请补正' }]
      ).map((c) => ({ ...c, departmentId: task.departmentId })),
    };
    if (record.status !== leadsTo('request_correction'))
      await move(
        deps,
        record,
        transition('submitted', 'request_correction'),
        { correction, correctionRound: correction.round },
        'correction_requested',
        {
          stage: 'acceptance',
          items: correction.items.length,
        },
        undefined,
        decision,
      );
    const current = await load(deps, caseId);
    return {
      caseId,
      round: current.correctionRound,
      next,
      timeoutSeconds: secondsUntil(new Date(current.correction!.dueAt), now),
    };
  }
  await move(
    deps,
    record,
    transition('submitted', 'refuse'),
    {
      outcome: {
        approved: [],
        rejected: [],
        refused: { opinion: task.decision.opinion },
        decidedAt: now.toISOString(),
      },
    },
    'refused',
    { departmentId: task.departmentId },
    undefined,
    decision,
  );
  return { caseId, round, next };
}

export type MergeStep =
  | ({ caseId: string; round: number; next: 'review' } & StageWait)
  | { caseId: string; round: number; next: 'issue'; approved: readonly string[] }
  /** Issued at once, with the stage's last decision (FlowDeps.issueNow): the flow ends `issued`. */
  | { caseId: string; round: number; next: 'issued' }
  | { caseId: string; round: number; next: 'correct'; timeoutSeconds: number }
  | { caseId: string; round: number; next: 'reject' };

/**
 * After a stage's reviews: record what the approved services produced (credit code, license
 * numbers…), then open the next stage — whatever became ready — or, nothing left, 汇总: merge every
 * service's latest decision into one outcome.
 */
export async function mergeDecisions(
  deps: FlowDeps,
  caseId: string,
  round: number,
  given?: CaseWithTasks,
  /** The stage's wait: one that carries on gets the next stage opened with the results' write. */
  wait?: HeldWait,
  /** The decision that completed the stage, written by the step's first write (HeldDecision). */
  decision?: HeldDecision,
): Promise<MergeStep> {
  const read = given ?? (await loadWithTasks(deps, caseId));
  let record = read.record;
  const tasks = read.tasks;
  const bundle = deps.catalog.bundle(record.bundleId);
  const now = deps.now();
  // Issued already — by the stage's last decision (issueNow), its answer lost (a token that expired
  // meanwhile; a retried decision): the wait is answered as that decision answered it.
  if (record.status === 'issued') return { caseId, round, next: 'issued' };
  if (record.correctionRound > round) {
    // A retry or a replay: this round's merge already asked for corrections.
    return { caseId, round: round + 1, next: 'correct', timeoutSeconds: replayTimeout(record, now) };
  }

  // The next stage is planned from the results as they will be recorded; the write recording them
  // opens it too (when the wait carries on).
  const results = freshResults(deps, record, bundle, tasks, now);
  const merged = mergeReviews(results?.record ?? record, bundle, tasks, now, deps.places);
  // 一窗出件 at once: the results, the merge, the licenses and the decision in one write.
  if (merged.next === 'issue' && deps.issueNow && decision && !decision.recorded) {
    const issued = await issueAtOnce(deps, deps.issueNow, record, results, merged, decision, now);
    if (issued) return { caseId, round, next: 'issued' };
  }
  const opening = merged.next === 'review' ? carriedOpening(wait, merged.reviews, now) : undefined;
  const { opened } = results
    ? await writeResults(deps, record, results, opening, decision)
    : { opened: false };
  record = results?.record ?? record;
  if (merged.next === 'review')
    return {
      caseId,
      round,
      next: 'review',
      ...stageWait(merged.reviews, now),
      ...(opened ? { opened: true as const } : {}),
    };
  const outcome = {
    approved: [...merged.approved],
    rejected: [...merged.rejected],
    decidedAt: now.toISOString(),
  };
  if (merged.next === 'correct') {
    const due = addWorkingDays(now, SUPPLEMENT_DAYS);
    const correction = {
      round: record.correctionRound + 1,
      requestedAt: now.toISOString(),
      dueAt: due.toISOString(),
      stage: correctionStageOf('in_review')!,
      departments: [...merged.askedBy],
      items: [...merged.corrections],
    };
    await move(
      deps,
      record,
      transition('in_review', 'request_correction'),
      { correction, correctionRound: correction.round },
      'correction_requested',
      {
        stage: 'review',
        departments: correction.departments,
        items: correction.items.length,
      },
      undefined,
      decision,
    );
    return { caseId, round: correction.round, next: 'correct', timeoutSeconds: secondsUntil(due, now) };
  }
  if (merged.next === 'reject') {
    await move(
      deps,
      record,
      transition('in_review', 'reject'),
      { outcome },
      'rejected',
      { rejected: merged.rejected.length },
      undefined,
      decision,
    );
    return { caseId, round, next: 'reject' };
  }
  await move(
    deps,
    record,
    transition('in_review', 'merge'),
    { outcome },
    'merged',
    mergeDetail(merged),
    undefined,
    decision,
  );
  return { caseId, round, next: 'issue', approved: merged.approved };
}

const mergeDetail = (m: Pick<MergeResult, 'approved' | 'rejected'>) => ({
  approved: m.approved,
  rejected: m.rejected.length,
});

/**
 * The merge and the issue in one write (FlowDeps.issueNow): the fresh results and the outcome as
 * the steps before it, each with its timeline entry and audit, as writeResults and the merge would
 * record them. False (nothing written) when it cannot be; a failure is logged and is false too.
 */
async function issueAtOnce(
  deps: FlowDeps,
  issueNow: NonNullable<FlowDeps['issueNow']>,
  record: CaseRecord,
  results: { fresh: Record<string, Record<string, string>>; record: CaseRecord } | undefined,
  merged: Pick<MergeResult, 'approved' | 'rejected'>,
  decision: HeldDecision,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const step = (event: string, detail: Record<string, unknown>) => ({
    timeline: { at, event, detail },
    audit: { actor: 'flow', action: event, detail },
  });
  const merge: MergeWrite = {
    approved: merged.approved,
    changes: {
      ...(results ? { results: results.record.results } : {}),
      outcome: { approved: [...merged.approved], rejected: [...merged.rejected], decidedAt: at },
    },
    steps: [
      ...(results ? [step('results_recorded', { services: Object.keys(results.fresh) })] : []),
      step('merged', mergeDetail(merged)),
    ],
  };
  return issueNow(record, merge, decision).catch((err: unknown) => {
    deps.warn?.('licenses not issued with the last decision; the state machine issues them', {
      caseId: record.caseId,
      err,
    });
    return false;
  });
}

export type ResumeStep =
  | { caseId: string; round: number; next: 'accept'; timeoutSeconds: number }
  | ({ caseId: string; round: number; next: 'dispatch' } & StageWait);

/** After the applicant's supplement: back to acceptance, or re-review by those who asked. */
export async function resumeAfterSupplement(deps: FlowDeps, caseId: string): Promise<ResumeStep> {
  const record = await load(deps, caseId);
  const bundle = deps.catalog.bundle(record.bundleId);
  const now = deps.now();
  const round = record.correctionRound;
  if (record.correction?.stage === 'acceptance')
    return {
      caseId,
      round,
      next: 'accept',
      timeoutSeconds: secondsUntil(addWorkingDays(now, ACCEPTANCE_DAYS), now),
    };
  // Only the departments that asked review again; approved stages stay approved.
  const tasks = await deps.tasks.listForCase(caseId);
  const plan = planStage(record, bundle, tasks, round, now, { reReview: true, places: deps.places });
  return { caseId, round, next: 'dispatch', ...stageWait(plan.next === 'review' ? plan.reviews : [], now) };
}

/** 通办: where the case was accepted (the portal's or counter's place, default the city) and is decided. */
function placesOf(deps: FlowDeps, record: CaseRecord, bundle: Bundle) {
  if (!deps.places) return undefined;
  const decidedAt = decidingPlace(record, bundle, deps.places) ?? deps.places.city.id;
  return { acceptedAt: record.places?.acceptedAt ?? deps.places.city.id, decidedAt };
}

/**
 * Results as data: each approved service's declared products (the new enterprise's credit code,
 * license numbers…) are recorded on the case once, so the next stage's tasks, the licenses and
 * later forms read them. Stable per case and service: a retried step records the same values.
 */
async function recordResults(
  deps: FlowDeps,
  record: CaseRecord,
  bundle: Bundle,
  tasks: readonly TaskRecord[],
  now: Date,
): Promise<CaseRecord> {
  const results = freshResults(deps, record, bundle, tasks, now);
  if (!results) return record;
  await writeResults(deps, record, results);
  return results.record;
}

/** What approved services produced that the case does not hold yet, and the case holding it; undefined: nothing new. */
function freshResults(
  deps: FlowDeps,
  record: CaseRecord,
  bundle: Bundle,
  tasks: readonly TaskRecord[],
  now: Date,
): { fresh: Record<string, Record<string, string>>; record: CaseRecord } | undefined {
  const approved = new Set(
    tasks.filter((t) => t.kind === 'review' && t.decision?.outcome === 'approve').flatMap((t) => t.services),
  );
  const place = deps.places?.place(decidingPlace(record, bundle, deps.places) ?? '') ?? deps.places?.city;
  const division = place?.divisionCode ?? '000000';
  const fresh: Record<string, Record<string, string>> = {};
  for (const s of bundle.services)
    if (approved.has(s.id) && s.result.produces?.length && !record.results?.[s.id])
      fresh[s.id] = producedData(record, s, division, now);
  if (Object.keys(fresh).length === 0) return undefined;
  return { fresh, record: { ...record, results: { ...(record.results ?? {}), ...fresh } } };
}

/** Records the fresh results (and opens `opening` with them, if it can). */
function writeResults(
  deps: FlowDeps,
  record: CaseRecord,
  results: { fresh: Record<string, Record<string, string>>; record: CaseRecord },
  opening?: readonly OpeningEntry[],
  decision?: HeldDecision,
): Promise<{ opened: boolean }> {
  return move(
    deps,
    record,
    transition('in_review', 'record_results'),
    { results: results.record.results },
    'results_recorded',
    { services: Object.keys(results.fresh) },
    opening,
    decision,
  );
}

/** The applicant did not answer the correction request in time: the case ends, recorded. */
export async function closeUnanswered(
  deps: FlowDeps,
  caseId: string,
): Promise<{ caseId: string; next: 'reject' }> {
  const record = await load(deps, caseId);
  const now = deps.now();
  await move(
    deps,
    record,
    transition('awaiting_correction', 'reject'),
    {
      outcome: {
        approved: [],
        rejected: record.services.map((serviceId) => ({
          serviceId,
          departmentId: 'applicant',
          opinion: '逾期未补正 (correction not supplied in time)',
        })),
        decidedAt: now.toISOString(),
      },
    },
    'correction_expired',
  );
  return { caseId, next: 'reject' };
}

/**
 * A callback task passed its deadline: mark it overdue, record the escalation (电子监察), and give
 * it a new, shorter timeout. The task stays open: an explicit decision still completes it. The
 * acceptance's; a review's only for executions started before the stage wait (`escalateStage`).
 */
export async function escalateTask<
  T extends { caseId: string; round: number; departmentId?: string; stage?: number },
>(
  deps: FlowDeps,
  kind: 'acceptance' | 'review' | 'inspection',
  state: T,
): Promise<T & { timeoutSeconds: number }> {
  const { record, tasks } = await loadWithTasks(deps, state.caseId);
  const bundle = deps.catalog.bundle(record.bundleId);
  const departmentId =
    kind === 'acceptance' ? acceptingDepartment(record, bundle, deps.places) : state.departmentId!;
  const taskId = taskIdFor(record.caseId, state.round, kind, departmentId, state.stage ?? 0);
  const now = deps.now();
  const task = tasks.find((t) => t.taskId === taskId);
  if (kind === 'acceptance' && task && task.status !== 'pending') {
    // Decided: the wait carried on (answerWait) and holds a stage now — escalate that stage.
    const held = heldStage(tasks, state.round);
    if (held.length) {
      const next = await escalateOverdue(deps, held, now);
      return { ...state, timeoutSeconds: secondsUntil(new Date(next), now) };
    }
  }
  await deps.tasks.markOverdue(taskId, {
    at: now.toISOString(),
    event: 'task_overdue_escalated',
    detail: { taskId, departmentId },
  });
  return { ...state, timeoutSeconds: secondsUntil(addWorkingDays(now, ESCALATION_DAYS), now) };
}

/**
 * A stage's wait reached the earliest deadline among its tasks: every task of the stage still
 * pending past its own deadline is marked overdue and escalated (电子监察); the wait goes on until
 * the next deadline among the others, or the next escalation. An explicit decision still
 * completes each task, and the last one the stage.
 */
export async function escalateStage<T extends StageWait & { caseId: string; round: number }>(
  deps: FlowDeps,
  state: T,
): Promise<T> {
  const now = deps.now();
  const { tasks } = await loadWithTasks(deps, state.caseId);
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const planned = state.reviews.flatMap((r) => {
    const task = byId.get(taskIdFor(r.caseId, r.round, r.kind, r.departmentId, r.stage));
    return task?.status === 'pending' ? [task] : [];
  });
  // Nothing of the stage it was entered for is pending: the wait carried on (answerWait) and holds
  // a later stage now — escalate that one, and enter the wait again for it.
  const held = planned.length ? [] : heldStage(tasks, state.round);
  const next = await escalateOverdue(deps, held.length ? held : planned, now);
  return {
    ...state,
    ...(held.length ? { reviews: held.map((t) => reviewOf(t, now)) } : {}),
    stageTimeoutSeconds: secondsUntil(new Date(next), now),
  };
}

/**
 * Marks every one of `pending` past its deadline overdue and escalated (电子监察); answers when the
 * wait should look again: the next deadline among the others, or the next escalation.
 */
async function escalateOverdue(deps: FlowDeps, pending: readonly TaskRecord[], now: Date): Promise<number> {
  let next = addWorkingDays(now, ESCALATION_DAYS).getTime();
  for (const task of pending) {
    if (Date.parse(task.dueAt) <= now.getTime())
      await deps.tasks.markOverdue(task.taskId, {
        at: now.toISOString(),
        event: 'task_overdue_escalated',
        detail: { taskId: task.taskId, departmentId: task.departmentId },
      });
    else next = Math.min(next, Date.parse(task.dueAt));
  }
  return next;
}

const isStageTask = (t: TaskRecord) => t.kind === 'review' || t.kind === 'inspection';

/**
 * What a wait holds now, of this round: its pending reviews and inspections that have a token (one
 * opened early has none yet) — whatever their stage numbers (one opening may hold several). Entered
 * again, the wait re-opens them, and they are what its next decision waits for.
 */
function heldStage(tasks: readonly TaskRecord[], round: number): TaskRecord[] {
  return tasks.filter(
    (t) => t.round === round && isStageTask(t) && t.status === 'pending' && t.taskToken !== undefined,
  );
}

/** A stage task as the plan that opened it (its wait entered again re-opens it with a fresh token). */
function reviewOf(t: TaskRecord, now: Date): ReviewPlan {
  return {
    caseId: t.caseId,
    kind: t.kind as ReviewPlan['kind'],
    departmentId: t.departmentId,
    services: [...t.services],
    round: t.round,
    stage: t.stage ?? 0,
    dueAt: t.dueAt,
    timeoutSeconds: secondsUntil(new Date(t.dueAt), now),
  };
}

/**
 * 一窗出件: every approved service has its license; record the delivery and end the case issued.
 * Runs right after the licenses are issued, in the same task (functions/issue-licenses.task.ts), so
 * it is replayed whenever that task is retried — and once more by the Deliver Results state of an
 * execution started before the two were merged. A case already issued is left as it is, without
 * a write (move() would end the same, after a refused transaction and a second read).
 */
export async function deliverResults(
  deps: FlowDeps,
  caseId: string,
  licenses: readonly { id: string; serviceId: string }[],
  /** The case as the step before just read it (the issue), else read here. */
  read?: CaseRecord,
) {
  const record = read ?? (await load(deps, caseId));
  if (record.status === 'issued') return { caseId, status: 'issued' as const };
  await move(deps, record, transition('in_review', 'issue'), {}, 'issued', deliveryDetail(record, licenses));
  return { caseId, status: 'issued' as const };
}

const deliveryDetail = (record: CaseRecord, licenses: readonly { id: string }[]) => ({
  licenses: licenses.map((l) => l.id),
  delivery: record.delivery.method,
});

/**
 * The delivery as `deliverResults` records it, with the licenses it delivers recorded by the same
 * write (TransitionEffects.recordLicenses): one write, not two. Only from the case as just read,
 * `in_review`; false when refused (the case changed, or a service has its license already) — then
 * nothing is written, and the caller records the licenses on their own first. `merged`: the merge
 * it follows and the decision that completed the stage, written by the same write too (the
 * stage's last decision issuing at once); `recorded` is set on the decision once it commits.
 */
export async function deliverWithLicenses(
  deps: FlowDeps,
  record: CaseRecord,
  licenses: readonly { id: string }[],
  unrecorded: readonly IssuedLicense[],
  merged?: { readonly merge: MergeWrite; readonly decision: HeldDecision },
): Promise<boolean> {
  if (record.status !== 'in_review' || unrecorded.length > MAX_LICENSES_PER_TRANSITION) return false;
  const written = await writeStep(
    deps,
    record,
    transition('in_review', 'issue'),
    merged?.merge.changes ?? {},
    'issued',
    deliveryDetail(record, licenses),
    deps.now().toISOString(),
    {
      recordLicenses: unrecorded,
      ...(merged
        ? {
            stepsBefore: merged.merge.steps,
            decide: merged.decision.write,
          }
        : {}),
    },
  );
  if (written && merged) merged.decision.recorded = true;
  return written;
}

/** A task failed after its retries: record it on the case for supervision (the case is kept). */
export async function recordFailure(
  deps: FlowDeps,
  caseId: string,
  failure: { Error?: string; Cause?: string },
) {
  const at = deps.now().toISOString();
  const detail = { error: failure.Error ?? 'Unknown' };
  await deps.cases.note(
    caseId,
    { at, event: 'flow_failed', detail },
    { actor: 'flow', action: 'flow_failed', detail },
  );
  return { caseId, recorded: true };
}

/** The wait for a correction that was already requested: its own deadline, at least a minute. */
function replayTimeout(record: CaseRecord, now: Date): number {
  const due = record.correction ? secondsUntil(new Date(record.correction.dueAt), now) : 60;
  return Math.max(60, due);
}
