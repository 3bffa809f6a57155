/** POST /v1/inquiries — the signed-in applicant asks, complains or suggests (12345 一号服务) through a portal. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquiryCreatedSchema } from '#adapters/http/schemas.ts';
import { askInquiry, InquiryRequestSchema } from '#core/evaluation/inquiry.ts';
import { inquiryView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'create-inquiry',
  method: 'POST',
  path: '/v1/inquiries',
  caller: 'applicant',
  summary: 'Ask, complain or suggest (12345): about one of my cases or a bundle',
  description:
    'Routed to the department answerable — for a case, the one holding its current open task (else its lead department); for a bundle, its lead department — and due in working days by kind: consultation 1, complaint 5, suggestion 10. Example: `{"kind": "complaint", "text": "审查已超过承诺时限", "caseId": "c-…"}`.',
  tags: ['Evaluation'],
  body: { schema: component('InquiryRequest', InquiryRequestSchema), description: 'The inquiry.' },
  responses: { 201: { description: 'Filed.', schema: component('InquiryCreated', InquiryCreatedSchema) } },
  problems: {
    404: 'The case named is not one of this portal’s cases of this applicant.',
    422: 'Neither a case nor a bundle is named, the bundle is unknown, or it is not the case’s.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ body, caller }) => {
  const index = catalog();
  const inquiry = await askInquiry(
    {
      cases: caseRepository,
      store: evaluationStore,
      catalog: index,
      places: places(),
      now: () => new Date(),
    },
    { from: { channel: 'portal', portalId: caller.portalId, applicant: caller.applicant }, request: body },
  );
  const { id, kind, status, departmentId, departmentName, dueAt } = inquiryView(index, inquiry, new Date());
  return { status: 201, body: { id, kind, status, departmentId, departmentName, dueAt } };
});
