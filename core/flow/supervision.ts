/**
 * 电子监察: which open tasks are overdue or at risk, and the supervision view over them. Pure: the
 * scheduled function and the supervision endpoint both use it over the open-task index (a port).
 */
import type { TaskRecord } from '../case/model.ts';
import { taskView } from '../case/views.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { SUPERVISOR_ID } from '../credentials/tokens.ts';
import type { PlaceIndex } from '../places/places.ts';
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

/** The open tasks due before a time, one page at a time (the adapter's open-task index). */
export interface OpenTaskIndex {
  openTasksDueBefore(
    before: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: TaskRecord[]; nextCursor?: string | undefined }>;
}

export interface SupervisionDeps {
  readonly openTasks: OpenTaskIndex;
  readonly catalog: CatalogIndex;
  readonly places: PlaceIndex;
  now(): Date;
}

/** At most this many pages of open tasks are read per view (100 each): a bound on one request's work. */
const MAX_PAGES = 20;

/**
 * Use case: the supervision view (电子监察).
 *  1. Read the open tasks due before the attention horizon (overdue or due within a working day).
 *  2. A supervisor sees every department's; a department sees its own.
 *  3. Group them by department (overdue, at risk) and total them per place (通办).
 */
export async function supervisionView(deps: SupervisionDeps, viewer: { departmentId: string }) {
  const now = deps.now();
  const open: TaskRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await deps.openTasks.openTasksDueBefore(attentionHorizon(now), 100, cursor);
    open.push(...r.items);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  const visible =
    viewer.departmentId === SUPERVISOR_ID ? open : open.filter((t) => t.departmentId === viewer.departmentId);
  const index = deps.catalog;
  const groups = groupByDepartment(visible, now);
  const departments = groups.map((g) => ({
    departmentId: g.departmentId,
    departmentName: index.departments.get(g.departmentId)?.name ?? g.departmentId,
    overdue: g.overdue.map((t) => taskView(index, t)),
    atRisk: g.atRisk.map((t) => taskView(index, t)),
  }));
  return {
    generatedAt: now.toISOString(),
    totals: {
      overdue: departments.reduce((n, d) => n + d.overdue.length, 0),
      atRisk: departments.reduce((n, d) => n + d.atRisk.length, 0),
    },
    departments,
    places: totalsByPlace(groups, deps.places.placeOfDepartment).map((p) => ({
      ...p,
      placeName: deps.places.place(p.placeId)?.name ?? p.placeId,
    })),
  };
}
