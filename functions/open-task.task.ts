/**
 * Task (callback): opens what the execution waits for, holding its token — the acceptance, the
 * applicant's supplement, or one stage's reviews (and joint inspection) together. `carryOn`: the
 * definition takes any step from this wait, so it carries on through the next stages
 * (core/flow/steps.ts answerWait).
 */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { ReviewPlanSchema } from '#core/flow/plan.ts';
import { openStage, openTask } from '#core/flow/steps.ts';

const round = z.number().check(z.int(), z.nonnegative());

const Review = ReviewPlanSchema;

const Input = z.union([
  z.object({
    caseId: z.string(),
    kind: z.literal('stage'),
    round,
    reviews: z.array(Review),
    taskToken: z.string().check(z.minLength(1)),
    carryOn: z.optional(z.boolean()),
  }),
  z.object({
    caseId: z.string(),
    kind: z.enum(['acceptance', 'review', 'supplement', 'inspection']),
    round,
    stage: z.optional(z.number().check(z.int(), z.nonnegative())),
    taskToken: z.string().check(z.minLength(1)),
    carryOn: z.optional(z.boolean()),
    departmentId: z.optional(z.string()),
    services: z.optional(z.array(z.string())),
    dueAt: z.optional(z.string()),
    // The execution's input: the first acceptance as the submission planned it (older ones lack it).
    start: z.optional(
      z.object({
        acceptance: z.optional(
          z.object({ departmentId: z.string(), services: z.array(z.string()), dueAt: z.string() }),
        ),
      }),
    ),
  }),
]);

export const handler = makeTaskHandler(
  Input,
  async (input): Promise<{ taskId: string } | { taskIds: string[]; decided: boolean }> =>
    input.kind === 'stage' ? openStage(flowDeps(workflow), input) : openTask(flowDeps(workflow), input),
);
