/** GET /v1/supervision — overdue and at-risk tasks per department (电子监察). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { openTasksDueBefore } from '#adapters/dynamodb/task-queries.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { SupervisionSchema } from '#adapters/http/schemas.ts';
import { supervisionView } from '#core/flow/supervision.ts';

export const route = defineRoute({
  name: 'get-supervision',
  method: 'GET',
  path: '/v1/supervision',
  caller: 'department',
  summary: 'Overdue and at-risk tasks (电子监察): all departments for a supervisor, else the caller’s own',
  tags: ['Supervision'],
  responses: { 200: { description: 'The tasks needing attention.', schema: SupervisionSchema } },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ caller }) => ({
  status: 200,
  body: await supervisionView(
    { openTasks: { openTasksDueBefore }, catalog: catalog(), places: places(), now: () => new Date() },
    caller,
  ),
}));
