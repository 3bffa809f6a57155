/**
 * Use case: a department decides its task.
 *  1. The task must be this department's (else 404: ids cannot be probed) and open to decisions.
 *  2. The decision is recorded with a conditional write BEFORE the task token is used — addressed
 *     by the task's id, the write's conditions are the checks of step 1 (no read first) — so a
 *     repeated or concurrent decision can never complete a task twice: the loser gets 409, an
 *     identical retry gets the first answer. The write is conditional on the case too: once the
 *     case is final (withdrawn, issued, rejected) no decision lands, even one racing with the
 *     withdrawal; a closed task answers 409.
 *     An acceptance — alone in its wait, so its decision always completes it — is read first
 *     instead, and its decision written by the acceptance's own transaction, with the same
 *     conditions (`acceptWithDecision`). So is a review or inspection: the stage's last decision
 *     is written by the next step's transaction, any other on condition that the stage's others
 *     seen pending still are (`reviewWithDecision`). Anything else falls back to the write above.
 *  3. The token is sent; a token that expired meanwhile (the task timed out and was escalated) is
 *     not an error — the re-opened task finds the recorded decision and completes itself. The last
 *     decision of a stage sends the next step with it, planned at once (`completeStage`); the
 *     acceptance sends the acceptance recorded (`completeAcceptance`).
 */
import * as z from 'zod/mini';
import {
  type CaseRecord,
  CorrectionItemSchema,
  canonicalJson,
  type Decision,
  OUTCOMES,
  type TaskRecord,
  taskRefOf,
} from '../case/model.ts';
import type { TaskRef, TaskRepository, Workflow } from '../case/ports.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { holdingToken, stageDecided } from './stages.ts';
import {
  type CaseWithTasks,
  type HeldDecision,
  type HeldWait,
  planLater,
  recordLater,
  type WaitStep,
} from './steps.ts';

/** Omitted opinion and corrections are none (filled in here, not published as `default`s). */
export const DecisionRequestSchema = z.object({
  outcome: z.enum(OUTCOMES),
  opinion: z.pipe(
    z.optional(z.string().check(z.maxLength(2000))),
    z.transform((v) => v ?? ''),
  ),
  corrections: z.pipe(
    z.optional(z.array(CorrectionItemSchema).check(z.maxLength(50))),
    z.transform((v) => v ?? []),
  ),
});
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

const STATUS_OF: Record<Decision['outcome'], TaskRecord['status']> = {
  approve: 'approved',
  reject: 'rejected',
  correct: 'correction_requested',
};

const same = (d: Decision, r: DecisionRequest) =>
  d.outcome === r.outcome &&
  d.opinion === r.opinion &&
  canonicalJson(d.corrections) === canonicalJson(r.corrections);

const closedError = (taskId: string) =>
  new ConflictError(`Task ${taskId} is closed: its case was withdrawn or has ended; it takes no decision.`);

