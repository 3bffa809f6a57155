/** GET /v1/cases/{caseId} — progress (进度查询): status, tasks, decisions and the timeline. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#core/api/requests.ts';
import { caseView } from '#core/case/views.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  { caller: 'portal', params: CaseParams },
  async ({ params, caller }) => {
    const view = await caseRepository.view(params.caseId);
    // Another portal's case is indistinguishable from a missing one.
    if (!view || caller.kind !== 'portal' || view.record.portalId !== caller.portalId)
      throw new NotFoundError(`There is no case "${params.caseId}" of yours.`);
    return { status: 200, body: caseView(catalog(), view) };
  },
);
