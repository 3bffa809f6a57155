/** POST /v1/cases/{caseId}/withdrawal — the applicant withdraws the case (撤回). */
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { CaseParams } from '#core/api/requests.ts';
import { WithdrawalSchema, withdrawCase } from '#core/case/withdraw-case.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: CaseParams, body: WithdrawalSchema },
  async ({ params, body, caller }) => {
    if (caller.kind !== 'portal') throw new Error('unreachable');
    const record = await withdrawCase(
      { cases: caseRepository, tasks: taskRepository, workflow, now: () => new Date() },
      { portalId: caller.portalId, caseId: params.caseId, reason: body.reason },
    );
    return { status: 200, body: { id: record.caseId, status: record.status, updatedAt: record.updatedAt } };
  },
);
