/** POST /v1/cases/{caseId}/withdrawal — the applicant withdraws the case (撤回). */
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { WithdrawnSchema } from '#adapters/http/schemas.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { WithdrawalSchema, withdrawCase } from '#core/case/withdraw-case.ts';

export const route = defineRoute({
  name: 'withdraw-case',
  method: 'POST',
  path: '/v1/cases/{caseId}/withdrawal',
  caller: 'applicant',
  summary: 'Withdraw the case (撤回) while it is not final',
  description:
    'Open tasks leave the departments’ inboxes and the flow stops. Withdrawing again answers the same.',
  tags: ['Cases'],
  params: CaseParams,
  body: { schema: WithdrawalSchema, description: 'Optionally, why.' },
  responses: { 200: { description: 'Withdrawn.', schema: WithdrawnSchema } },
  problems: {
    404: 'No such case of this portal.',
    409: 'The case is already final (issued or rejected), or is changing at this very moment (retry).',
  },
  needs: { table: 'write', workflow: ['stop'] },
});

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const record = await withdrawCase(
    { cases: caseRepository, tasks: taskRepository, workflow, now: () => new Date() },
    { portalId: caller.portalId, applicant: caller.applicant, caseId: params.caseId, reason: body.reason },
  );
  return { status: 200, body: { id: record.caseId, status: record.status, updatedAt: record.updatedAt } };
});
