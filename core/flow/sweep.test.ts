/** The sweep's deadline notices over in-memory ports: due soon once, overdue once, nothing else. */
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../case/model.ts';
import type { TaskRepository } from '../case/ports.ts';
import { type DeadlineNotice, type SweptTask, sweepOverdue } from './sweep.ts';

// A Wednesday 10:00 in China (02:00 UTC): the next working day is Thursday.
const NOW = new Date('2025-03-05T02:00:00.000Z');

const task = (id: string, dueAt: string, extra: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId: `c-1.r0.${id}`,
  caseId: 'c-1',
  kind: 'review',
  departmentId: id,
  services: [],
  round: 0,
  status: 'pending',
  createdAt: '2025-03-01T00:00:00.000Z',
  dueAt,
  overdue: false,
  escalations: 0,
  ...extra,
});

/** The open-task index and the conditional write, in memory: a mark per (task, type), as the store keeps it. */
function world(tasks: TaskRecord[]) {
  const marks = new Map<string, DeadlineNotice[]>();
  const written: [string, DeadlineNotice][] = [];
  const flagged: string[] = [];
  return {
    written,
    flagged,
    deps: {
      tasks: {
        flagOverdue: async (taskId: string) => {
          flagged.push(taskId);
          return true;
        },
      } as unknown as TaskRepository,
      async openTasksDueBefore(before: string) {
        const items: SweptTask[] = tasks
          .filter((t) => t.dueAt < before)
          .map((t) => ({ ...t, ...(marks.get(t.taskId) ? { notified: marks.get(t.taskId) } : {}) }));
        return { items };
      },
      async notifyOnce(t: TaskRecord, type: DeadlineNotice) {
        const m = marks.get(t.taskId) ?? [];
        if (m.includes(type)) return false;
        marks.set(t.taskId, [...m, type]);
        written.push([t.taskId, type]);
        return true;
      },
      now: () => NOW,
    },
  };
}

describe('the sweep’s task events', () => {
  it('tells a task due within a working day once, an overdue one once, and leaves later ones alone', async () => {
    const w = world([
      task('soon', '2025-03-06T01:00:00.000Z'), // Thursday 09:00: within one working day
      task('late', '2025-03-04T01:00:00.000Z'), // yesterday: overdue
      task('later', '2025-03-10T01:00:00.000Z'), // next week
      task('applicant', '2025-03-04T01:00:00.000Z', { kind: 'supplement' }),
    ]);
    const first = await sweepOverdue(w.deps);
    expect(w.written).toEqual([
      ['c-1.r0.soon', 'task.due_soon'],
      ['c-1.r0.late', 'task.overdue'],
    ]);
    expect(first.notified).toEqual({ 'task.due_soon': 1, 'task.overdue': 1 });
    expect(w.flagged).toEqual(['c-1.r0.late']);

    const again = await sweepOverdue(w.deps);
    expect(again.notified).toEqual({ 'task.due_soon': 0, 'task.overdue': 0 });
    expect(w.written).toHaveLength(2);
  });

  it('tells an overdue task once even when the flow’s timeout already marked it overdue', async () => {
    const w = world([task('escalated', '2025-03-04T01:00:00.000Z', { overdue: true, escalations: 1 })]);
    await sweepOverdue(w.deps);
    expect(w.written).toEqual([['c-1.r0.escalated', 'task.overdue']]);
    expect(w.flagged).toEqual([]);
  });

  it('tells a task that was due soon overdue once its deadline has passed', async () => {
    const w = world([task('soon', '2025-03-05T03:00:00.000Z')]);
    await sweepOverdue(w.deps);
    await sweepOverdue({ ...w.deps, now: () => new Date('2025-03-05T04:00:00.000Z') });
    expect(w.written).toEqual([
      ['c-1.r0.soon', 'task.due_soon'],
      ['c-1.r0.soon', 'task.overdue'],
    ]);
  });
});
