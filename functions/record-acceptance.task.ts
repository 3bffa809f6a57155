/** Task: applies the lead department's acceptance decision (受理 / 不予受理 / 补正). */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { recordAcceptance } from '#core/flow/steps.ts';

const Input = z.object({ caseId: z.string(), round: z.number().check(z.int(), z.nonnegative()) });

export const handler = makeTaskHandler(Input, ({ caseId, round }) =>
  recordAcceptance(flowDeps(), caseId, round),
);
