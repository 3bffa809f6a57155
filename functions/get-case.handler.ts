/**
 * GET /v1/cases/{caseId} — progress (进度查询): status, tasks, decisions, the timeline and the
 * licenses issued, with their download links.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { CaseParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { CaseViewSchema } from '#adapters/http/schemas.ts';
import { licenseFiles } from '#adapters/s3/license-files.ts';
import { ownCase } from '#core/case/ownership.ts';
import { caseView } from '#core/case/views.ts';
import { licensesWithLinks } from '#core/licenses/links.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-case',
  method: 'GET',
  path: '/v1/cases/{caseId}',
  caller: 'applicant',
  summary: 'Progress (进度查询): status, services, tasks, the correction request and the timeline',
  description:
    'What the applicant sees of a case: its status, each service’s result, every task (acceptance, reviews, inspection, the applicant’s supplement), the one consolidated correction request while it waits for it, the timeline of everything that happened, and the licenses once issued. Only the portal and the applicant who submitted the case may read it (anyone else: 404); personal data is masked.',
  tags: ['Cases'],
  params: CaseParams,
  responses: { 200: { description: 'The case.', schema: CaseViewSchema } },
  problems: {
    404: 'No such case of this portal and applicant (another portal’s or another applicant’s case is 404 too).',
  },
  needs: { table: 'read', files: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  const view = await caseRepository.view(params.caseId);
  // Another portal's case, or another applicant's, is indistinguishable from a missing one.
  if (!view || !ownCase(view.record, caller))
    throw new NotFoundError(`There is no case "${params.caseId}" of yours.`);
  // The licenses with their download links: the outcome and its licenses in one read. The links
  // expire within minutes: no cache may keep them longer.
  const licenses = await licensesWithLinks(licenseFiles, view.licenses);
  return { status: 200, body: caseView(catalog(), view, licenses), headers: { 'cache-control': 'no-store' } };
});
