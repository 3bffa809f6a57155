import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../case/model.ts';
import { groupByDepartment, urgency } from './supervision.ts';

const task = (departmentId: string, dueAt: string, status: TaskRecord['status'] = 'pending'): TaskRecord => ({
  taskId: `c-x.r0.${departmentId}`,
  caseId: 'c-x',
  kind: 'review',
  departmentId,
  services: [],
  round: 0,
  status,
  createdAt: '2026-11-01T00:00:00Z',
  dueAt,
  overdue: false,
  escalations: 0,
});

describe('supervision', () => {
  const now = new Date('2026-11-20T10:00:00+08:00'); // a Friday

  it('calls a pending task past its deadline overdue', () => {
    expect(urgency(task('a', '2026-11-19T15:59:59Z'), now)).toBe('overdue');
  });

  it('calls a task due by the end of the next working day at risk, across the weekend', () => {
    expect(urgency(task('a', '2026-11-23T10:00:00+08:00'), now)).toBe('at_risk'); // Monday
    expect(urgency(task('a', '2026-11-25T10:00:00+08:00'), now)).toBe('on_time');
  });

  it('never flags a decided task', () => {
    expect(urgency(task('a', '2020-01-01T00:00:00Z', 'approved'), now)).toBe('on_time');
  });

  it('groups overdue and at-risk tasks per department', () => {
    const groups = groupByDepartment(
      [
        task('tax', '2026-11-01T00:00:00Z'),
        task('tax', '2026-11-23T08:00:00+08:00'),
        task('hrss', '2026-11-01T00:00:00Z'),
      ],
      now,
    );
    expect(groups.map((g) => [g.departmentId, g.overdue.length, g.atRisk.length])).toEqual([
      ['hrss', 1, 0],
      ['tax', 1, 1],
    ]);
  });
});
