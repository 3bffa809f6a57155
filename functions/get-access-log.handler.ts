/**
 * GET /v1/me/access-log — every read of the signed-in applicant's personal data (prefill, a
 * department's task detail and material downloads, supervision): who, which portal or department,
 * when, why. Visible as soon as the read is (each read writes its entry before answering).
 */
import { privacyStore } from '#adapters/dynamodb/privacy-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { PageQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { AccessLogSchema } from '#adapters/http/schemas.ts';
import { dataSubjectOf } from '#core/identity/applicant.ts';
import { BadRequestError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-access-log',
  method: 'GET',
  path: '/v1/me/access-log',
  caller: 'applicant',
  summary: 'Who read my personal data, when and why (access log)',
  description:
    'For a person, reads of their data; for an organisation, reads of its data. Newest first, paginated.',
  tags: ['Cases'],
  query: PageQuery,
  responses: { 200: { description: 'One page of the access log.', schema: AccessLogSchema } },
  problems: { 400: 'The cursor is not one this listing gave out.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ query, caller }) => {
  const whose = dataSubjectOf(caller.applicant);
  let page: Awaited<ReturnType<typeof privacyStore.listAccess>>;
  try {
    page = await privacyStore.listAccess(whose, {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'ValidationException')
      throw new BadRequestError('The cursor is not one this listing gave out.');
    throw err;
  }
  return { status: 200, body: page, headers: { 'cache-control': 'no-store' } };
});
