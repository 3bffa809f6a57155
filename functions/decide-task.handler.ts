/** POST /v1/tasks/{taskId}/decision — a department decides its task (受理 / 审查). */
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { makeHttpHandler } from '#adapters/http/handler.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import { TaskParams } from '#core/api/requests.ts';
import { taskView } from '#core/case/views.ts';
import { DecisionRequestSchema, decideTask } from '#core/flow/decide-task.ts';

export const handler = makeHttpHandler(
  {
    caller: 'department',
    params: TaskParams,
    body: DecisionRequestSchema,
  },
  async ({ params, body, caller }) => {
    if (caller.kind !== 'department') throw new Error('unreachable');
    const { task, replayed } = await decideTask(
      { tasks: taskRepository, workflow, now: () => new Date() },
      { taskId: params.taskId, departmentId: caller.departmentId, request: body },
    );
    return { status: 200, body: { ...taskView(catalog(), task), replayed } };
  },
);
