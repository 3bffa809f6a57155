/**
 * 电子监察: which open tasks are overdue or at risk. Pure: the scheduled function and the
 * supervision endpoint both use it over the open-task index.
 */
import type { TaskRecord } from '../case/model.ts';
import { addWorkingDays } from '../time/working-days.ts';

/** A task is at risk when its deadline falls within this many working days. */
export const AT_RISK_WORKING_DAYS = 1;

export type Urgency = 'overdue' | 'at_risk' | 'on_time';

export function urgency(task: Pick<TaskRecord, 'dueAt' | 'status'>, now: Date): Urgency {
  if (task.status !== 'pending') return 'on_time';
  const due = Date.parse(task.dueAt);
  if (due < now.getTime()) return 'overdue';
  if (due <= addWorkingDays(now, AT_RISK_WORKING_DAYS).getTime()) return 'at_risk';
  return 'on_time';
}

/**
 * The instant before which an open task is at least at risk (the supervision query's bound, which
 * is exclusive): just after the at-risk deadline, so a task due exactly then — as every acceptance
 * is, one working day from its opening — is found, as `urgency` counts it.
 */
export function attentionHorizon(now: Date): string {
  return new Date(addWorkingDays(now, AT_RISK_WORKING_DAYS).getTime() + 1).toISOString();
}

export interface DepartmentSupervision {
  readonly departmentId: string;
  readonly overdue: readonly TaskRecord[];
  readonly atRisk: readonly TaskRecord[];
}

export function groupByDepartment(tasks: readonly TaskRecord[], now: Date): DepartmentSupervision[] {
  const out = new Map<string, { overdue: TaskRecord[]; atRisk: TaskRecord[] }>();
  for (const t of tasks) {
    const u = urgency(t, now);
    if (u === 'on_time' || t.kind === 'supplement') continue;
    const entry = out.get(t.departmentId) ?? { overdue: [], atRisk: [] };
    (u === 'overdue' ? entry.overdue : entry.atRisk).push(t);
    out.set(t.departmentId, entry);
  }
  return [...out.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([departmentId, e]) => ({ departmentId, ...e }));
}

export interface PlaceSupervision {
  readonly placeId: string;
  readonly overdue: number;
  readonly atRisk: number;
}

/** 通办: the same attention counted per place — each department belongs to one (the city's by default). */
export function totalsByPlace(
  groups: readonly DepartmentSupervision[],
  placeOf: (departmentId: string) => string,
): PlaceSupervision[] {
  const out = new Map<string, { overdue: number; atRisk: number }>();
  for (const g of groups) {
    const place = placeOf(g.departmentId);
    const t = out.get(place) ?? { overdue: 0, atRisk: 0 };
    out.set(place, { overdue: t.overdue + g.overdue.length, atRisk: t.atRisk + g.atRisk.length });
  }
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([placeId, t]) => ({ placeId, ...t }));
}
