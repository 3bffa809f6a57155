/**
 * Use case: a department decides its task.
 *  1. The task must be this department's (else 404: ids cannot be probed) and open to decisions.
 *  2. The decision is recorded with a conditional write BEFORE the task token is used, so a
 *     repeated or concurrent decision can never complete a task twice: the loser gets 409, an
 *     identical retry gets the first answer. The write is conditional on the case too: once the
 *     case is final (withdrawn, issued, rejected) no decision lands, even one racing with the
 *     withdrawal; a closed task answers 409.
 *  3. The token is sent; a token that expired meanwhile (the task timed out and was escalated) is
 *     not an error — the re-opened task finds the recorded decision and completes itself. The last
 *     decision of a stage sends the next step with it, planned at once (`completeStage`); the
 *     acceptance sends the acceptance recorded (`completeAcceptance`).
 */
import * as z from 'zod/mini';
import {
  CorrectionItemSchema,
  canonicalJson,
  type Decision,
  OUTCOMES,
  type TaskRecord,
} from '../case/model.ts';
import type { TaskRepository, Workflow } from '../case/ports.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { stageDecided } from './stages.ts';
import { planLater, recordLater, type WaitStep } from './steps.ts';

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
     * The answer to the stage's wait when this decision completes the stage: the next step,
     * planned now (core/flow/steps.ts completeStage). Without it, `next: "plan"`: the state
     * machine plans the stage.
     */
    completeStage?: (caseId: string, round: number) => Promise<WaitStep>;
    /**
     * The answer to the acceptance's wait: the acceptance recorded now (core/flow/steps.ts
     * completeAcceptance). Without it, `next: "record"`: the state machine records it.
     */
    completeAcceptance?: (caseId: string, round: number, outcome: string) => Promise<WaitStep>;
    /**
     * Answers the wait with that step (core/flow/steps.ts answerWait: a wait that carries on opens
     * the next stage under its token instead). Without it, the step is sent.
     */
    answer?: (wait: { token: string; carryOn?: boolean | undefined }, step: WaitStep) => Promise<void>;
  },
  input: { taskId: string; departmentId: string; request: DecisionRequest },
): Promise<{ task: TaskRecord; replayed: boolean }> {
  const { request } = input;
  const task = await deps.tasks.get(input.taskId);
  if (!task || task.kind === 'supplement' || task.departmentId !== input.departmentId)
    throw new NotFoundError(`There is no task "${input.taskId}" of department ${input.departmentId}.`);
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
  if (problems.length) throw new ValidationError(problems);
  if (task.status === 'closed') throw closedError(task.taskId);

  const decision: Decision = {
    ...request,
    decidedAt: deps.now().toISOString(),
    decidedBy: `department:${input.departmentId}`,
  };
  const {
    recorded,
    task: stored,
    caseClosed,
  } = await deps.tasks.decide(
    task,
    decision,
    STATUS_OF[request.outcome],
    {
      at: decision.decidedAt,
      event: `${task.kind}_decided`,
      detail: { taskId: task.taskId, departmentId: task.departmentId, outcome: request.outcome },
    },
    {
      actor: decision.decidedBy,
      action: `decide_${task.kind}`,
      detail: { taskId: task.taskId, outcome: request.outcome },
    },
  );
  if (!recorded) {
    if (caseClosed || stored.status === 'closed') throw closedError(task.taskId);
    if (!stored.decision || !same(stored.decision, request))
      throw new ConflictError(
        `Task ${task.taskId} is already decided (${stored.status}); a decision cannot be changed.`,
      );
  }
  // Deliver the decision to the waiting execution (again, on an identical retry: harmless). A
  // task opened early (core/flow/steps.ts openReadyDependants) has no token until the state
  // machine reaches its stage: if the token was stored between our read and our write, the
  // execution is already waiting — read it again, or the decision would never reach it (when the
  // token comes after the decision, the opening step finds the decision and completes itself).
  const holder = stored.taskToken ? stored : await deps.tasks.get(task.taskId);
  const token = holder?.taskToken;
  if (!token) return { task: stored, replayed: !recorded };
  const answer = (step: WaitStep) =>
    deps.answer ? deps.answer({ token, carryOn: holder.carryOn }, step) : deps.workflow.succeed(token, step);
  if (task.kind === 'review' || task.kind === 'inspection') {
    // One wait per stage: the state machine goes on when the last of the stage's tasks is decided.
    // Read after our own write (consistently): of two last decisions at once, the later sees both.
    // A task alone in its stage (stageSize 1) ends it with its own decision: nothing to read.
    if (stored.stageSize === 1 || stageDecided(await deps.tasks.listForCase(task.caseId), token))
      await answer(
        deps.completeStage
          ? await deps.completeStage(task.caseId, task.round)
          : planLater(task.caseId, task.round),
      );
  } else
    await answer(
      deps.completeAcceptance
        ? await deps.completeAcceptance(task.caseId, task.round, request.outcome)
        : recordLater(task.caseId, task.round, request.outcome),
    );
  return { task: stored, replayed: !recorded };
}
