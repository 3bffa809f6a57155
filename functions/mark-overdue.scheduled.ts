/**
 * Scheduled (EventBridge in AWS, a timer in `npm start`): flags overdue tasks for supervision, and
 * writes each task's `task.due_soon` / `task.overdue` webhook event once (core/flow/sweep.ts).
 */
import { taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { taskEventOnce } from '#adapters/dynamodb/outbox.ts';
import { openTasksDueBefore } from '#adapters/dynamodb/task-queries.ts';
import { invocation, logger } from '#adapters/logger.ts';
import { sweepOverdue } from '#core/flow/sweep.ts';

export const handler = invocation(async () => {
  const result = await sweepOverdue({
    tasks: taskRepository,
    openTasksDueBefore: (before, cursor) => openTasksDueBefore(before, 100, cursor),
    notifyOnce: taskEventOnce,
    now: () => new Date(),
  });
  logger.info('supervision sweep', { ...result });
  return result;
});
