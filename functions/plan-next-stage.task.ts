/** Task: after a stage — open whatever became ready, or 汇总: merge every service's latest decision. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { mergeDecisions } from '#core/flow/steps.ts';

const Input = z.object({ caseId: z.string(), round: z.number().check(z.int(), z.nonnegative()) });

export const handler = makeTaskHandler(Input, ({ caseId, round }) =>
  mergeDecisions(flowDeps(), caseId, round),
);
