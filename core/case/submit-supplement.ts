/**
 * Use case: the applicant answers the one consolidated correction request (补正), once.
 *  1. The case must be the portal's and awaiting correction.
 *  2. The supplied form values and materials are checked completely (一次反馈 again).
 *     Every check runs before anything is written: a refused supplement changes nothing.
 *  3. In ONE transaction: they are merged into the case, the deadline is extended by the working
 *     days the case was paused, the case returns to where the correction was asked (acceptance
 *     or review), the new materials are attached (each must still be free) and the supplement
 *     task is completed. A material taken by another case meanwhile cancels it all (422, the
 *     correction stays open, a corrected retry works).
 *  4. The waiting execution is resumed through the supplement task's token.
 */
import * as z from 'zod/mini';
import type { CatalogIndex } from '../catalog/catalog-index.ts';
import { formProblems } from '../catalog/form.ts';
import { mergeFields, mergeMaterials } from '../catalog/merge.ts';
import type { ApplicantIdentity } from '../identity/applicant.ts';
import { ConflictError, NotFoundError, type Problem, ValidationError } from '../shared/errors.ts';
import { addWorkingDays, workingDaysBetween } from '../time/working-days.ts';
import { MAX_ATTACHED_MATERIALS, materialProblem, withFile } from './application.ts';
import { allows, isFinal, transition } from './lifecycle.ts';
import { type CaseRecord, requestHash, taskIdFor } from './model.ts';
import { ownCase } from './ownership.ts';
import {
  type CaseRepository,
  type MaterialLookup,
  MaterialsUnavailableError,
  type TaskRepository,
  type Workflow,
} from './ports.ts';

export const SupplementSchema = z
  .object({
    // Omitted is empty (filled in here, not published as a `default`).
    form: z.pipe(
      z.optional(z.record(z.string(), z.unknown())),
      z.transform((v) => v ?? {}),
    ),
    materials: z.pipe(
      z.optional(
        z
          .array(
            z.object({
              type: z.string().check(z.minLength(1), z.maxLength(100)),
              materialId: z.string().check(z.minLength(1), z.maxLength(100)),
            }),
          )
          .check(z.maxLength(100)),
      ),
      z.transform((v) => v ?? []),
    ),
  })
  .check(
    z.refine((s) => Object.keys(s.form).length + s.materials.length > 0, {
      // Not `path: ""`: the form is where values go (materials are the other half of the choice).
      message: 'Supply form values or materials: the supplement is empty.',
      path: ['form'],
      params: { code: 'empty_supplement' },
    }),
  );
export type Supplement = z.infer<typeof SupplementSchema>;

export interface SupplementDeps {
  readonly cases: CaseRepository;
  readonly tasks: TaskRepository;
  readonly materials: MaterialLookup;
  readonly workflow: Workflow;
  now(): Date;
}

