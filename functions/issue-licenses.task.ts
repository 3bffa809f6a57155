/**
 * Task "Issue And Deliver Licenses" (一窗出件), the flow's last state: sign and store the e-license
 * of every approved service (random id, printed verification code), then record their delivery and
 * end the case `issued` — the licenses recorded by the delivery's own write when they can be
 * (core/flow/issue-and-deliver.ts). One task for both: two fewer billed transitions per case than Issue
 * Licenses → Deliver Results → Case Issued (issue #14).
 * Safe to run again — the state's Retry after the delivery failed, or an execution started on the
 * old definition, whose Deliver Results state follows: licenses already recorded are not issued
 * again, and a case already issued is not delivered again. It answers the licenses too, for that
 * old Deliver Results ($.issued.value.licenses).
 */
import * as z from 'zod/mini';
import { flowDeps } from '#adapters/flow-deps.ts';
import { issueDeps } from '#adapters/issue-deps.ts';
import { makeTaskHandler } from '#adapters/lambda/task-handler.ts';
import { issueAndDeliver } from '#core/flow/issue-and-deliver.ts';

const Input = z.object({
  caseId: z.string().check(z.minLength(1), z.maxLength(100)),
  approved: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(50)),
});

export const handler = makeTaskHandler(Input, async (input) =>
  issueAndDeliver({ issue: await issueDeps(), flow: flowDeps() }, input),
);
