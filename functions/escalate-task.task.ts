/** Task: a callback task timed out — mark it overdue, escalate, wait again (the case is never lost). */
import * as z from 'zod';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { escalateTask } from '#core/flow/steps.ts';

const Input = z.object({
  kind: z.enum(['acceptance', 'review', 'inspection']),
  state: z.looseObject({
    caseId: z.string(),
    round: z.number().int().nonnegative(),
    departmentId: z.string().optional(),
    stage: z.number().int().nonnegative().optional(),
  }),
});

export const handler = makeTaskHandler(Input, ({ kind, state }) => escalateTask(flowDeps(), kind, state));
