/** GET /v1/departments/{departmentId}/inquiries — the inquiries routed to a department, open first. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams, PageQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, InquiryListSchema } from '#adapters/http/schemas.ts';
import { inquiryView } from '#core/evaluation/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'list-department-inquiries',
  method: 'GET',
  path: '/v1/departments/{departmentId}/inquiries',
  caller: 'department',
  summary: 'The inquiries (12345) routed to a department: open ones first, earliest due, then answered',
  description: 'Example: `GET /v1/departments/market-regulation/inquiries?limit=20`.',
  tags: ['Evaluation'],
  params: DepartmentParams,
  query: PageQuery,
  responses: {
    200: { description: 'One page of inquiries.', schema: component('InquiryList', InquiryListSchema) },
  },
  problems: {
    400: 'The cursor is not one this listing gave out.',
    403: 'A department sees only the inquiries routed to it.',
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, query, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department sees only the inquiries routed to it.');
  const page = await evaluationStore.departmentInquiries(params.departmentId, query);
  const index = catalog();
  const now = new Date();
  return {
    status: 200,
    body: {
      items: page.items.map((q) => inquiryView(index, q, now)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
  };
});
