/** Task (callback): opens an acceptance, review or supplement task holding the execution's token. */
import * as z from 'zod';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { openTask } from '#core/flow/steps.ts';

const Input = z.object({
  caseId: z.string(),
  kind: z.enum(['acceptance', 'review', 'supplement', 'inspection']),
  round: z.number().int().nonnegative(),
  stage: z.number().int().nonnegative().optional(),
  taskToken: z.string().min(1),
  departmentId: z.string().optional(),
  services: z.array(z.string()).optional(),
  dueAt: z.string().optional(),
});

export const handler = makeTaskHandler(Input, (input) => openTask(flowDeps(workflow), input));
