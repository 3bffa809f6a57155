/**
 * A case and one open review task written straight to the table, as the flow writes them, with no
 * execution behind it (its token is a placeholder): for tests of what reads or sweeps tasks — the
 * deadline sweep, supervision, department task events — that need a task with a chosen deadline.
 */
import { randomUUID } from 'node:crypto';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { type CaseRecord, caseIdFor, taskIdFor } from '#core/case/model.ts';
import { idNumberCheckCharacter } from '#core/shared/identifiers.ts';

/** A 企业开办 case (发票核定 only) in review, with a review task of `departmentId` due at `dueAt`. */
export async function caseWithReview(departmentId: string, dueAt: string) {
  const now = new Date().toISOString();
  const id17 = '32040219900101123';
  const record: CaseRecord = {
    caseId: caseIdFor('portal-a', randomUUID()),
    portalId: 'portal-a',
    bundleId: 'enterprise-opening',
    services: ['invoice-type-approval'],
    catalogVersion: '2022.1',
    status: 'in_review',
    applicant: {
      kind: 'person',
      name: '王五',
      idNumber: id17 + idNumberCheckCharacter(id17),
      phone: '13812345678',
    },
    form: {},
    materials: [],
    delivery: { method: 'electronic' },
    commitments: [],
    requestHash: randomUUID(),
    createdAt: now,
    updatedAt: now,
    dueAt,
    correctionRound: 0,
    version: 1,
  };
  await caseRepository.create(record, { at: now, event: 'submitted' }, { actor: 'test', action: 'submit' });
  const taskId = taskIdFor(record.caseId, 0, 'review', departmentId);
  await taskRepository.open(
    {
      taskId,
      caseId: record.caseId,
      kind: 'review',
      departmentId,
      services: record.services,
      round: 0,
      status: 'pending',
      createdAt: now,
      dueAt,
      overdue: false,
      escalations: 0,
      taskToken: 'no-execution',
    },
    { at: now, event: 'review_task_opened' },
  );
  return { caseId: record.caseId, taskId };
}
