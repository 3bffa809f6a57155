/**
 * Use case: the scheduled supervision sweep (电子监察). Every open task past its deadline is
 * flagged overdue once, with a timeline entry and an audit record; the department and the
 * supervisors see it in GET /v1/supervision. The task itself stays workable.
 *
 * The same pass tells the departments (their webhooks, core/webhooks): `task.due_soon` once for a
 * task whose deadline falls within AT_RISK_WORKING_DAYS (one working day, as supervision counts
 * "at risk"), and `task.overdue` once for a task past it — each at most once per task however
 * often the sweep runs or however many sweeps run at once (the store's conditional write), and
 * also for a task the flow's callback timeout already marked overdue.
 */
import type { TaskRecord } from '../case/model.ts';
import type { TaskRepository } from '../case/ports.ts';
import { TASK_DUE_SOON, TASK_OVERDUE } from '../webhooks/events.ts';
import { attentionHorizon } from './supervision.ts';

/** The sweep's task events: the deadline is near, or has passed. */
export type DeadlineNotice = typeof TASK_DUE_SOON | typeof TASK_OVERDUE;

/** An open task as the sweep reads it: with the deadline notices already sent for it. */
export type SweptTask = TaskRecord & { readonly notified?: readonly DeadlineNotice[] };

export interface SweepDeps {
  readonly tasks: TaskRepository;
  /** Open tasks due before the instant (exclusive), page by page. */
  openTasksDueBefore(before: string, cursor?: string): Promise<{ items: SweptTask[]; nextCursor?: string }>;
  /**
   * Writes the task's event of that type unless it was written before and while the task is
   * pending; true iff written now.
   */
  notifyOnce(task: TaskRecord, type: DeadlineNotice, at: string): Promise<boolean>;
  now(): Date;
}

export interface SweepResult {
  readonly examined: number;
  readonly flagged: number;
  /** Task events written by this sweep, by type. */
  readonly notified: { readonly [TASK_DUE_SOON]: number; readonly [TASK_OVERDUE]: number };
}

/** Which deadline notice a pending task is owed now, if any. */
export function noticeDue(task: SweptTask, now: Date): DeadlineNotice | undefined {
  if (task.status !== 'pending' || task.kind === 'supplement') return undefined;
  // Past due: only `task.overdue` (a `task.due_soon` now would be news of the past).
  const type = Date.parse(task.dueAt) < now.getTime() ? TASK_OVERDUE : TASK_DUE_SOON;
  if (type === TASK_DUE_SOON && task.dueAt >= attentionHorizon(now)) return undefined;
  return task.notified?.includes(type) ? undefined : type;
}

export async function sweepOverdue(deps: SweepDeps, maxPages = 50): Promise<SweepResult> {
  const now = deps.now();
  const at = now.toISOString();
  let cursor: string | undefined;
  let examined = 0;
  let flagged = 0;
  const notified = { [TASK_DUE_SOON]: 0, [TASK_OVERDUE]: 0 };
  for (let page = 0; page < maxPages; page++) {
    // Everything due within the attention horizon: the overdue and those due soon.
    const { items, nextCursor } = await deps.openTasksDueBefore(attentionHorizon(now), cursor);
    for (const t of items) {
      examined++;
      if (t.kind === 'supplement') continue;
      const overdue = Date.parse(t.dueAt) < now.getTime();
      if (
        overdue &&
        !t.overdue &&
        (await deps.tasks.flagOverdue(t.taskId, {
          at,
          event: 'task_overdue',
          detail: { taskId: t.taskId, departmentId: t.departmentId, dueAt: t.dueAt },
        }))
      )
        flagged++;
      const notice = noticeDue(t, now);
      if (notice && (await deps.notifyOnce(t, notice, at))) notified[notice]++;
    }
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return { examined, flagged, notified };
}
