/** POST /v1/hotline/inquiries — a 12345 hotline operator files an inquiry for the applicant who called. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { caseRepository } from '#adapters/dynamodb/case-repository.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquiryCreatedSchema } from '#adapters/http/schemas.ts';
import { askInquiry, HotlineInquiryRequestSchema } from '#core/evaluation/inquiry.ts';
import { inquiryView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'create-hotline-inquiry',
  method: 'POST',
  path: '/v1/hotline/inquiries',
  caller: 'hotline',
  summary: 'File a call to 12345 (总客服): a consultation, complaint or suggestion on an applicant’s behalf',
  description:
    'The operator names the applicant who called; a case named must be theirs. Routed and due as POST /v1/inquiries; the applicant sees it in GET /v1/me/inquiries through any portal. Example: `{"kind": "consultation", "text": "新生儿落户需要哪些材料", "bundleId": "newborn", "applicant": {"kind": "person", "name": "陈静", "idNumber": "320402199203154625"}}`.',
  tags: ['Evaluation'],
  body: {
    schema: component('HotlineInquiryRequest', HotlineInquiryRequestSchema),
    description: 'The inquiry and who called.',
  },
  responses: { 201: { description: 'Filed.', schema: component('InquiryCreated', InquiryCreatedSchema) } },
  problems: {
    404: 'The case named is not one of the applicant named.',
    422: 'Neither a case nor a bundle is named, the bundle is unknown, or it is not the case’s.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ body }) => {
  const index = catalog();
  const { applicant, ...request } = body;
  const whose =
    applicant.kind === 'person'
      ? { kind: 'person' as const, idNumber: applicant.idNumber }
      : { kind: 'organisation' as const, uscc: applicant.uscc };
  const inquiry = await askInquiry(
    {
      cases: caseRepository,
      store: evaluationStore,
      catalog: index,
      places: places(),
      now: () => new Date(),
    },
    { from: { channel: 'hotline', applicant: whose }, request },
  );
  const { id, kind, status, departmentId, departmentName, dueAt } = inquiryView(index, inquiry, new Date());
  return { status: 201, body: { id, kind, status, departmentId, departmentName, dueAt } };
});
