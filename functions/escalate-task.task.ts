/**
 * Task: a callback wait timed out — mark what is overdue, escalate, wait again (the case is never
 * lost): the acceptance, or the tasks of one stage past their deadlines.
 */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { ReviewPlanSchema } from '#core/flow/plan.ts';
import { escalateStage, escalateTask } from '#core/flow/steps.ts';

const round = z.number().check(z.int(), z.nonnegative());

const Review = ReviewPlanSchema;

const Input = z.union([
  z.object({
    kind: z.literal('stage'),
    state: z.looseObject({
      caseId: z.string(),
      round,
      reviews: z.array(Review),
      stageTimeoutSeconds: z.number(),
    }),
  }),
  z.object({
    kind: z.enum(['acceptance', 'review', 'inspection']),
    state: z.looseObject({
      caseId: z.string(),
      round,
      departmentId: z.optional(z.string()),
      stage: z.optional(z.number().check(z.int(), z.nonnegative())),
    }),
  }),
]);

export const handler = makeTaskHandler(
  Input,
  async (input): Promise<Record<string, unknown>> =>
    input.kind === 'stage'
      ? escalateStage(flowDeps(), input.state)
      : escalateTask(flowDeps(), input.kind, input.state),
);
