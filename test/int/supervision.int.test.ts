import { describe, expect, it } from 'vitest';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { handler as sweep } from '#functions/mark-overdue.scheduled.ts';
import { lambdaContext } from '#local/lambda-registry.ts';
import { caseWithReview } from '#test/support/planted-cases.ts';
import { departmentAuth } from '../e2e/portal.ts';
import { call } from '../e2e/target.ts';

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
