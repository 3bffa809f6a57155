/** GET /v1/supervision — overdue and at-risk tasks per department (电子监察), rectifications and overdue inquiries. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { places } from '#adapters/catalog/places.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { openTasksDueBefore } from '#adapters/dynamodb/task-queries.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { SupervisionSchema } from '#adapters/http/schemas.ts';
import { SUPERVISOR_ID } from '#core/credentials/tokens.ts';
import { evaluationAttention } from '#core/evaluation/views.ts';
import { supervisionView } from '#core/flow/supervision.ts';

export const route = defineRoute({
  name: 'get-supervision',
  method: 'GET',
  path: '/v1/supervision',
  caller: 'department',
  summary: 'Overdue and at-risk tasks (电子监察): all departments for a supervisor, else the caller’s own',
  description:
    'Beside the tasks: open rectifications after 差评 (整改, overdue flagged) and 12345 inquiries past their response deadline.',
  tags: ['Supervision'],
  responses: { 200: { description: 'The tasks needing attention.', schema: SupervisionSchema } },
  needs: { table: 'read' },
});

export const handler = httpHandler(route)(async ({ caller }) => {
  const now = new Date();
  const index = catalog();
  const [tasks, evaluation] = await Promise.all([
    supervisionView(
      { openTasks: { openTasksDueBefore }, catalog: index, places: places(), now: () => now },
      caller,
    ),
    evaluationAttention(
      { store: evaluationStore, catalog: index, now: () => now },
      { departmentId: caller.departmentId, sees: caller.departmentId === SUPERVISOR_ID ? 'all' : 'own' },
    ),
  ]);
  return {
    status: 200,
    body: {
      ...tasks,
      totals: { ...tasks.totals, ...evaluation.totals },
      rectifications: evaluation.rectifications,
      overdueInquiries: evaluation.overdueInquiries,
    },
  };
});
