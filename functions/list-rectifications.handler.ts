/** GET /v1/departments/{departmentId}/rectifications — a department's rectifications (整改), open first. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams, PageQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, RectificationListSchema } from '#adapters/http/schemas.ts';
import { rectificationView } from '#core/evaluation/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'list-rectifications',
  method: 'GET',
  path: '/v1/departments/{departmentId}/rectifications',
  caller: 'department',
  summary: 'A department’s rectifications (整改) after 差评: open ones first, earliest due, then completed',
  description:
    'Each is due 5 working days after the rating; `overdue` once it is past that and still open. Example: `GET /v1/departments/market-regulation/rectifications?limit=20`.',
  tags: ['Evaluation'],
  params: DepartmentParams,
  query: PageQuery,
  responses: {
    200: {
      description: 'One page of rectifications.',
      schema: component('RectificationList', RectificationListSchema),
    },
  },
  problems: {
    400: 'The cursor is not one this listing gave out.',
    403: 'A department sees only its own rectifications.',
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, query, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department sees only its own rectifications.');
  const page = await evaluationStore.departmentRectifications(params.departmentId, query);
  const index = catalog();
  const now = new Date();
  return {
    status: 200,
    body: {
      items: page.items.map((r) => rectificationView(index, r, now)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
  };
});
