/**
 * withdrawCase over in-memory ports: the status change, the closing of open tasks and the stop of
 * the execution, and every race the use case's retry loop answers. Pure: no emulators.
 */
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, taskRecord } from '#test/support/in-memory-cases.ts';
import { ConflictError, NotFoundError } from '../shared/errors.ts';
import type { CaseStatus } from './lifecycle.ts';
import type { CaseRecord, TaskRecord } from './model.ts';
import { withdrawCase } from './withdraw-case.ts';

const NOW = new Date('2026-11-03T02:00:00.000Z');

function setup(record: Partial<CaseRecord> = {}, tasks: Partial<TaskRecord>[] = []) {
  const ports = inMemoryCases();
  const c = caseRecord(record);
  ports.store.cases.set(c.caseId, c);
  for (const t of tasks) {
    const task = taskRecord(t);
    ports.store.tasks.set(task.taskId, task);
  }
  const deps = { cases: ports.cases, tasks: ports.tasks, workflow: ports.workflow, now: () => NOW };
  const input = { portalId: c.portalId, caseId: c.caseId, reason: 'changed my mind' };
  return { ports, c, deps, input };
}

const review = (departmentId: string, status: TaskRecord['status'] = 'pending'): Partial<TaskRecord> => ({
  taskId: `c-aaaaaaaaaaaaaaaaaaaaaaaa.r0.${departmentId}`,
  kind: 'review',
  departmentId,
  status,
  taskToken: `token-${departmentId}`,
});

describe('withdrawCase', () => {
  it('withdraws an open case, closes its open tasks in the same write and stops the execution', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' }, [review('a'), review('b', 'approved')]);

    const result = await withdrawCase(deps, input);

    expect(result.status).toBe('withdrawn');
    expect(ports.store.tasks.get(`${c.caseId}.r0.a`)?.status).toBe('closed');
    expect(ports.store.tasks.get(`${c.caseId}.r0.b`)?.status).toBe('approved');
    expect(ports.writes).toEqual([{ kind: 'transition', committed: true }]);
    expect(ports.store.timeline.get(c.caseId)).toContainEqual({
      at: NOW.toISOString(),
      event: 'withdrawn',
      detail: { from: 'in_review', tasksClosed: 1 },
    });
    expect(ports.store.audit).toContainEqual({
      caseId: c.caseId,
      record: { actor: 'portal:p-1', action: 'withdraw', detail: { reasonGiven: true } },
    });
    expect(ports.workflow.stopped).toEqual([{ name: c.caseId, cause: 'withdrawn by the applicant' }]);
  });

  it.each<CaseStatus>(['submitted', 'in_review', 'awaiting_correction'])(
    'withdraws a case that is %s',
    async (status) => {
      const { deps, input } = setup({ status });
      expect((await withdrawCase(deps, input)).status).toBe('withdrawn');
    },
  );

  it('answers a retry with the withdrawn case, and stops the flow a failed first attempt left running', async () => {
    const { ports, deps, input } = setup({ status: 'withdrawn' });
    expect((await withdrawCase(deps, input)).status).toBe('withdrawn');
    // No second withdrawal is written; stopping again is harmless (an ended execution stays as it is).
    expect(ports.writes).toEqual([]);
    expect(ports.workflow.stopped).toHaveLength(1);
  });

  it.each<CaseStatus>(['issued', 'rejected'])(
    'refuses a case that is %s, writing nothing',
    async (status) => {
      const { ports, deps, input } = setup({ status });
      await expect(withdrawCase(deps, input)).rejects.toThrow(ConflictError);
      expect(ports.writes).toEqual([]);
      expect(ports.store.cases.get(input.caseId)?.status).toBe(status);
    },
  );

  it("does not let a portal withdraw another portal's case (404, as for an unknown one)", async () => {
    const { deps, input } = setup();
    await expect(withdrawCase(deps, { ...input, portalId: 'p-2' })).rejects.toThrow(NotFoundError);
    await expect(withdrawCase(deps, { ...input, caseId: 'c-nope' })).rejects.toThrow(NotFoundError);
  });

  it('retries on the tasks as they are when a task is decided between the read and the write', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' }, [review('a'), review('b')]);
    ports.beforeWrite.push(() => {
      const a = ports.store.tasks.get(`${c.caseId}.r0.a`)!;
      ports.store.tasks.set(a.taskId, { ...a, status: 'approved' });
    });

    const result = await withdrawCase(deps, input);

    expect(result.status).toBe('withdrawn');
    expect(ports.writes.map((w) => w.committed)).toEqual([false, true]);
    // The decision that committed first stands; the other task leaves the inbox.
    expect(ports.store.tasks.get(`${c.caseId}.r0.a`)?.status).toBe('approved');
    expect(ports.store.tasks.get(`${c.caseId}.r0.b`)?.status).toBe('closed');
  });

  it('still withdraws when the flow moves the case on between the read and the write', async () => {
    const { ports, c, deps, input } = setup({ status: 'submitted' });
    ports.beforeWrite.push(() => ports.store.cases.set(c.caseId, { ...c, status: 'in_review' }));
    expect((await withdrawCase(deps, input)).status).toBe('withdrawn');
  });

  it('closes a task the flow opened meanwhile, after the withdrawal committed', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' });
    ports.beforeWrite.push(() => {
      const t = taskRecord(review('late'));
      ports.store.tasks.set(t.taskId, t);
    });
    await withdrawCase(deps, input);
    expect(ports.store.tasks.get(`${c.caseId}.r0.late`)?.status).toBe('closed');
  });

  it('refuses when the case ends between the read and the write', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' });
    ports.beforeWrite.push(() => ports.store.cases.set(c.caseId, { ...c, status: 'issued' }));
    await expect(withdrawCase(deps, input)).rejects.toThrow(/can no longer be withdrawn/);
    expect(ports.workflow.stopped).toEqual([]);
  });

  it('accepts a concurrent withdrawal that committed first', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' });
    ports.beforeWrite.push(() => ports.store.cases.set(c.caseId, { ...c, status: 'withdrawn' }));
    expect((await withdrawCase(deps, input)).status).toBe('withdrawn');
    expect(ports.writes.map((w) => w.committed)).toEqual([false]);
  });

  it('gives up with 409 when the case keeps changing under it', async () => {
    const { ports, c, deps, input } = setup({ status: 'in_review' }, [review('a')]);
    // Before each write a new task is decided: the one the write expects pending never is.
    for (let i = 0; i < 10; i++)
      ports.beforeWrite.push(() => {
        for (const t of ports.store.tasks.values())
          if (t.status === 'pending') ports.store.tasks.set(t.taskId, { ...t, status: 'approved' });
        const fresh = taskRecord(review(`n${i}`));
        ports.store.tasks.set(fresh.taskId, fresh);
      });
    await expect(withdrawCase(deps, input)).rejects.toThrow(/changing right now/);
    expect(ports.writes).toHaveLength(6);
    expect(ports.store.cases.get(c.caseId)?.status).toBe('in_review');
  });
});
