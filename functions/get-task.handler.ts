/** GET /v1/tasks/{taskId} — a department's task with the case data its services need. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { getMaterial } from '#adapters/dynamodb/material-store.ts';
import { httpHandler } from '#adapters/http/handler.ts';
import { TaskParams } from '#adapters/http/params.ts';
import { defineRoute } from '#adapters/http/route.ts';
import { TaskDetailSchema } from '#adapters/http/schemas.ts';
import { presignDownload } from '#adapters/s3/material-files.ts';
import { taskView } from '#core/case/views.ts';
import { taskScope } from '#core/flow/task-detail.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const route = defineRoute({
  name: 'get-task',
  method: 'GET',
  path: '/v1/tasks/{taskId}',
  caller: 'department',
  summary: 'A task with only the case data its services need (最小必要)',
  tags: ['Departments'],
  params: TaskParams,
  responses: { 200: { description: 'The task.', schema: TaskDetailSchema } },
  problems: { 404: 'No such task of this department (another department’s task is 404 too).' },
  needs: { table: 'read', files: 'read' },
});

export const handler = httpHandler(route)(async ({ params, caller }) => {
  const task = await taskRepository.get(params.taskId);
  if (!task || task.kind === 'supplement' || task.departmentId !== caller.departmentId)
    throw new NotFoundError(`There is no task "${params.taskId}" of your department.`);
  const record = (await caseRepository.get(task.caseId))!;
  const index = catalog();
  const scope = taskScope(index, record, task, await taskRepository.listForCase(task.caseId));
  const materials = await Promise.all(
    scope.materials.map(async (m) => {
      if (!m.materialId) return m;
      const stored = await getMaterial(record.portalId, m.materialId);
      if (!stored) return m;
      const link = await presignDownload(stored.s3Key, stored);
      return {
        ...m,
        fileName: stored.fileName,
        contentType: stored.contentType,
        size: stored.size,
        downloadUrl: link.url,
        expiresAt: link.expiresAt,
      };
    }),
  );
  return {
    status: 200,
    body: {
      ...taskView(index, task),
      case: {
        id: record.caseId,
        status: record.status,
        applicant: record.applicant,
        delivery: record.delivery.method,
        dueAt: record.dueAt,
      },
      ...scope,
      materials,
    },
  };
});
