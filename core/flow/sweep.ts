/**
 * Use case: the scheduled supervision sweep (电子监察). Every open task past its deadline is
 * flagged overdue once, with a timeline entry and an audit record; the department and the
 * supervisors see it in GET /v1/supervision. The task itself stays workable.
 */
import type { TaskRecord } from '../case/model.ts';
import type { TaskRepository } from '../case/ports.ts';

export interface SweepDeps {
  readonly tasks: TaskRepository;
  /** Open tasks due before the instant, page by page. */
  openTasksDueBefore(before: string, cursor?: string): Promise<{ items: TaskRecord[]; nextCursor?: string }>;
  now(): Date;
}

export async function sweepOverdue(
  deps: SweepDeps,
  maxPages = 50,
): Promise<{ examined: number; flagged: number }> {
  const now = deps.now();
  let cursor: string | undefined;
  let examined = 0;
  let flagged = 0;
  for (let page = 0; page < maxPages; page++) {
    const { items, nextCursor } = await deps.openTasksDueBefore(now.toISOString(), cursor);
    for (const t of items) {
      examined++;
      if (t.overdue || t.kind === 'supplement') continue;
      const at = now.toISOString();
      if (
        await deps.tasks.flagOverdue(t.taskId, {
          at,
          event: 'task_overdue',
          detail: { taskId: t.taskId, departmentId: t.departmentId, dueAt: t.dueAt },
        })
      )
        flagged++;
    }
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return { examined, flagged };
}
