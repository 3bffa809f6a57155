/** POST /v1/inquiries/{inquiryId}/answer — the department it was routed to answers, once. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquirySchema } from '#adapters/http/schemas.ts';
import { answerInquiry, InquiryAnswerSchema } from '#core/evaluation/inquiry.ts';
import { InquiryParams } from '#core/evaluation/requests.ts';
import { inquiryView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'answer-inquiry',
  method: 'POST',
  path: '/v1/inquiries/{inquiryId}/answer',
  caller: 'department',
  summary: 'Answer an inquiry (12345) routed to this department; once',
  description: 'Example: `{"text": "您的申请已于今日审查完毕，请留意短信通知。"}`.',
  tags: ['Evaluation'],
  params: InquiryParams,
  body: { schema: component('InquiryAnswer', InquiryAnswerSchema), description: 'The answer.' },
  responses: { 200: { description: 'Answered.', schema: component('Inquiry', InquirySchema) } },
  problems: {
    403: 'The inquiry is routed to another department.',
    404: 'There is no such inquiry.',
    409: 'The inquiry is answered already.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const now = new Date();
  const answered = await answerInquiry(
    { store: evaluationStore, now: () => now },
    { departmentId: caller.departmentId, inquiryId: params.inquiryId, text: body.text },
  );
  return { status: 200, body: inquiryView(catalog(), answered, now) };
});
