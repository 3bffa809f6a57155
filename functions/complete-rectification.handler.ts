/** POST /v1/rectifications/{rectificationId}/completion — the department records its 整改 and the 回访 result. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { evaluationStore } from '#adapters/dynamodb/evaluation-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { component, RectificationSchema } from '#adapters/http/schemas.ts';
import { completeRectification, RectificationCompletionSchema } from '#core/evaluation/rectification.ts';
import { RectificationParams } from '#core/evaluation/requests.ts';
import { rectificationView } from '#core/evaluation/views.ts';

export const route = defineRoute({
  name: 'complete-rectification',
  method: 'POST',
  path: '/v1/rectifications/{rectificationId}/completion',
  caller: 'department',
  summary: 'Complete a rectification (整改): what was done, and the follow-up with the applicant (回访)',
  description:
    'Once, by the department it was opened for. Example: `{"action": "窗口增设自助取号机，缩短等候", "followUp": {"contacted": true, "satisfied": true, "note": "电话回访，申请人认可"}}`.',
  tags: ['Evaluation'],
  params: RectificationParams,
  body: {
    schema: component('RectificationCompletion', RectificationCompletionSchema),
    description: 'The rectification and the follow-up result.',
  },
  responses: { 200: { description: 'Completed.', schema: component('Rectification', RectificationSchema) } },
  problems: {
    403: 'The rectification is another department’s.',
    404: 'There is no such rectification.',
    409: 'The rectification is completed already.',
  },
  needs: { table: 'write' },
});

export const handler = httpHandler(route)(async ({ params, body, caller }) => {
  const now = new Date();
  const done = await completeRectification(
    { store: evaluationStore, now: () => now },
    { departmentId: caller.departmentId, rectificationId: params.rectificationId, request: body },
  );
  return { status: 200, body: rectificationView(catalog(), done, now) };
});
