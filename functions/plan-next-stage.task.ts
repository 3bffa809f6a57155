/** Task: 汇总 — merges every department's latest review into one outcome. */
import * as z from 'zod';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { mergeDecisions } from '#core/flow/steps.ts';

const Input = z.object({ caseId: z.string(), round: z.number().int().nonnegative() });

export const handler = makeTaskHandler(Input, ({ caseId, round }) =>
  mergeDecisions(flowDeps(), caseId, round),
);
