/** GET /v1/supervision — overdue and at-risk tasks per department (电子监察). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { openTasksDueBefore } from '#adapters/dynamodb/task-queries.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { SupervisionSchema } from '#adapters/http/schemas.ts';
import type { TaskRecord } from '#core/case/model.ts';
import { taskView } from '#core/case/views.ts';
import { SUPERVISOR_ID } from '#core/credentials/tokens.ts';
import { attentionHorizon, groupByDepartment, totalsByPlace } from '#core/flow/supervision.ts';

const MAX_PAGES = 20;

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

export const handler = httpHandler(route)(async ({ caller }) => {
  const now = new Date();
  const open: TaskRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await openTasksDueBefore(attentionHorizon(now), 100, cursor);
    open.push(...r.items);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  // Supervisors see every department; a department sees itself.
  const visible =
    caller.departmentId === SUPERVISOR_ID ? open : open.filter((t) => t.departmentId === caller.departmentId);
  const index = catalog();
  const groups = groupByDepartment(visible, now);
  const city = places();
  const departments = groups.map((g) => ({
    departmentId: g.departmentId,
    departmentName: index.departments.get(g.departmentId)?.name ?? g.departmentId,
    overdue: g.overdue.map((t) => taskView(index, t)),
    atRisk: g.atRisk.map((t) => taskView(index, t)),
  }));
  return {
    status: 200,
    body: {
      generatedAt: now.toISOString(),
      totals: {
        overdue: departments.reduce((n, d) => n + d.overdue.length, 0),
        atRisk: departments.reduce((n, d) => n + d.atRisk.length, 0),
      },
      departments,
      places: totalsByPlace(groups, city.placeOfDepartment).map((p) => ({
        ...p,
        placeName: city.place(p.placeId)?.name ?? p.placeId,
      })),
    },
  };
});