export async function submitSupplement(
  deps: SupplementDeps,
  index: CatalogIndex,
  input: { portalId: string; applicant?: ApplicantIdentity; caseId: string; supplement: Supplement },
): Promise<CaseRecord> {
  const record = ownCase(await deps.cases.get(input.caseId), input);
  if (!record) throw new NotFoundError(`There is no case "${input.caseId}" of yours.`);
  if (!allows(record.status, 'supplement') || !record.correction) {
    // The same supplement again (a retry of one that committed, perhaps without resuming the
    // flow): the same answer, and the flow resumed. Anything else finds no open request.
    if (record.supplemented?.requestHash === requestHash(input.supplement) && !isFinal(record.status)) {
      await resumeFlow(deps, taskIdFor(record.caseId, record.supplemented.round, 'supplement', 'applicant'));
      return record;
    }
    throw new ConflictError(
      `Case ${record.caseId} is ${record.status}: there is no open correction request to answer.`,
    );
  }

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
  const materialChecks = (current: typeof facts) =>
    materials.flatMap((m, i): Problem[] => {
      if (!neededTypes.has(m.type))
        return [
          {
            path: `/materials/${i}/type`,
            code: 'material_not_needed',
            message: `"${m.type}" is not a material of this case.`,
          },
        ];
      // Unknown, wrong type, not uploaded or bad, changed since verified, or another case's.
      const problem = materialProblem(
        current.get(m.materialId),
        m,
        `/materials/${i}`,
        record.bundleId,
        record.caseId,
      );
      return problem ? [problem] : [];
    });
  problems.push(...materialChecks(facts));
  const supplied = new Set(materials.map((m) => m.materialId));
  if (supplied.size > MAX_ATTACHED_MATERIALS)
    problems.push({
      path: '/materials',
      code: 'too_many_materials',
      message: `A supplement has at most ${MAX_ATTACHED_MATERIALS} materials; this one has ${supplied.size}.`,
    });
  if (problems.length) throw new ValidationError(problems);

  const now = deps.now();
  const byType = new Map(materials.map((m) => [m.type, m.materialId]));
  // Each replacement with its file's facts (a task view presigns its download without a read).
  const newMaterials = record.materials.map((m) =>
    byType.has(m.type)
      ? withFile({ type: m.type, materialId: byType.get(m.type)! }, facts.get(byType.get(m.type)!))
      : m,
  );
  for (const [type, materialId] of byType)
    if (!newMaterials.some((m) => m.type === type))
      newMaterials.push(withFile({ type, materialId }, facts.get(materialId)));
  // 办结时限 pauses while the applicant corrects: the deadline moves by the working days waited.
  const paused = workingDaysBetween(new Date(record.correction.requestedAt), now);
  const dueAt = addWorkingDays(new Date(record.dueAt), paused).toISOString();
  // Back to where the correction was asked (acceptance or review): the lifecycle table says which.
  const { from, to } = transition(record.status, 'supplement', { correction: record.correction });
  const at = now.toISOString();
  // The materials the case will name that this supplement brings: attached with the change.
  const attach = newMaterials.flatMap((m) =>
    m.materialId && supplied.has(m.materialId) ? [m.materialId] : [],
  );
  const taskId = taskIdFor(record.caseId, record.correction.round, 'supplement', 'applicant');
  // Opened by the flow once it waits for the applicant (it may not be yet: the flow then sees
  // the case supplemented and resumes at once).
  const task = await deps.tasks.get(taskId);
  const open = task?.status === 'pending' ? task : undefined;
  let ok: boolean;
  try {
    ok = await deps.cases.transition(
      record.caseId,
      [from],
      {
        status: to,
        form: { ...record.form, ...form },
        materials: newMaterials,
        dueAt,
        supplemented: { round: record.correction.round, requestHash: requestHash(input.supplement) },
      },
      {
        at,
        event: 'supplemented',
        detail: {
          round: record.correction.round,
          fields: Object.keys(form),
          materials: [...byType.keys()],
          ...(open ? { taskId } : {}),
        },
      },
      { actor: `portal:${input.portalId}`, action: 'supplement', detail: { round: record.correction.round } },
      {
        attachMaterials: attach,
        settleTasks: open
          ? [
              {
                task: open,
                status: 'approved',
                decision: {
                  outcome: 'approve',
                  opinion: '',
                  corrections: [],
                  decidedAt: at,
                  decidedBy: `portal:${input.portalId}`,
                },
              },
            ]
          : [],
      },
    );
  } catch (err) {
    if (!(err instanceof MaterialsUnavailableError)) throw err;
    // Taken by another case (or expired) since the check: nothing was written; say which.
    const current = await deps.materials.facts(input.portalId, [...supplied]);
    const again = materialChecks(current);
    throw new ValidationError(
      again.length
        ? again
        : materials.flatMap((m, i) =>
            err.materialIds.includes(m.materialId)
              ? [
                  {
                    path: `/materials/${i}/materialId`,
                    code: 'material_in_use',
                    message: `Material "${m.materialId}" was just attached to another case; declare and upload the file again for this one.`,
                  },
                ]
              : [],
          ),
    );
  }
  if (!ok) throw new ConflictError(`Case ${record.caseId} was already supplemented.`);
  await resumeFlow(deps, taskId);
  return (await deps.cases.get(record.caseId))!;
}

/**
 * Resumes the execution waiting on the supplement task, whoever opened it when: the task read
 * before the commit may not have existed yet (the flow opens it when it starts waiting, and may
 * have done so between that read and the commit — it then saw the case still awaiting). Re-read
 * now, a task still pending is settled here; and its freshest token is sent (a re-opened task has
 * a new one). Sending a token already used is harmless (stale), so retries may call this again.
 */
async function resumeFlow(deps: SupplementDeps, taskId: string): Promise<void> {
  const task = await deps.tasks.get(taskId);
  if (!task?.taskToken) return; // not opened yet: the flow will see the case supplemented
  if (task.status === 'pending') {
    const at = deps.now().toISOString();
    await deps.tasks.decide(
      task,
      { outcome: 'approve', opinion: '', corrections: [], decidedAt: at, decidedBy: 'applicant' },
      'approved',
      { at, event: 'supplement_task_closed', detail: { taskId } },
      { actor: 'applicant', action: 'supplement', detail: { taskId } },
    );
  }
  await deps.workflow.succeed(task.taskToken, { outcome: 'supplemented' });
}
