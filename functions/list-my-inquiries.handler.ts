/** GET /v1/me/inquiries — the signed-in applicant's inquiries, newest first. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { PageQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquiryListSchema } from '#adapters/http/schemas.ts';
import { inquiryView } from '#core/evaluation/views.ts';
import { dataSubjectOf } from '#core/identity/applicant.ts';

export const route = defineRoute({
  name: 'list-my-inquiries',
  method: 'GET',
  path: '/v1/me/inquiries',
  caller: 'applicant',
  summary:
    'My inquiries (12345), newest first: those asked through this portal and those filed by the hotline',
  description: 'Example: `GET /v1/me/inquiries?limit=20`.',
  tags: ['Evaluation'],
  query: PageQuery,
  responses: {
    200: { description: 'One page of inquiries.', schema: component('InquiryList', InquiryListSchema) },
  },
  problems: { 400: 'The cursor is not one this listing gave out.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ query, caller }) => {
  const key = await evaluationStore.applicantKey(dataSubjectOf(caller.applicant));
  const page = await evaluationStore.applicantInquiries(key, caller.portalId, query);
  const index = catalog();
  const now = new Date();
  return {
    status: 200,
    body: {
      items: page.items.map((q) => inquiryView(index, q, now)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
    headers: { 'cache-control': 'no-store' },
  };
});