export async function decideTask(
  deps: {
    tasks: TaskRepository;
    workflow: Workflow;
    now(): Date;
    /**
     * The case (undefined when there is none) and its tasks in one read: read once after the
     * decision, and handed to the next step. Without it, the tasks are listed and the step reads.
     */
    caseWithTasks?: (caseId: string) => Promise<{ record: CaseRecord | undefined; tasks: TaskRecord[] }>;
    /**
     * The answer to the stage's wait when this decision completes the stage: the next step,
     * planned now (core/flow/steps.ts completeStage) from the read handed over. Without it,
     * `next: "plan"`: the state machine plans the stage.
     */
    completeStage?: (
      caseId: string,
      round: number,
      read?: CaseWithTasks,
      wait?: HeldWait,
      decision?: HeldDecision,
    ) => Promise<WaitStep>;
    /**
     * The answer to the acceptance's wait: the acceptance recorded now (core/flow/steps.ts
     * completeAcceptance). Without it, `next: "record"`: the state machine records it.
     */
    completeAcceptance?: (
      caseId: string,
      round: number,
      outcome: string,
      read?: CaseWithTasks,
      wait?: HeldWait,
      decision?: HeldDecision,
    ) => Promise<WaitStep>;
    /**
     * Answers the wait with that step (core/flow/steps.ts answerWait: a wait that carries on opens
     * the next stage under its token instead). Without it, the step is sent.
     */
    answer?: (wait: HeldWait, step: WaitStep) => Promise<void>;
  },
  input: { taskId: string; departmentId: string; request: DecisionRequest },
): Promise<{ task: TaskRecord; replayed: boolean }> {
  const { request, taskId, departmentId } = input;
  const notFound = () => new NotFoundError(`There is no task "${taskId}" of department ${departmentId}.`);
  const theirs = (t: TaskRecord | undefined, kind: string) =>
    t !== undefined && t.kind === kind && t.departmentId === departmentId;
  // The id names the case and the kind (taskIdFor): the decision is written without reading the
  // task first, conditional on all that (the write is the check; a wrong guess changes nothing).
  const named = taskRefOf(taskId);
  if (!named || named.kind === 'supplement') throw notFound();
  const ref = { ...named, taskId, departmentId };
  const problems = [];
  if (request.outcome === 'correct' && request.corrections.length === 0 && !request.opinion)
    problems.push({
      path: '/corrections',
      code: 'required',
      message: 'Say what must be corrected: corrections or an opinion.',
    });
  if (request.outcome === 'reject' && !request.opinion)
    problems.push({
      path: '/opinion',
      code: 'required',
      message: 'A rejection needs an opinion (the reason).',
    });
  if (problems.length) {
    // Ids cannot be probed: a task that is not theirs is 404 before its decision is judged.
    if (!theirs(await deps.tasks.get(taskId), ref.kind)) throw notFound();
    throw new ValidationError(problems);
  }

  const decision: Decision = {
    ...request,
    decidedAt: deps.now().toISOString(),
    decidedBy: `department:${departmentId}`,
  };
  const write = {
    ref,
    decision,
    status: STATUS_OF[request.outcome],
    timeline: {
      at: decision.decidedAt,
      event: `${ref.kind}_decided`,
      detail: { taskId, departmentId, outcome: request.outcome },
    },
    audit: {
      actor: decision.decidedBy,
      action: `decide_${ref.kind}`,
      detail: { taskId, outcome: request.outcome },
    },
  };
  // The acceptance is alone in its wait: its decision always completes it. Read first, and the
  // acceptance's own write records the decision too (one read and one write, not three calls).
  if (ref.kind === 'acceptance') {
    const together = await acceptWithDecision(deps, write);
    if (together) return together;
  }
  // A review or inspection is read first too: the stage's last is written by the next step's
  // write; any other, on condition that the stage's others seen pending still are.
  const reviewed = ref.kind === 'acceptance' ? {} : await reviewWithDecision(deps, write);
  if (reviewed.done) return reviewed.done;
  const result =
    reviewed.refused ?? (await deps.tasks.decide(ref, decision, write.status, write.timeline, write.audit));
  if (!result.recorded) {
    const stored = result.task;
    if (!stored || !theirs(stored, ref.kind)) throw notFound();
    if (result.caseClosed || stored.status === 'closed') throw closedError(taskId);
    if (!stored.decision || !same(stored.decision, request))
      throw new ConflictError(
        `Task ${taskId} is already decided (${stored.status}); a decision cannot be changed.`,
      );
  }
  const replayed = !result.recorded;
  // One read after our own write (consistently): the task as stored — with the token the state
  // machine may have stored meanwhile (a task opened early, core/flow/steps.ts
  // openReadyDependants, gets it when the flow reaches its stage; when the token comes after the
  // decision, the opening step finds the decision and completes itself) — the rest of its stage,
  // and the case the next step plans from. Of two last decisions at once, the later sees both.
  const { caseId } = ref;
  const read = deps.caseWithTasks
    ? await deps.caseWithTasks(caseId)
    : { record: undefined, tasks: await deps.tasks.listForCase(caseId) };
  const holder = read.tasks.find((t) => t.taskId === taskId);
  if (!holder) throw new Error(`task ${taskId} was decided but is not among its case's tasks`);
  const handed = read.record ? { record: read.record, tasks: read.tasks } : undefined;
  const token = holder.taskToken;
  // Deliver the decision to the waiting execution (again, on an identical retry: harmless).
  if (!token) return { task: holder, replayed };
  // The wait this decision answers: the step it takes may open the next stage under it.
  const wait: HeldWait = { token, carryOn: holder.carryOn };
  const answer = (step: WaitStep) => answerWait(deps, wait, step);
  if (holder.kind === 'review' || holder.kind === 'inspection') {
    // One wait per stage: the state machine goes on when the last of the stage's tasks is decided.
    if (endsItsStage(holder, read.tasks))
      await answer(
        deps.completeStage
          ? await deps.completeStage(caseId, holder.round, handed, wait)
          : planLater(caseId, holder.round),
      );
  } else
    await answer(
      deps.completeAcceptance
        ? await deps.completeAcceptance(caseId, holder.round, request.outcome, handed, wait)
        : recordLater(caseId, holder.round, request.outcome),
    );
  return { task: holder, replayed };
}

