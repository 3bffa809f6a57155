/**
 * Task "Deliver Results" of the case flow as it was before issue #14: record the delivery of the
 * issued licenses and end the case `issued`. The current definition delivers in Issue And Deliver
 * Licenses (issue-licenses.task.ts); this function stays deployed because executions started on
 * the old definition still invoke it: there it records the delivery, or, when the merged function
 * has already made it (their Issue Licenses state invokes that one), leaves the issued case as it
 * is. Remove it (row in functions/routes.ts, this file) once no such
 * execution can run: a year after the merged definition is deployed (the ASL's TimeoutSeconds).
 */
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
