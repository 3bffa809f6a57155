/** Task: a step failed after its retries — the failure is recorded on the case for supervision. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { recordFailure } from '#core/flow/steps.ts';

const Input = z.object({
  caseId: z.string(),
  failure: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
});

export const handler = makeTaskHandler(Input, ({ caseId, failure }) =>
  recordFailure(flowDeps(), caseId, failure),
);