/** The wait answered with that step: by `deps.answer` (which may carry on), else sent. */
const answerWait = (deps: Parameters<typeof decideTask>[0], wait: HeldWait, step: WaitStep) =>
  deps.answer ? deps.answer(wait, step) : deps.workflow.succeed(wait.token, step);

/**
 * Whether a review or inspection, decided, ends its stage's wait: every task holding the token is
 * decided — or it is alone in its stage (stageSize 1), its own decision the end.
 */
const endsItsStage = (task: TaskRecord, tasks: readonly TaskRecord[]) =>
  task.stageSize === 1 || (task.taskToken !== undefined && stageDecided(tasks, task.taskToken));

/**
 * The task a decision addresses, as read: pending as this department's task of that kind, with
 * the token of its wait — else undefined (the decision is then written blind, which says why).
 */
function pendingAsRead(
  read: { tasks: readonly TaskRecord[] },
  ref: TaskRef,
): (TaskRecord & { taskToken: string }) | undefined {
  const t = read.tasks.find((x) => x.taskId === ref.taskId);
  return t?.taskToken &&
    t.kind === ref.kind &&
    t.departmentId === ref.departmentId &&
    t.status === 'pending' &&
    !t.decision
    ? { ...t, taskToken: t.taskToken }
    : undefined;
}

/**
 * The acceptance and its decision in one write: the case and its tasks read first (consistently),
 * then the acceptance recorded from that read with the decision in its transaction
 * (core/flow/steps.ts HeldDecision) — and the wait answered. Undefined when that cannot be: the
 * task is not pending as this department's (404, 409, a replay), it holds no token yet, or the
 * acceptance's write did not commit (the case moved meanwhile): the decision is then written on
 * its own, which says why.
 */
async function acceptWithDecision(
  deps: Parameters<typeof decideTask>[0],
  write: HeldDecision['write'],
): Promise<{ task: TaskRecord; replayed: boolean } | undefined> {
  const { ref } = write;
  if (!deps.caseWithTasks || !deps.completeAcceptance) return undefined;
  const read = await deps.caseWithTasks(ref.caseId);
  const holder = pendingAsRead(read, ref);
  if (!read.record || !holder) return undefined;
  const decided: TaskRecord = { ...holder, status: write.status, decision: write.decision };
  const held: HeldDecision = { write, recorded: false };
  const wait: HeldWait = { token: holder.taskToken, carryOn: holder.carryOn };
  const step = await deps.completeAcceptance(
    ref.caseId,
    holder.round,
    write.decision.outcome,
    { record: read.record, tasks: read.tasks.map((t) => (t.taskId === ref.taskId ? decided : t)) },
    wait,
    held,
  );
  if (!held.recorded) return undefined;
  await answerWait(deps, wait, step);
  return { task: decided, replayed: false };
}

