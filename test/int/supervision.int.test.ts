/**
 * 电子监察 against the local stack: the scheduled sweep (the very Lambda file EventBridge runs)
 * flags an open task past its deadline once, records it on the case, and GET /v1/supervision shows
 * it to its department and to supervisors, but not to other departments.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { type CaseRecord, caseIdFor, taskIdFor } from '#core/case/model.ts';
import { idNumberCheckCharacter } from '#core/shared/identifiers.ts';
import { handler as sweep } from '#functions/mark-overdue.scheduled.ts';
import { lambdaContext } from '#local/lambda-registry.ts';
import { departmentAuth } from '../e2e/portal.ts';
import { call } from '../e2e/target.ts';

async function caseWithReview(departmentId: string, dueAt: string) {
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
      services: ['invoice-type-approval'],
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

const supervision = (departmentId: string) =>
  call('GET', '/v1/supervision', { headers: departmentAuth(departmentId) });

describe('supervision', () => {
  it('flags an overdue task once and shows it to its department and to supervisors only', async () => {
    const { caseId, taskId } = await caseWithReview('tax', '2020-01-06T09:00:00Z');

    const first = (await sweep({}, lambdaContext('mark-overdue'))) as { flagged: number };
    expect(first.flagged).toBeGreaterThanOrEqual(1);
    const task = await taskRepository.get(taskId);
    expect(task?.overdue).toBe(true);
    const view = await caseRepository.view(caseId);
    expect(view?.timeline.filter((e) => e.event === 'task_overdue')).toHaveLength(1);

    // A second sweep does not flag it again.
    await sweep({}, lambdaContext('mark-overdue'));
    expect(
      (await caseRepository.view(caseId))?.timeline.filter((e) => e.event === 'task_overdue'),
    ).toHaveLength(1);

    const own = await supervision('tax');
    expect(own.status).toBe(200);
    const taxEntry = own.body.departments.find((d: { departmentId: string }) => d.departmentId === 'tax');
    expect(taxEntry.overdue.map((t: { id: string }) => t.id)).toContain(taskId);
    expect(own.body.departments.every((d: { departmentId: string }) => d.departmentId === 'tax')).toBe(true);

    const other = await supervision('hrss');
    expect(JSON.stringify(other.body)).not.toContain(taskId);

    const supervisor = await supervision('supervision');
    expect(JSON.stringify(supervisor.body)).toContain(taskId);
  });

  it('lists a task due by the next working day as at risk, not overdue', async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const { taskId } = await caseWithReview('housing-fund', soon);
    const res = await supervision('housing-fund');
    const entry = res.body.departments.find(
      (d: { departmentId: string }) => d.departmentId === 'housing-fund',
    );
    expect(entry.atRisk.map((t: { id: string }) => t.id)).toContain(taskId);
    expect(entry.overdue.map((t: { id: string }) => t.id)).not.toContain(taskId);
  });
});
