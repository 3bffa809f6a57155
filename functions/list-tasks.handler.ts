/** GET /v1/departments/{departmentId}/tasks?status=pending&limit=&cursor= — a department's inbox. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { departmentInbox } from '#adapters/dynamodb/task-queries.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams, TaskListQuery } from '#core/api/requests.ts';
import { taskView } from '#core/case/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  {
    caller: 'department',
    params: DepartmentParams,
    query: TaskListQuery,
  },
  async ({ params, query, caller }) => {
    if (caller.kind !== 'department' || caller.departmentId !== params.departmentId)
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
  },
);
