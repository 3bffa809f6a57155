/** Task (callback): opens an acceptance, review or supplement task holding the execution's token. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { openTask } from '#core/flow/steps.ts';

const Input = z.object({
  caseId: z.string(),
  kind: z.enum(['acceptance', 'review', 'supplement', 'inspection']),
  round: z.number().check(z.int(), z.nonnegative()),
  stage: z.optional(z.number().check(z.int(), z.nonnegative())),
  taskToken: z.string().check(z.minLength(1)),
  departmentId: z.optional(z.string()),
  services: z.optional(z.array(z.string())),
  dueAt: z.optional(z.string()),
});

export const handler = makeTaskHandler(Input, (input) => openTask(flowDeps(workflow), input));