/** The stage's others still to decide, as a decision that is not the stage's last reads them. */
const pendingOthers = (tasks: readonly TaskRecord[], token: string, taskId: string): TaskRef[] =>
  tasks.filter(
    (t) =>
      t.taskToken === token &&
      t.taskId !== taskId &&
      (t.kind === 'review' || t.kind === 'inspection') &&
      t.status === 'pending' &&
      t.decision === undefined,
  );

/**
 * Whether every task of `task`'s opening (its wave: `stageSize` tasks) holds the wait's token as
 * read. Not yet when one was opened early and the state machine's opening is storing the tokens.
 */
const openingInFull = (task: TaskRecord, tasks: readonly TaskRecord[]) =>
  holdingToken(tasks, task.taskToken).filter((t) => t.wave === task.wave).length >= (task.stageSize ?? 0);

/** Races with the stage's others lost in a row before the decision is written as before. */
const SIBLING_RACES = 3;

/**
 * A review's (or inspection's) decision, read first — the case and its tasks (consistently):
 *  - the stage's last (every other task holding the stage's token decided): written by the next
 *    step's own write (completeStage with the HeldDecision), and the wait answered — one read and
 *    one write instead of a write, a read and the step's write;
 *  - any other: written on condition that the others seen pending still are. Committed, one of
 *    them is decided later and its read (or its refused condition) sees this one: no read after.
 *    Refused because one was decided meanwhile: read again — this one may be the last now. Of two
 *    last decisions at once, one commits and the other is refused, reads, and completes the stage.
 * `done` when decided so; `refused` when the conditional write was refused for another reason
 * (not this department's pending task, the case closed: the caller says why); neither when it
 * cannot be done so — no token yet, not pending as read (a replay), a task of its opening without
 * the token yet (opened early), siblings racing on — and the
 * decision is then written as before, blind, and read after.
 */
async function reviewWithDecision(
  deps: Parameters<typeof decideTask>[0],
  write: HeldDecision['write'],
): Promise<{
  done?: { task: TaskRecord; replayed: boolean };
  refused?: Awaited<ReturnType<TaskRepository['decide']>>;
}> {
  const { ref } = write;
  if (!deps.caseWithTasks || !deps.completeStage) return {};
  for (let race = 0; race < SIBLING_RACES; race++) {
    const read = await deps.caseWithTasks(ref.caseId);
    const holder = pendingAsRead(read, ref);
    if (!read.record || !holder) return {};
    const token = holder.taskToken;
    const decided: TaskRecord = { ...holder, status: write.status, decision: write.decision };
    const tasks = read.tasks.map((t) => (t.taskId === ref.taskId ? decided : t));
    if (endsItsStage(decided, tasks)) {
      const wait: HeldWait = { token, carryOn: holder.carryOn };
      const held: HeldDecision = { write, recorded: false };
      const step = await deps.completeStage(
        ref.caseId,
        holder.round,
        { record: read.record, tasks },
        wait,
        held,
      );
      // A step that writes nothing (no results to record, the next stage opened under the wait):
      // the decision on its own, and the step planned from it sent.
      if (!held.recorded) {
        const alone = await deps.tasks.decide(ref, write.decision, write.status, write.timeline, write.audit);
        if (!alone.recorded) return { refused: alone };
      }
      await answerWait(deps, wait, step);
      return { done: { task: decided, replayed: false } };
    }
    // A task of this opening without the token yet (opened early; the state machine is storing
    // the tokens now) is no sibling the condition below can hold pending — and the opening's own
    // read after its tokens may come before this write: written as before, and read after.
    if (!openingInFull(decided, tasks)) return {};
    const result = await deps.tasks.decide(
      ref,
      write.decision,
      write.status,
      write.timeline,
      write.audit,
      pendingOthers(tasks, token, ref.taskId),
    );
    if (result.recorded) return { done: { task: decided, replayed: false } };
    if (!result.siblingDecided) return { refused: result };
  }
  return {};
}
