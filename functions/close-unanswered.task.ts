/** Task: the correction request expired unanswered — the case ends, recorded. */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { closeUnanswered } from '#core/flow/steps.ts';

const Input = z.object({ caseId: z.string() });

export const handler = makeTaskHandler(Input, ({ caseId }) => closeUnanswered(flowDeps(), caseId));
