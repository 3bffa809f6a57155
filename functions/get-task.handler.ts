/**
 * GET /v1/tasks/{taskId} — a department's task with the case data its services need. The
 * applicant's personal data in full (and material download links) only while the department holds
 * an open task on the case and for DEPARTMENT_ACCESS_AFTER_CLOSE after; every such read — and every
 * batch of download links — is in the applicant's access log (core/flow/task-detail.ts).
 */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { config } from '#adapters/config.ts';
import { caseWithTasks } from '#adapters/dynamodb/case-reads.ts';
import { getMaterial } from '#adapters/dynamodb/material-store.ts';
import { privacyStore } from '#adapters/dynamodb/privacy-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { TaskParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { TaskDetailSchema } from '#adapters/http/schemas.ts';
import { presignDownload } from '#adapters/s3/material-files.ts';
import { taskDetail } from '#core/flow/task-detail.ts';

export const route = defineRoute({
  name: 'get-task',
  method: 'GET',
  path: '/v1/tasks/{taskId}',
  caller: 'department',
  summary: 'A task with only the case data its services need (最小必要)',
  description:
    'A department’s view of one of its tasks (最小必要): the case’s status and applicant, only the form fields and materials its services need (with short-lived download links), the approved prerequisites’ results, and the joint inspection it takes part in. Reading it while the task is open shows the applicant’s data in full and is recorded in the applicant’s access log; after the department’s access period it is masked. Another department’s task is 404.',
  tags: ['Departments'],
  params: TaskParams,
  responses: { 200: { description: 'The task.', schema: TaskDetailSchema } },
  problems: { 404: 'No such task of this department (another department’s task is 404 too).' },
  // One Query of the case's partition; one BatchWriteItem to the applicant's access log.
  needs: { table: 'write', files: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => ({
  status: 200,
  body: await taskDetail(
    {
      caseWithTasks,
      // Only for a case attached before it recorded its materials' file facts.
      material: getMaterial,
      presignDownload: (key, file) => presignDownload(key, file),
      catalog: catalog(),
      personalData: {
        accessAfterMs: config().DEPARTMENT_ACCESS_AFTER_CLOSE,
        recordAccesses: privacyStore.recordAccesses,
        now: () => new Date(),
      },
    },
    { taskId: params.taskId, departmentId: caller.departmentId },
  ),
}));
