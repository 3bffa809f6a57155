/** GET /v1/cases — this portal's cases of the signed-in applicant, newest first, cursor-paginated. */
import { applicantCases } from '#adapters/dynamodb/applicant-cases.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { PageQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { ApplicantCaseListSchema } from '#adapters/http/schemas.ts';
import { dataSubjectOf } from '#core/identity/applicant.ts';

export const route = defineRoute({
  name: 'list-cases',
  method: 'GET',
  path: '/v1/cases',
  caller: 'applicant',
  summary: 'My cases (我的办件): this portal’s cases of the signed-in applicant, newest first',
  description:
    'For a person, the cases they applied for as themself; for an organisation, its cases. Another portal’s cases are not listed.',
  tags: ['Cases'],
  query: PageQuery,
  responses: { 200: { description: 'One page of cases.', schema: ApplicantCaseListSchema } },
  problems: { 400: 'The cursor is not one this listing gave out.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ query, caller }) => {
  const whose = dataSubjectOf(caller.applicant);
  const page = await applicantCases(caller.portalId, whose, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { status: 200, body: page, headers: { 'cache-control': 'no-store' } };
});
