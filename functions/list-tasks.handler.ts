/** GET /v1/departments/{departmentId}/tasks?status=pending&limit=&cursor= — a department's inbox. */
import { z } from 'zod';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { departmentInbox } from '#adapters/dynamodb/task-queries.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { TASK_STATUSES } from '#core/case/model.ts';
import { taskView } from '#core/case/views.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  {
    caller: 'department',
    params: z.object({ departmentId: z.string().min(1).max(100) }),
    query: z.object({
      status: z.enum(TASK_STATUSES).default('pending'),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(2000).optional(),
    }),
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
