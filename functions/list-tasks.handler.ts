/** GET /v1/departments/{departmentId}/tasks?status=pending&limit=&cursor= — a department's inbox. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { departmentInbox } from '#adapters/dynamodb/task-queries.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams, TaskListQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { TaskListSchema } from '#adapters/http/schemas.ts';
import { taskView } from '#core/case/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'list-tasks',
  method: 'GET',
  path: '/v1/departments/{departmentId}/tasks',
  caller: 'department',
  summary: 'A department’s inbox, by task status, paginated',
  tags: ['Departments'],
  params: DepartmentParams,
  query: TaskListQuery,
  responses: { 200: { description: 'One page of tasks.', schema: TaskListSchema } },
  problems: {
    400: 'The cursor is not one this listing gave out.',
    403: 'A department sees only its own inbox.',
  },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ params, query, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department sees only its own tasks.');
  const page = await departmentInbox(params.departmentId, query.status, query.limit, query.cursor);
  const index = catalog();
  return {
    status: 200,
    body: {
      items: page.items.map((t) => taskView(index, t)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
  };
});
