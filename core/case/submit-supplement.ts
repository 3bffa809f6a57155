/**
 * Use case: the applicant answers the one consolidated correction request (补正), once.
 *  1. The case must be the portal's and awaiting correction.
 *  2. The supplied form values and materials are checked completely (一次反馈 again).
 *  3. They are merged into the case; the deadline is extended by the working days the case was
 *     paused; the case returns to where the correction was asked (acceptance or review).
 *  4. The waiting execution is resumed through the supplement task's token.
 */
import * as z from 'zod';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { formProblems } from '../catalog/form.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';
import { ConflictError, NotFoundError, type Problem, ValidationError } from '../shared/errors.ts';
import { addWorkingDays, workingDaysBetween } from '../time/working-days.ts';
import { type CaseRecord, taskIdFor } from './model.ts';
import type { CaseRepository, MaterialLookup, TaskRepository, Workflow } from './ports.ts';

export const SupplementSchema = z
  .object({
    form: z.record(z.string(), z.unknown()).default({}),
    materials: z
      .array(z.object({ type: z.string().min(1).max(100), materialId: z.string().min(1).max(100) }))
      .max(100)
      .default([]),
  })
  .refine((s) => Object.keys(s.form).length + s.materials.length > 0, {
    message: 'Supply form values or materials.',
  });
export type Supplement = z.infer<typeof SupplementSchema>;

export interface SupplementDeps {
  readonly cases: CaseRepository;
  readonly tasks: TaskRepository;
  readonly materials: MaterialLookup;
  readonly workflow: Workflow;
  attachMaterials(ids: readonly string[], caseId: string): Promise<void>;
  now(): Date;
}

export async function submitSupplement(
  deps: SupplementDeps,
  index: CatalogIndex,
  input: { portalId: string; caseId: string; supplement: Supplement },
): Promise<CaseRecord> {
  const record = await deps.cases.get(input.caseId);
  if (!record || record.portalId !== input.portalId)
    throw new NotFoundError(`There is no case "${input.caseId}" of yours.`);
  if (record.status !== 'awaiting_correction' || !record.correction)
    throw new ConflictError(
      `Case ${record.caseId} is ${record.status}: there is no open correction request to answer.`,
    );

  const bundle = index.bundle(record.bundleId);
  const services = bundle.services.filter((s) => record.services.includes(s.id));
  const { form, materials } = input.supplement;
  const problems: Problem[] = [];
  const fields = mergeFields(index, services).filter((f) => f.field.id in form);
  problems.push(
    ...formProblems(
      fields.map((f) => ({ ...f, required: false })),
      form,
      '/form',
    ).filter((p) => p.code !== 'unknown_field'),
  );
  const known = new Set(mergeFields(index, services).map((f) => f.field.id));
  for (const key of Object.keys(form))
    if (!known.has(key))
      problems.push({
        path: `/form/${key}`,
        code: 'unknown_field',
        message: `"${key}" is not a field of this case's form.`,
      });
  const neededTypes = new Set(mergeMaterials(index, services).map((m) => m.material.id));
  const facts = await deps.materials.facts(
    input.portalId,
    materials.map((m) => m.materialId),
  );
  materials.forEach((m, i) => {
    const fact = facts.get(m.materialId);
    if (!neededTypes.has(m.type))
      problems.push({
        path: `/materials/${i}/type`,
        code: 'material_not_needed',
        message: `"${m.type}" is not a material of this case.`,
      });
    else if (!fact || fact.bundleId !== record.bundleId)
      problems.push({
        path: `/materials/${i}/materialId`,
        code: 'material_unknown',
        message: `There is no material "${m.materialId}" of yours.`,
      });
    else if (fact.type !== m.type)
      problems.push({
        path: `/materials/${i}/type`,
        code: 'material_wrong_type',
        message: `Material "${m.materialId}" was uploaded as "${fact.type}".`,
      });
    else if (fact.state !== 'verified')
      problems.push({
        path: `/materials/${i}/materialId`,
        code: fact.state === 'not_uploaded' ? 'material_not_uploaded' : 'material_unverified',
        message: `Material "${m.materialId}" is not usable (${fact.state}).`,
      });
  });
  if (problems.length) throw new ValidationError(problems);

  const now = deps.now();
  const byType = new Map(materials.map((m) => [m.type, m.materialId]));
  const newMaterials = record.materials.map((m) =>
    byType.has(m.type) ? { type: m.type, materialId: byType.get(m.type)! } : m,
  );
  for (const [type, materialId] of byType)
    if (!newMaterials.some((m) => m.type === type)) newMaterials.push({ type, materialId });
  // 办结时限 pauses while the applicant corrects: the deadline moves by the working days waited.
  const paused = workingDaysBetween(new Date(record.correction.requestedAt), now);
  const dueAt = addWorkingDays(new Date(record.dueAt), paused).toISOString();
  const back = record.correction.stage === 'acceptance' ? 'submitted' : 'in_review';
  const at = now.toISOString();
  const ok = await deps.cases.transition(
    record.caseId,
    ['awaiting_correction'],
    { status: back, form: { ...record.form, ...form }, materials: newMaterials, dueAt },
    {
      at,
      event: 'supplemented',
      detail: { round: record.correction.round, fields: Object.keys(form), materials: [...byType.keys()] },
    },
    { actor: `portal:${input.portalId}`, action: 'supplement', detail: { round: record.correction.round } },
  );
  if (!ok) throw new ConflictError(`Case ${record.caseId} was already supplemented.`);
  await deps.attachMaterials([...byType.values()], record.caseId);

  const taskId = taskIdFor(record.caseId, record.correction.round, 'supplement', 'applicant');
  const task = await deps.tasks.get(taskId);
  if (task) {
    const { task: stored } = await deps.tasks.decide(
      task,
      {
        outcome: 'approve',
        opinion: '',
        corrections: [],
        decidedAt: at,
        decidedBy: `portal:${input.portalId}`,
      },
      'approved',
      { at, event: 'supplement_task_closed', detail: { taskId } },
      { actor: `portal:${input.portalId}`, action: 'close_supplement_task', detail: { taskId } },
    );
    if (stored.taskToken) await deps.workflow.succeed(stored.taskToken, { outcome: 'supplemented' });
  }
  return (await deps.cases.get(record.caseId))!;
}
