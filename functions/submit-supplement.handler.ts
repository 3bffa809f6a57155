/** POST /v1/cases/{caseId}/supplements — answers the one consolidated correction request (补正). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { CaseParams } from '#core/api/requests.ts';
import { SupplementSchema, submitSupplement } from '#core/case/submit-supplement.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: CaseParams, body: SupplementSchema },
  async ({ params, body, caller }) => {
    if (caller.kind !== 'portal') throw new Error('unreachable');
    const record = await submitSupplement(
      {
        cases: caseRepository,
        tasks: taskRepository,
        materials: materialLookup,
        workflow,
        now: () => new Date(),
      },
      catalog(),
      { portalId: caller.portalId, caseId: params.caseId, supplement: body },
    );
    return { status: 202, body: { id: record.caseId, status: record.status, dueAt: record.dueAt } };
  },
);
