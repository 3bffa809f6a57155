/**
 * 一次告知: the one complete notice for a chosen set of services — legal basis, conditions, the
 * deduplicated materials (and what is NOT asked because the government already holds it), fees,
 * results, time limit and the ordered steps — plus the reduction metrics the reform tracks.
 */

import { criticalPath, jointInspection, prerequisites } from '../flow/stages.ts';
import type { CatalogIndex } from './catalog-index.ts';
import { type MergedMaterial, mergeFields, mergeMaterials } from './merge.ts';
import type { Bundle, DeliveryMethod, Service } from './schema.ts';
import { workingDaysOf } from './time-limit.ts';

export interface ReductionMetrics {
  readonly services: number;
  readonly departments: number;
  readonly fields: { readonly before: number; readonly after: number; readonly reductionPercent: number };
  readonly materials: {
    readonly before: number;
    readonly after: number;
    /** Of `after`: already held by the government (e-license library, earlier cases). */
    readonly alreadyHeld: number;
    /** What the applicant actually uploads. */
    readonly toUpload: number;
    readonly reductionPercent: number;
  };
  /** Share of the merged form's fields that shared data can fill in. */
  readonly prefillableShare: number;
  /**
   * Visits the applicant makes: a counter visit unless every chosen service can be applied for and
   * delivered online, plus the on-site inspections — ONE when several services inspect jointly (联合勘验).
   */
  readonly visits: number;
  /** On-site inspections: how many services need one, and the visits they cost (1 when joint). */
  readonly inspections: { readonly services: number; readonly visits: number };
  /**
   * Staged dispatch: a review opens when its prerequisites are approved, so the bundle takes the
   * longest path through the `order`/`requires` rules (working days), along these services.
   */
  readonly staged: { readonly days: number; readonly path: readonly string[] };
  /**
   * Working days (calendar-day limits converted, five in seven): parallel reviews take the slowest
   * branch, not the sum.
   */
  readonly timeLimitDays: { readonly parallel: number; readonly sequentialSum: number };
}

/** Reviews run in parallel, so the bundle takes as long as its slowest service, not the sum. */
export function bundleTimeLimitDays(services: readonly Service[]): number {
  return Math.max(0, ...services.map(committedWorkingDays));
}

/** A service's committed limit in working days (calendar days converted for comparison). */
export const committedWorkingDays = (s: Service) =>
  workingDaysOf(s.timeLimit.committedDays, s.timeLimit.unit);

const pct = (before: number, after: number) =>
  before === 0 ? 0 : Math.round(((before - after) / before) * 1000) / 10;

export function reductionMetrics(index: CatalogIndex, services: readonly Service[]): ReductionMetrics {
  const fields = mergeFields(index, services);
  const materials = mergeMaterials(index, services);
  const fieldsBefore = services.reduce((n, s) => n + s.fields.length, 0);
  const materialsBefore = services.reduce((n, s) => n + s.materials.length, 0);
  const alreadyHeld = materials.filter((m) => m.material.sharedData).length;
  // Service ids are unique in a catalog: the bundle is the one holding the services.
  const bundle = index.catalog.bundles.find((b) => b.services.some((s) => s.id === services[0]?.id));
  const chosen = services.map((s) => s.id);
  const graph = bundle ? prerequisites(bundle, chosen) : new Map(chosen.map((id) => [id, []]));
  const path = criticalPath(services, graph);
  const inspecting = services.filter((s) => s.inspection).length;
  const joint = bundle ? jointInspection(bundle, chosen) : undefined;
  const inspections = { services: inspecting, visits: joint ? 1 : inspecting };
  return {
    services: services.length,
    departments: new Set(services.map((s) => s.departmentId)).size,
    fields: {
      before: fieldsBefore,
      after: fields.length,
      reductionPercent: pct(fieldsBefore, fields.length),
    },
    materials: {
      before: materialsBefore,
      after: materials.length,
      alreadyHeld,
      toUpload: materials.length - alreadyHeld,
      reductionPercent: pct(materialsBefore, materials.length - alreadyHeld),
    },
    prefillableShare:
      fields.length === 0
        ? 0
        : Math.round((fields.filter((f) => f.field.prefill).length / fields.length) * 1000) / 1000,
    visits: (services.every((s) => s.delivery.includes('electronic')) ? 0 : 1) + inspections.visits,
    inspections,
    staged: { days: path.days, path: path.path.filter((id) => chosen.includes(id)) },
    timeLimitDays: {
      parallel: bundleTimeLimitDays(services),
      sequentialSum: services.reduce((n, s) => n + committedWorkingDays(s), 0),
    },
  };
}

