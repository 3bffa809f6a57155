/** GET /v1/hotline/inquiries/{inquiryId} — 12345 follows any inquiry: status, deadline and answer. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquirySchema } from '#adapters/http/schemas.ts';
import { InquiryParams } from '#core/evaluation/requests.ts';
import { inquiryView } from '#core/evaluation/views.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-hotline-inquiry',
  method: 'GET',
  path: '/v1/hotline/inquiries/{inquiryId}',
  caller: 'hotline',
  summary: 'An inquiry, for the 12345 operator answering a caller who asks after it',
  description: 'Any inquiry, through a portal or by the hotline. Example: `GET /v1/hotline/inquiries/q-…`.',
  tags: ['Evaluation'],
  params: InquiryParams,
  responses: { 200: { description: 'The inquiry.', schema: component('Inquiry', InquirySchema) } },
  problems: { 404: 'There is no such inquiry.' },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params }) => {
  const inquiry = await evaluationStore.getInquiry(params.inquiryId);
  if (!inquiry) throw new NotFoundError(`There is no inquiry "${params.inquiryId}".`);
  return { status: 200, body: inquiryView(catalog(), inquiry, new Date()) };
});
