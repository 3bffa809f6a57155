/**
 * GET /v1/departments/{departmentId}/tasks?status=pending&limit=&cursor=&wait= — a department's
 * inbox; with `wait` (seconds) a long poll: an empty first page answers as soon as a task arrives.
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { departmentInboxWaiting } from '#adapters/dynamodb/task-queries.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { DepartmentParams, TaskListQuery } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { TaskListSchema } from '#adapters/http/schemas.ts';
import { taskView } from '#core/case/views.ts';
import { MAX_WAIT_SECONDS } from '#core/flow/long-poll.ts';
import { ForbiddenError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'list-tasks',
  method: 'GET',
  path: '/v1/departments/{departmentId}/tasks',
  caller: 'department',
  summary: 'A department’s inbox, by task status, paginated',
  description: `With \`wait\` (0–${MAX_WAIT_SECONDS} s, default 0) a long poll: when the first page is empty, the answer comes as soon as a task arrives (seen within half a second), or empty after \`wait\` seconds. Departments that want to be told instead subscribe to their task events: \`POST /v1/departments/{departmentId}/webhooks\`.`,
  tags: ['Departments'],
  params: DepartmentParams,
  query: TaskListQuery,
  responses: { 200: { description: 'One page of tasks.', schema: TaskListSchema } },
  problems: {
    400: 'The cursor is not one this listing gave out.',
    403: 'A department sees only its own inbox.',
  },
  needs: { table: 'read' },
  // The long poll's 20 s, and room to answer (API Gateway gives up at 29 s).
  timeoutSeconds: MAX_WAIT_SECONDS + 5,
});

export const handler = httpHandler(route)(async ({ params, query, caller }) => {
  if (caller.departmentId !== params.departmentId)
    throw new ForbiddenError('A department sees only its own tasks.');
  const page = await departmentInboxWaiting(
    params.departmentId,
    query.status,
    query.limit,
    query.cursor,
    query.wait,
  );
  const index = catalog();
  return {
    status: 200,
    body: {
      items: page.items.map((t) => taskView(index, t)),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    },
  };
});
