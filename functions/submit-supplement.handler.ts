/** POST /v1/cases/{caseId}/supplements — answers the one consolidated correction request (补正). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { materialLookup } from '#adapters/dynamodb/material-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { SupplementAcceptedSchema } from '#adapters/http/schemas.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { SupplementSchema, submitSupplement } from '#core/case/submit-supplement.ts';

export const route = defineRoute({
  name: 'submit-supplement',
  method: 'POST',
  path: '/v1/cases/{caseId}/supplements',
  caller: 'applicant',
  summary: 'Answer the one consolidated correction request (补正), once',
  description:
    'Answers the case’s one consolidated correction request (补正) with corrected form values and/or replacement materials, once per round: only the departments that asked review again. A case that is not awaiting a correction is 409.',
  tags: ['Cases'],
  params: CaseParams,
  body: { schema: SupplementSchema, description: 'Corrected form values and/or replacement materials.' },
  responses: { 202: { description: 'Accepted; the flow resumes.', schema: SupplementAcceptedSchema } },
  problems: {
    404: 'No such case of this portal.',
    409: 'The case is not awaiting a correction (or was already supplemented).',
    422: 'The supplement is invalid: every problem listed (`material_in_use`, `material_changed` among them). Nothing changes: the correction stays open for a corrected supplement.',
  },
  needs: { table: 'write', files: 'read', workflow: ['callback'] },
});

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const record = await submitSupplement(
    {
      cases: caseRepository,
      tasks: taskRepository,
      materials: materialLookup,
      workflow,
      now: () => new Date(),
    },
    catalog(),
    { portalId: caller.portalId, applicant: caller.applicant, caseId: params.caseId, supplement: body },
  );
  return { status: 202, body: { id: record.caseId, status: record.status, dueAt: record.dueAt } };
});
