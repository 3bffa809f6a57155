/**
 * What a department sees of a case when it works on its task: only the form fields and materials
 * its own services need (最小必要), plus the case's progress. The lead department's acceptance
 * covers every chosen service, so it sees the whole application.
 *
 * Staged dispatch: a review also carries what its prerequisites produced ("同步获取…前置部门的办理
 * 信息") — each approved prerequisite's result with its data (the new enterprise's credit code, the
 * license number…) — so nobody asks for what another department just produced. A field its services
 * need that a prerequisite produced is shown with that value. An inspected service's review carries
 * the joint inspection (联合勘验) it shares with the other inspecting departments.
 */

import { type CaseRecord, caseIdOfTask, type MaterialFile, type TaskRecord } from '../case/model.ts';
import { publicMaterial, taskView } from '../case/views.ts';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';
import type { PrivacyPort } from '../identity/privacy.ts';
import { CaseNotFoundError, NotFoundError } from '../shared/errors.ts';
import { maskedForDepartment, maskedForm, seesPersonalData } from './personal-data.ts';
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

export interface TaskDetailDeps {
  /** The case (undefined when it is missing) and every task of it, in one read. */
  caseWithTasks(
    caseId: string,
  ): Promise<{ readonly record: CaseRecord | undefined; readonly tasks: readonly TaskRecord[] }>;
  /**
   * A portal's stored material, for its file facts (undefined when gone): only for a material
   * attached before the case recorded them (CaseMaterialSchema `file`).
   */
  material(portalId: string, materialId: string): Promise<MaterialFile | undefined>;
  /** A short-lived download link for a stored file. */
  presignDownload(
    key: string,
    file: { readonly fileName: string; readonly contentType: string },
  ): Promise<{ url: string; expiresAt: string }>;
  readonly catalog: CatalogIndex;
}

/**
 * Personal data in task detail (PIPL purpose limitation): shown in full only while the department
 * holds an open task on the case and for `accessAfterMs` after (core/flow/personal-data.ts), each
 * such read recorded in the applicant's access log — with a second entry when material download
 * links are issued; masked after, without download links.
 */
export interface PersonalDataDeps {
  readonly accessAfterMs: number;
  readonly recordAccesses: PrivacyPort['recordAccesses'];
  now(): Date;
}

/**
 * Use case: a department opens one of its tasks.
 *  1. One read: the case and its tasks (the task's case is named in its id).
 *  2. Only its own task (another department's, or the applicant's supplement wait, is not found).
 *  3. While it may see the applicant's personal data: one write to the applicant's access log
 *     (the task read, and the download links when there are materials) before anything leaves.
 *  4. The case data its services need (taskScope), with a short-lived download link per material
 *     — presigned from the file facts the case recorded (read from the material only for a case
 *     attached before they were recorded).
 */
export async function taskDetail(
  deps: TaskDetailDeps & { readonly personalData?: PersonalDataDeps },
  input: { taskId: string; departmentId: string },
) {
  const notFound = () => new NotFoundError(`There is no task "${input.taskId}" of your department.`);
  const caseId = caseIdOfTask(input.taskId);
  if (!caseId) throw notFound();
  const { record, tasks } = await deps.caseWithTasks(caseId);
  const task = tasks.find((t) => t.taskId === input.taskId);
  if (!task || task.kind === 'supplement' || task.departmentId !== input.departmentId) throw notFound();
  if (!record) throw new CaseNotFoundError(`Case ${task.caseId} of task ${task.taskId} is missing.`);
  const index = deps.catalog;
  const scope = taskScope(index, record, task, tasks);
  const pd = deps.personalData;
  const now = pd?.now() ?? new Date();
  const full = !pd || seesPersonalData(record, tasks, input.departmentId, now, pd.accessAfterMs);
  if (pd && full) {
    // In the applicant's access log before the data leaves: who, which department, why (the task).
    const whose =
      record.applicant.kind === 'person'
        ? { kind: 'person' as const, idNumber: record.applicant.idNumber }
        : { kind: 'organisation' as const, uscc: record.applicant.uscc };
    const entry = {
      at: now.toISOString(),
      actor: { kind: 'department' as const, id: input.departmentId },
      caseId: record.caseId,
    };
    await pd.recordAccesses(whose, [
      { ...entry, purpose: `task:${task.taskId}` },
      ...(scope.materials.some((m) => m.materialId)
        ? [{ ...entry, purpose: `material:${task.taskId}` }]
        : []),
    ]);
  }
  const materials = await Promise.all(
    scope.materials.map(async (m) => {
      const shown = publicMaterial(m);
      if (!m.materialId || !full) return shown;
      const file = m.file ?? (await deps.material(record.portalId, m.materialId));
      if (!file) return shown;
      const link = await deps.presignDownload(file.s3Key, file);
      return {
        ...shown,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.size,
        downloadUrl: link.url,
        expiresAt: link.expiresAt,
      };
    }),
  );
  return {
    ...taskView(index, task),
    case: {
      id: record.caseId,
      status: record.status,
      applicant: full ? record.applicant : maskedForDepartment(record.applicant),
      personalData: full ? ('full' as const) : ('masked' as const),
      delivery: record.delivery.method,
      dueAt: record.dueAt,
    },
    ...scope,
    form: full ? scope.form : maskedForm(scope.form),
    materials,
  };
}
