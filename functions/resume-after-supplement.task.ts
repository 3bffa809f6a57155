/** Task: after the applicant's supplement — back to acceptance, or re-review by those who asked. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { resumeAfterSupplement } from '#core/flow/steps.ts';

const Input = z.object({ caseId: z.string() });

export const handler = makeTaskHandler(Input, ({ caseId }) => resumeAfterSupplement(flowDeps(), caseId));
