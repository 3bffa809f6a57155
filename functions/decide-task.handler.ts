/** POST /v1/tasks/{taskId}/decision — a department decides its task (受理 / 审查). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseWithTasks } from '#adapters/dynamodb/case-reads.ts';
import { taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { flowDeps } from '#adapters/flow-deps.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { TaskParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { TaskDecidedSchema } from '#adapters/http/schemas.ts';
import { issueDeps } from '#adapters/issue-deps.ts';
import { logger } from '#adapters/logger.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { taskView } from '#core/case/views.ts';
import { DecisionRequestSchema, decideTask } from '#core/flow/decide-task.ts';
import { issueWithDecision } from '#core/flow/issue-and-deliver.ts';
import { mayOpenDependants } from '#core/flow/stages.ts';
import {
  answerWait,
  completeAcceptance,
  completeStage,
  type FlowDeps,
  type HeldDecision,
  openReadyDependants,
} from '#core/flow/steps.ts';

export const route = defineRoute({
  name: 'decide-task',
  method: 'POST',
  path: '/v1/tasks/{taskId}/decision',
  caller: 'department',
  summary: 'Decide a task: approve, reject, or ask for corrections',
  description:
    'A decision is final: a different second decision is 409; an identical retry answers as the first (`replayed: true`).',
  tags: ['Departments'],
  params: TaskParams,
  body: { schema: DecisionRequestSchema, description: 'The decision.' },
  responses: { 200: { description: 'Decided.', schema: TaskDecidedSchema } },
  problems: {
    404: 'No such task of this department.',
    409: 'The task is already decided otherwise, or closed: its case was withdrawn or has ended (a decision racing with a withdrawal never lands after it).',
    422: 'The decision is incomplete (a rejection needs an opinion; a correction needs items or an opinion).',
  },
  // The license files and signatures too: a stage's last decision may issue at once (issueNow).
  needs: { table: 'write', workflow: ['callback'], files: 'write', signing: 'sign' },
});

/**
 * What a step that failed with the decision logs: the state machine takes the step over — unless
 * the decision was held for the step's write and not written, when it is written on its own next
 * (core/flow/decide-task.ts) and nothing is handed over.
 */
const handedOver = (message: string, caseId: string, decision?: HeldDecision) => (err: unknown) => {
  if (decision && !decision.recorded) return;
  logger.warn(message, { caseId, err });
};

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const base = flowDeps(workflow);
  // 一窗出件 at once: the stage's last decision issues the licenses with its own write
  // (core/flow/issue-and-deliver.ts issueWithDecision); should it not, the state machine does.
  const flow: FlowDeps = {
    ...base,
    issueNow: async (record, merge, decision) =>
      issueWithDecision({ issue: await issueDeps(), flow: base }, record, merge, decision),
  };
  const { task, replayed } = await decideTask(
    {
      tasks: taskRepository,
      workflow,
      now: () => new Date(),
      caseWithTasks,
      // The last decision of a stage plans the next step (what Plan Next Stage would do), the
      // acceptance records itself (Record Acceptance), and sends it with the token: the decision
      // travels once. Should that fail, the state machine does it.
      completeStage: (caseId, round, read, wait, decision) =>
        completeStage(
          flow,
          caseId,
          round,
          handedOver(
            'stage not planned with its last decision; the state machine plans it',
            caseId,
            decision,
          ),
          read,
          wait,
          decision,
        ),
      completeAcceptance: (caseId, round, outcome, read, wait, decision) =>
        completeAcceptance(
          flow,
          caseId,
          round,
          outcome,
          handedOver(
            'acceptance not recorded with its decision; the state machine records it',
            caseId,
            decision,
          ),
          read,
          wait,
          decision,
        ),
      // A wait that carries on opens the next stage itself, under its token (one wait for the
      // whole review); should that fail, the step is sent and the state machine opens it.
      answer: (wait, step) =>
        answerWait(flow, wait, step, 0, (err) =>
          logger.warn('next stage not opened with the decision; the state machine opens it', {
            taskId: params.taskId,
            err,
          }),
        ),
    },
    { taskId: params.taskId, departmentId: caller.departmentId, request: body },
  );
  // An approved prerequisite opens its dependants now, not when its whole stage is decided — unless
  // it was alone in its stage: then the state machine plans the next stage at once.
  if (
    body.outcome === 'approve' &&
    task.stageSize !== 1 &&
    mayOpenDependants(catalog().bundles.values(), task)
  )
    await openReadyDependants(flow, task.caseId).catch((err: unknown) =>
      logger.warn('dependants not opened early; the next stage opens them', { caseId: task.caseId, err }),
    );
  return { status: 200, body: { ...taskView(catalog(), task), replayed } };
});
