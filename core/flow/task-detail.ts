/**
 * What a department sees of a case when it works on its task: only the form fields and materials
 * its own services need (最小必要), plus the case's progress. The lead department's acceptance
 * covers every chosen service, so it sees the whole application.
 *
 * Staged dispatch: a review also carries what its prerequisites produced ("同步获取…前置部门的办理
 * 信息") — each approved prerequisite's result with its data (the new enterprise's credit code, the
 * licence number…) — so nobody asks for what another department just produced. A field its services
 * need that a prerequisite produced is shown with that value. An inspected service's review carries
 * the joint inspection (联合勘验) it shares with the other inspecting departments.
 */

import type { CaseRecord, TaskRecord } from '../case/model.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';
import { JOINT_INSPECTION, jointInspection, prerequisites, prerequisitesOf } from './stages.ts';

/** The values a service's approved result stands for: its recorded form data and what it produced. */
export function resultData(
  index: CatalogIndex,
  record: CaseRecord,
  serviceId: string,
): Record<string, string> {
  const service = index.bundle(record.bundleId).services.find((s) => s.id === serviceId);
  const out: Record<string, string> = {};
  for (const id of service?.result.data ?? []) {
    const v = record.form[id];
    if (v !== undefined && v !== null) out[id] = String(v);
  }
  return { ...out, ...(record.results?.[serviceId] ?? {}) };
}

export function taskScope(
  index: CatalogIndex,
  record: CaseRecord,
  task: TaskRecord,
  tasks: readonly TaskRecord[] = [],
) {
  const bundle = index.bundle(record.bundleId);
  const services = bundle.services.filter((s) => task.services.includes(s.id));
  const fields = mergeFields(index, services);
  const materialTypes = new Set(mergeMaterials(index, services).map((m) => m.material.id));

  const graph = prerequisites(bundle, record.services);
  const before = new Set(
    task.kind === 'acceptance' ? [] : task.services.flatMap((s) => prerequisitesOf(graph, s)),
  );
  const approved = new Set(
    tasks.filter((t) => t.kind === 'review' && t.decision?.outcome === 'approve').flatMap((t) => t.services),
  );
  const prerequisiteResults = bundle.services
    .filter((s) => before.has(s.id) && approved.has(s.id))
    .map((s) => ({
      serviceId: s.id,
      name: s.name,
      departmentId:
        tasks.find((t) => t.kind === 'review' && t.services.includes(s.id))?.departmentId ?? s.departmentId,
      result: { kind: s.result.kind, name: s.result.name, data: resultData(index, record, s.id) },
    }));
  const produced = Object.assign({}, ...prerequisiteResults.map((p) => p.result.data)) as Record<
    string,
    string
  >;

  const joint = jointInspection(bundle, record.services);
  const inspectionTask = tasks.filter((t) => t.kind === 'inspection').sort((a, b) => b.round - a.round)[0];
  const inspection =
    joint && (task.kind === 'inspection' || before.has(JOINT_INSPECTION))
      ? {
          services: [...joint.services],
          departments: joint.departments.map((d) => ({ id: d, name: index.departments.get(d)?.name ?? d })),
          ...(inspectionTask
            ? {
                taskId: inspectionTask.taskId,
                organiser: inspectionTask.departmentId,
                status: inspectionTask.status,
                scheduledBy: inspectionTask.dueAt,
                ...(inspectionTask.decision
                  ? {
                      findings: inspectionTask.decision.opinion,
                      decidedAt: inspectionTask.decision.decidedAt,
                    }
                  : {}),
              }
            : {}),
        }
      : undefined;

  return {
    bundle: { id: bundle.id, name: bundle.name },
    services: services.map((s) => ({
      id: s.id,
      name: s.name,
      legalBasis: s.legalBasis,
      conditions: s.conditions,
      commitment: record.commitments.includes(s.id),
    })),
    form: Object.fromEntries(
      fields.flatMap((f) => {
        const value = produced[f.field.id] ?? record.form[f.field.id];
        return value === undefined ? [] : [[f.field.id, { title: f.field.title, value }]];
      }),
    ),
    materials: record.materials.filter((m) => materialTypes.has(m.type)),
    ...(task.kind === 'acceptance' ? {} : { prerequisites: prerequisiteResults }),
    ...(inspection ? { inspection } : {}),
    ...(record.places ? { places: record.places } : {}),
  };
}
