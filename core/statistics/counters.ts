/**
 * The reform's KPIs from real cases, counted incrementally (考核评价): what each case adds to the
 * counters when it is submitted and when it becomes final (issued, rejected or withdrawn). Pure —
 * the case repository writes these increments in the very transaction that makes the change
 * (adapters/dynamodb/statistics-store.ts), so the counters are exact: a change is counted iff it
 * committed, and never twice.
 *
 * Where a case counts — its cells: the whole city; its bundle; each department responsible for
 * one of its services at its deciding place (通办: 金坛区市场监管局, not the city's); the place it
 * was accepted at (the city when none was named); and each bundle × department pair. The day is the
 * China date (UTC+8) of the event: submissions count on the day of submission, finals on the day
 * the case became final.
 */
import { createHash } from 'node:crypto';
import { isFinal } from '../case/lifecycle.ts';
import type { CaseRecord } from '../case/model.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import type { Bundle } from '../catalog/schema.ts';
import { workingDaysOf } from '../catalog/time-limit.ts';
import { competentDepartment } from '../flow/plan.ts';
import { criticalPath, jointInspection, prerequisites } from '../flow/stages.ts';
import type { PlaceIndex } from '../places/places.ts';
import { chinaDate, workingDaysBetween } from '../time/working-days.ts';

/**
 * Every counter, an integer summed over cases (and shards). The comment says which cases add to
 * it and by how much; core/statistics/kpis.ts turns the sums into rates and averages.
 */
export const COUNTERS = [
  /** +1 per case submitted (day of submission). */
  'submitted',
  /** Materials the application uploaded (cited by materialId, not held by the government). */
  'materialsUploaded',
  /** Materials the application did not upload: held as e-licenses or on file from an earlier case (sharedData). */
  'materialsReused',
  /** +1 per case that became final (issued, rejected or withdrawn; day it became final). */
  'finals',
  'issued',
  'rejected',
  'withdrawn',
  /** Issued with no correction round (一次办成). */
  'issuedFirstTime',
  /** Sum of the correction rounds of the cases that became final. */
  'correctionRounds',
  /** Final cases with at least one correction round. */
  'finalsWithCorrection',
  /** Decided cases (办结): issued or rejected — a withdrawal is the applicant's choice, not a decision. */
  'decided',
  /** Sum over decided cases of the working days from submission to the final decision. */
  'workingDays',
  /** Sum over decided cases of the working days from submission to the case's committed deadline (dueAt, extended while paused for a correction). */
  'committedDays',
  /** Sum over decided cases of the legal limit (法定时限) of their services in working days, along the longest chain of stages (as the deadline is computed). */
  'legalDays',
  /** Decided cases whose decision came after their committed deadline (dueAt). */
  'overdue',
  /** Sum over issued cases of the counter visits needed: 1 to fetch results unless delivered electronically, plus each on-site inspection (a joint inspection counts once). */
  'visits',
  /** Issued cases whose results were delivered electronically (0 visits to fetch them). */
  'electronicDeliveries',
  /** 好差评: ratings given (day of the rating); per department, the department's own score, else the overall for the lead. */
  'ratings',
  /** Ratings of 4 or 5 (满意, 非常满意). */
  'ratingsSatisfied',
  /** Ratings of 2 or less (差评: 不满意, 非常不满意). */
  'badRatings',
  /** Rectifications (整改) the 差评 opened, one per department (day of the rating). */
  'rectificationsOpened',
  /** Rectifications completed (day of completion), and those whose 回访 found the applicant satisfied. */
  'rectificationsCompleted',
  'rectificationsFollowUpSatisfied',
  /** 12345: inquiries received (day received), and of them complaints. */
  'inquiries',
  'complaints',
  /** Inquiries answered (day answered); the minutes they took in all; those answered after their deadline. */
  'inquiriesAnswered',
  'inquiryAnswerMinutes',
  'inquiriesAnsweredLate',
] as const;
export type CounterName = (typeof COUNTERS)[number];
export type Counters = Partial<Record<CounterName, number>>;

