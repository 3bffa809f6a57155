/** GET /v1/supervision — overdue and at-risk tasks per department (电子监察). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { openTasksDueBefore } from '#adapters/dynamodb/task-queries.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import type { TaskRecord } from '#core/case/model.ts';
import { taskView } from '#core/case/views.ts';
import { SUPERVISOR_ID } from '#core/credentials/tokens.ts';
import { attentionHorizon, groupByDepartment } from '#core/flow/supervision.ts';

const MAX_PAGES = 20;

export const handler = makeHttpHandler({ caller: 'department' }, async ({ caller }) => {
  if (caller.kind !== 'department') throw new Error('unreachable');
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
  const departments = groupByDepartment(visible, now).map((g) => ({
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
    },
  };
});
