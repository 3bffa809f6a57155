import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../case/model.ts';
import { cityOnly, indexPlaces } from '../places/places.ts';
import { addWorkingDays } from '../time/working-days.ts';
import {
  AT_RISK_WORKING_DAYS,
  attentionHorizon,
  groupByDepartment,
  supervisionView,
  totalsByPlace,
  urgency,
} from './supervision.ts';

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

describe('totalsByPlace', () => {
  it('counts each department’s overdue and at-risk tasks for the place it belongs to', () => {
    const t = (departmentId: string) => ({ departmentId }) as never;
    const groups = [
      { departmentId: 'jintan-market-regulation', overdue: [t('a')], atRisk: [t('b'), t('c')] },
      { departmentId: 'jintan-city-management', overdue: [], atRisk: [t('d')] },
      { departmentId: 'tax', overdue: [t('e')], atRisk: [] },
    ];
    const placeOf = (d: string) => (d.startsWith('jintan-') ? 'jintan' : 'changzhou');
    expect(totalsByPlace(groups, placeOf)).toEqual([
      { placeId: 'changzhou', overdue: 1, atRisk: 0 },
      { placeId: 'jintan', overdue: 1, atRisk: 3 },
    ]);
  });
});

describe('attentionHorizon', () => {
  it('lies after a task due exactly one working day ahead, which is at risk (the query bound is exclusive)', () => {
    const now = new Date('2026-11-10T02:00:00.000Z');
    const due = addWorkingDays(now, AT_RISK_WORKING_DAYS).toISOString();
    expect(urgency({ dueAt: due, status: 'pending' }, now)).toBe('at_risk');
    expect(due < attentionHorizon(now)).toBe(true);
  });
});

describe('the supervision view', () => {
  const now = new Date('2026-11-20T10:00:00+08:00');
  const index = {
    departments: new Map([
      ['a', { id: 'a', name: '甲局' }],
      ['b', { id: 'b', name: '乙局' }],
    ]),
  } as unknown as Parameters<typeof supervisionView>[0]['catalog'];
  const places = indexPlaces(cityOnly({ city: { id: 'changzhou', name: '常州市' } }));
  // Two pages of open tasks: the view reads them all.
  const pages = [
    { items: [task('a', '2026-11-19T15:59:59Z'), task('b', '2026-11-23T10:00:00+08:00')], nextCursor: 'p2' },
    { items: [{ ...task('b', '2026-11-18T00:00:00Z'), taskId: 'c-y.r0.b' }] },
  ];
  const openTasks = {
    async openTasksDueBefore(_before: string, _limit: number, cursor?: string) {
      return pages[cursor === 'p2' ? 1 : 0]!;
    },
  };
  const deps = { openTasks, catalog: index, places, now: () => now };

  it('shows a supervisor every department, across pages, with totals', async () => {
    const view = await supervisionView(deps, { departmentId: 'supervision' });
    expect(view.totals).toEqual({ overdue: 2, atRisk: 1 });
    expect(view.departments.map((d) => [d.departmentName, d.overdue.length, d.atRisk.length])).toEqual([
      ['甲局', 1, 0],
      ['乙局', 1, 1],
    ]);
  });

  it('shows a department only its own work', async () => {
    const view = await supervisionView(deps, { departmentId: 'a' });
    expect(view.departments.map((d) => d.departmentId)).toEqual(['a']);
    expect(view.totals).toEqual({ overdue: 1, atRisk: 0 });
  });
});
