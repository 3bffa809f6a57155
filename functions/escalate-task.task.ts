/** Task: a callback task timed out — mark it overdue, escalate, wait again (the case is never lost). */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { escalateTask } from '#core/flow/steps.ts';

const Input = z.object({
  kind: z.enum(['acceptance', 'review', 'inspection']),
  state: z.looseObject({
    caseId: z.string(),
    round: z.number().check(z.int(), z.nonnegative()),
    departmentId: z.optional(z.string()),
    stage: z.optional(z.number().check(z.int(), z.nonnegative())),
  }),
});

export const handler = makeTaskHandler(Input, ({ kind, state }) => escalateTask(flowDeps(), kind, state));
