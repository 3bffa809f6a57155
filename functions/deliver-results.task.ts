/** Task: 一窗出件 — all licenses issued; record the delivery and end the case `issued`. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { deliverResults } from '#core/flow/steps.ts';

const Input = z.object({
  caseId: z.string(),
  licenses: z.array(z.object({ id: z.string(), serviceId: z.string() })),
});

export const handler = makeTaskHandler(Input, ({ caseId, licenses }) =>
  deliverResults(flowDeps(), caseId, licenses),
);