/** The dimensions a case counts in; `all` has the one value `*`. */
export const DIMENSIONS = ['all', 'bundle', 'department', 'place', 'bundle-department'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Cell {
  readonly dimension: Dimension;
  readonly value: string;
}

/** The value of the bundle × department dimension. */
export const bundleDepartment = (bundleId: string, departmentId: string) => `${bundleId}/${departmentId}`;

/**
 * Counters of one day are split over this many items (shards): concurrent cases of one bundle on
 * one day would otherwise update one item, and transactions touching one item conflict. A case
 * always writes to the shard its id hashes to; reads sum the shards.
 */
export const COUNTER_SHARDS = 8;

export function shardOf(caseId: string): number {
  return createHash('sha256').update(caseId).digest().readUInt32BE(0) % COUNTER_SHARDS;
}

export interface CountingContext {
  readonly catalog: CatalogIndex;
  /** 通办: the city's places; absent, the city's departments and no place dimension. */
  readonly places?: PlaceIndex | undefined;
}

/** The departments responsible for the case's services, at its deciding place (sorted, once each). */
export function departmentsOf(record: CaseRecord, ctx: CountingContext): string[] {
  const bundle = ctx.catalog.bundles.get(record.bundleId);
  if (!bundle) return [];
  const ids = bundle.services
    .filter((s) => record.services.includes(s.id))
    .map((s) => competentDepartment(record, bundle, ctx.places, s.departmentId));
  return [...new Set(ids)].sort();
}

/**
 * Every department that can count in a bundle's cells: the bundle's lead, its cooperating
 * departments and each service's, as the catalog names them and as each place's counterpart (通办:
 * the deciding place's departments review, the accepting place's counterpart of the lead accepts —
 * and is rated and asked as such). A department's own counters are the sum of its bundle × department
 * counters over the bundles that list it here (the statistics store keeps them in the bundles' items).
 */
export function departmentsOfBundle(bundle: Bundle, places: PlaceIndex | undefined): string[] {
  const named = new Set([
    bundle.leadDepartmentId,
    ...bundle.departmentIds,
    ...bundle.services.map((s) => s.departmentId),
  ]);
  const out = new Set(named);
  for (const place of places?.places ?? []) for (const d of named) out.add(places!.departmentAt(place.id, d));
  return [...out].sort();
}

/** The bundles a department can count in (departmentsOfBundle), in catalog order. */
export function bundlesOfDepartment(departmentId: string, ctx: CountingContext): string[] {
  return [...ctx.catalog.bundles.values()]
    .filter((b) => departmentsOfBundle(b, ctx.places).includes(departmentId))
    .map((b) => b.id);
}

/** Where the case was accepted: the place it names, else the city. */
export function acceptedPlaceOf(record: CaseRecord, ctx: CountingContext): string | undefined {
  return record.places?.acceptedAt ?? ctx.places?.city.id;
}

/** Every cell a case counts in. */
export function cellsOf(record: CaseRecord, ctx: CountingContext): Cell[] {
  const departments = departmentsOf(record, ctx);
  const place = acceptedPlaceOf(record, ctx);
  return [
    { dimension: 'all', value: '*' },
    { dimension: 'bundle', value: record.bundleId },
    ...departments.map((value) => ({ dimension: 'department' as const, value })),
    ...(place ? [{ dimension: 'place' as const, value: place }] : []),
    ...departments.map((d) => ({
      dimension: 'bundle-department' as const,
      value: bundleDepartment(record.bundleId, d),
    })),
  ];
}

/**
 * What a case counts for, on which day, in which cells and shard. Cells are what is read; the
 * statistics store decides the items (a bundle's item holds its bundle × department counters, and a
 * department's are summed from those: every department cell here comes with its bundle × department one).
 */
export interface Increment {
  readonly day: string;
  readonly shard: number;
  readonly cells: readonly Cell[];
  readonly counters: Counters;
}

/** A case just submitted (its record as created). */
export function submissionIncrement(record: CaseRecord, ctx: CountingContext): Increment {
  const uploaded = record.materials.filter((m) => m.materialId && !m.sharedData).length;
  const reused = record.materials.filter((m) => m.sharedData).length;
  return {
    day: chinaDate(new Date(record.createdAt)),
    shard: shardOf(record.caseId),
    cells: cellsOf(record, ctx),
    counters: dropZeros({ submitted: 1, materialsUploaded: uploaded, materialsReused: reused }),
  };
}

/**
 * The counter visits an issued case needed: one to fetch the results unless they were delivered
 * electronically, and one per on-site inspection — a joint inspection (联合勘验) counts once — as
 * GET /v1/bundles/{id}/metrics counts them from the catalog.
 */
export function visitsOf(record: CaseRecord, catalog: CatalogIndex): number {
  const bundle = catalog.bundles.get(record.bundleId);
  const inspecting = bundle?.services.filter((s) => record.services.includes(s.id) && s.inspection) ?? [];
  const joint = bundle ? jointInspection(bundle, record.services) : undefined;
  return (record.delivery.method === 'electronic' ? 0 : 1) + (joint ? 1 : inspecting.length);
}

/**
 * The legal limit (法定时限) of the case's services in working days, as its deadline is computed
 * from the committed ones: along the longest chain of stages (staged dispatch), and never less than
 * the slowest single service.
 */
export function legalDaysOf(record: CaseRecord, catalog: CatalogIndex): number {
  const bundle = catalog.bundles.get(record.bundleId);
  const services = bundle?.services.filter((s) => record.services.includes(s.id)) ?? [];
  if (!bundle || services.length === 0) return 0;
  const asLegal = services.map((s) => ({
    ...s,
    timeLimit: { ...s.timeLimit, committedDays: s.timeLimit.legalDays },
  }));
  const path = criticalPath(asLegal, prerequisites(bundle, record.services));
  return Math.max(path.days, ...services.map((s) => workingDaysOf(s.timeLimit.legalDays, s.timeLimit.unit)));
}

/**
 * A case becoming final at `at` (its record as it is at that moment, with the final status):
 * undefined when the status is not final.
 */
export function finalIncrement(record: CaseRecord, at: string, ctx: CountingContext): Increment | undefined {
  if (!isFinal(record.status)) return undefined;
  const submittedAt = new Date(record.createdAt);
  const finalAt = new Date(at);
  const issued = record.status === 'issued';
  const decided = record.status !== 'withdrawn';
  const rounds = record.correctionRound;
  const counters: Counters = {
    finals: 1,
    issued: issued ? 1 : 0,
    rejected: record.status === 'rejected' ? 1 : 0,
    withdrawn: record.status === 'withdrawn' ? 1 : 0,
    issuedFirstTime: issued && rounds === 0 ? 1 : 0,
    correctionRounds: rounds,
    finalsWithCorrection: rounds > 0 ? 1 : 0,
    ...(decided
      ? {
          decided: 1,
          workingDays: workingDaysBetween(submittedAt, finalAt),
          committedDays: workingDaysBetween(submittedAt, new Date(record.dueAt)),
          legalDays: legalDaysOf(record, ctx.catalog),
          overdue: finalAt.getTime() > Date.parse(record.dueAt) ? 1 : 0,
        }
      : {}),
    ...(issued
      ? {
          visits: visitsOf(record, ctx.catalog),
          electronicDeliveries: record.delivery.method === 'electronic' ? 1 : 0,
        }
      : {}),
  };
  return {
    day: chinaDate(finalAt),
    shard: shardOf(record.caseId),
    cells: cellsOf(record, ctx),
    counters: dropZeros(counters),
  };
}

/** Counters without the zeros (an update that adds 0 is no update). */
export function dropZeros(c: Counters): Counters {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'number' && v !== 0));
}

/** The sum of counters (reading several shards or days). */
export function addCounters(...all: readonly Counters[]): Counters {
  const out: Counters = {};
  for (const c of all)
    for (const [k, v] of Object.entries(c) as [CounterName, number][]) out[k] = (out[k] ?? 0) + v;
  return out;
}
