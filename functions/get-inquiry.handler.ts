/** GET /v1/inquiries/{inquiryId} — the applicant follows their inquiry: status, deadline and answer. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquirySchema } from '#adapters/http/schemas.ts';
import { applicantsInquiry } from '#core/evaluation/inquiry.ts';
import { InquiryParams } from '#core/evaluation/requests.ts';
import { inquiryView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'get-inquiry',
  method: 'GET',
  path: '/v1/inquiries/{inquiryId}',
  caller: 'applicant',
  summary: 'My inquiry (12345): status, the department answering, its deadline and the answer',
  description:
    'Example: `GET /v1/inquiries/q-…` → `{"id":"q-…","status":"answered","answer":{"text":"…"},…}`.',
  tags: ['Evaluation'],
  params: InquiryParams,
  responses: { 200: { description: 'The inquiry.', schema: component('Inquiry', InquirySchema) } },
  problems: { 404: 'No such inquiry of this applicant (through this portal, or by the hotline).' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  const inquiry = await applicantsInquiry(evaluationStore, params.inquiryId, caller);
  return {
    status: 200,
    body: inquiryView(catalog(), inquiry, new Date()),
    headers: { 'cache-control': 'no-store' },
  };
});
