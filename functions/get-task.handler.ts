/** GET /v1/tasks/{taskId} — a department's task with the case data its services need. */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { getMaterial } from '#adapters/dynamodb/material-store.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { presignDownload } from '#adapters/s3/material-files.ts';
import { TaskParams } from '#core/api/requests.ts';
import { taskView } from '#core/case/views.ts';
import { taskScope } from '#core/flow/task-detail.ts';
import { NotFoundError } from '#core/shared/errors.ts';

export const handler = makeHttpHandler(
  { caller: 'department', params: TaskParams },
  async ({ params, caller }) => {
    const task = await taskRepository.get(params.taskId);
    if (
      !task ||
      task.kind === 'supplement' ||
      caller.kind !== 'department' ||
      task.departmentId !== caller.departmentId
    )
      throw new NotFoundError(`There is no task "${params.taskId}" of your department.`);
    const record = (await caseRepository.get(task.caseId))!;
    const index = catalog();
    const scope = taskScope(index, record, task);
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
  },
);