function materialView(m: MergedMaterial) {
  return {
    type: m.material.id,
    name: m.material.name,
    required: m.required,
    services: m.services,
    holder: m.material.holder,
    accept: m.material.accept,
    maxBytes: m.material.maxBytes,
    deferrable: m.material.deferrable,
    ...(m.material.deferralDays ? { deferralDays: m.material.deferralDays } : {}),
    ...(m.material.description ? { description: m.material.description } : {}),
    ...(m.when ? { when: m.when } : {}),
    ...(m.perParty
      ? {
          perParty: {
            party: m.perParty.id,
            title: m.perParty.title,
            countField: m.perParty.countField,
            description: `每位${m.perParty.title}各一份 (one for each ${m.perParty.id}; as many as ${m.perParty.countField} says)`,
          },
        }
      : {}),
  };
}

export function guide(index: CatalogIndex, bundle: Bundle, services: readonly Service[]) {
  const dept = (id: string) => ({ id, name: index.department(id).name });
  const materials = mergeMaterials(index, services);
  const toProvide = materials.filter((m) => !m.material.sharedData);
  const held = materials.filter((m) => m.material.sharedData);
  const reviewing = [...new Set(services.map((s) => s.departmentId))];
  const delivery = (['electronic', 'pickup', 'courier'] as DeliveryMethod[]).filter((d) =>
    services.every((s) => s.delivery.includes(d)),
  );
  const chosen = new Set(services.map((s) => s.id));
  const orderRules = bundle.rules.filter(
    (r) => r.kind === 'order' && chosen.has(r.before) && chosen.has(r.after),
  );
  const metrics = reductionMetrics(index, services);

  return {
    bundle: { id: bundle.id, name: bundle.name, leadDepartment: dept(bundle.leadDepartmentId) },
    catalogVersion: index.catalog.version,
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      department: dept(s.departmentId),
      legalBasis: s.legalBasis,
      conditions: s.conditions,
      timeLimit: s.timeLimit,
      fees: s.fees,
      result: s.result,
      commitment: s.commitment,
    })),
    conditions: [...new Set(services.flatMap((s) => s.conditions))],
    legalBasis: [...new Set(services.flatMap((s) => s.legalBasis))],
    materials: toProvide.map(materialView),
    notRequired: held.map((m) => ({
      ...materialView(m),
      reason:
        m.material.sharedData?.source === 'eLicense'
          ? '政府已持有该电子证照，系统自动调用，无需提交 (already held as an e-license)'
          : '已在以往办件中提交，系统复用，无需重复提交 (already on file from an earlier case)',
    })),
    deferrable: toProvide.filter((m) => m.material.deferrable).map((m) => m.material.id),
    commitmentServices: services.filter((s) => s.commitment).map((s) => s.id),
    fees: {
      totalYuan: services.reduce((n, s) => n + s.fees.amountYuan, 0),
      items: services.map((s) => ({
        serviceId: s.id,
        amountYuan: s.fees.amountYuan,
        ...(s.fees.note ? { note: s.fees.note } : {}),
      })),
    },
    results: services.map((s) => ({ serviceId: s.id, kind: s.result.kind, name: s.result.name })),
    delivery,
    // Staged dispatch: the longest path through the prerequisites (the guide shows it below).
    timeLimitDays: metrics.staged.days,
    criticalPath: metrics.staged.path.map((id) => {
      const s = services.find((x) => x.id === id)!;
      return { serviceId: id, name: s.name, department: dept(s.departmentId), days: committedWorkingDays(s) };
    }),
    legalTimeLimitDays: Math.max(
      0,
      ...services.map((s) => workingDaysOf(s.timeLimit.legalDays, s.timeLimit.unit)),
    ),
    steps: [
      {
        order: 1,
        name: '一次提交',
        description:
          '在一个入口一次填写合并表单、一次上传一套材料 (apply once: one form, one set of materials).',
      },
      {
        order: 2,
        name: '牵头部门受理',
        department: dept(bundle.leadDepartmentId),
        description:
          '牵头部门审查申请，决定受理、不予受理或一次性告知补正 (the lead department accepts, refuses or asks once for corrections).',
      },
      {
        order: 3,
        name: '一次分办，并联审批',
        departments: reviewing.map(dept),
        description:
          '牵头部门一次分办；各部门事项的前置事项办结即同步开始审查，并获取前置部门的办理结果，互不依赖的事项并行审查；多个事项需现场核查的，联合勘验一次 (one dispatch; each review opens as soon as its prerequisites are approved, with their results; independent ones in parallel; one joint inspection).',
        // Not `order`: that key is the step's own number.
        ...(orderRules.length ? { orderRules } : {}),
      },
      {
        order: 4,
        name: '汇总',
        description: '牵头部门汇总各部门审查结果 (the lead department merges every decision).',
      },
      {
        order: 5,
        name: '一次出件',
        delivery,
        description: '全部结果统一送达 (all results are issued together).',
      },
    ],
    metrics,
  };
}
