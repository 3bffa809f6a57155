/**
 * decideTask over in-memory ports: a department's decision is recorded once, conditionally, before
 * its token is used; retries, races and closed cases answer as the use case promises. Pure.
 */
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, taskRecord } from '#test/support/in-memory-cases.ts';
import type { CaseStatus } from '../case/lifecycle.ts';
import type { TaskRecord } from '../case/model.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { type DecisionRequest, DecisionRequestSchema, decideTask } from './decide-task.ts';
import type { HeldDecision } from './steps.ts';

const NOW = new Date('2026-11-03T02:00:00.000Z');
const TASK_ID = 'c-aaaaaaaaaaaaaaaaaaaaaaaa.r0.acceptance';

function setup(options: { caseStatus?: CaseStatus; task?: Partial<TaskRecord> } = {}) {
  const ports = inMemoryCases();
  const c = caseRecord({ status: options.caseStatus ?? 'submitted' });
  ports.store.cases.set(c.caseId, c);
  const task = taskRecord(options.task);
  ports.store.tasks.set(task.taskId, task);
  const deps = { tasks: ports.tasks, workflow: ports.workflow, now: () => NOW };
  const decide = (request: Partial<DecisionRequest>, departmentId = 'd', taskId = task.taskId) =>
    decideTask(deps, { taskId, departmentId, request: DecisionRequestSchema.parse(request) });
  return { ports, task, decide };
}

/** decideTask's ports over the in-memory store, its one read of the case counted in `reads`; the task is never read alone. */
function readingDeps(ports: ReturnType<typeof inMemoryCases>, reads: string[]) {
  return {
    tasks: { ...ports.tasks, get: () => Promise.reject(new Error('no read of the task alone')) },
    workflow: ports.workflow,
    now: () => NOW,
    caseWithTasks: async (caseId: string) => {
      reads.push(caseId);
      return {
        record: ports.store.cases.get(caseId),
        tasks: [...ports.store.tasks.values()].filter((t) => t.caseId === caseId),
      };
    },
  };
}

describe('decideTask', () => {
  it('records the decision, then delivers it to the waiting execution', async () => {
    const { ports, decide } = setup();

    const { task, replayed } = await decide({ outcome: 'approve', opinion: '予以受理' });

    expect(replayed).toBe(false);
    expect(task.status).toBe('approved');
    expect(ports.store.tasks.get(TASK_ID)).toMatchObject({
      status: 'approved',
      decision: {
        outcome: 'approve',
        opinion: '予以受理',
        corrections: [],
        decidedAt: NOW.toISOString(),
        decidedBy: 'department:d',
      },
    });
    // Without a recorder, the answer leaves Record Acceptance to the state machine.
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'token-acceptance',
        output: { caseId: task.caseId, round: 0, next: 'record', outcome: 'approve' },
      },
    ]);
    expect(ports.store.audit.at(-1)?.record).toEqual({
      actor: 'department:d',
      action: 'decide_acceptance',
      detail: { taskId: TASK_ID, outcome: 'approve' },
    });
  });

  it('hands the step to `answer` with the wait the task holds, carryOn included (one wait through the review)', async () => {
    const ports = inMemoryCases();
    const c = caseRecord({ status: 'submitted' });
    ports.store.cases.set(c.caseId, c);
    const task = taskRecord({ carryOn: true });
    ports.store.tasks.set(task.taskId, task);
    const answered: unknown[] = [];
    await decideTask(
      {
        tasks: ports.tasks,
        workflow: ports.workflow,
        now: () => NOW,
        answer: async (wait, step) => {
          answered.push({ wait, step });
        },
      },
      {
        taskId: task.taskId,
        departmentId: 'd',
        request: DecisionRequestSchema.parse({ outcome: 'approve' }),
      },
    );
    expect(answered).toEqual([
      {
        wait: { token: 'token-acceptance', carryOn: true },
        step: { caseId: c.caseId, round: 0, next: 'record', outcome: 'approve' },
      },
    ]);
    // `answer` sends (or carries on) itself: nothing went to the workflow here.
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it('delivers a decision on a task opened early to the token the state machine stored meanwhile', async () => {
    const { ports, task, decide } = setup({ task: { taskToken: undefined } });
    // The state machine reaches the task's stage between the department's read and its write.
    const decideStored = ports.tasks.decide.bind(ports.tasks);
    ports.tasks.decide = async (...args) => {
      ports.store.tasks.set(task.taskId, { ...ports.store.tasks.get(task.taskId)!, taskToken: 'token-late' });
      return decideStored(...args);
    };

    await decide({ outcome: 'approve', opinion: '同意' });

    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'token-late',
        output: { caseId: task.caseId, round: 0, next: 'record', outcome: 'approve' },
      },
    ]);
  });

  it('completes the wait of a stage with its last decision, not before (one token for the stage)', async () => {
    const ports = inMemoryCases();
    const c = caseRecord({ status: 'in_review' });
    ports.store.cases.set(c.caseId, c);
    const review = (departmentId: string) =>
      taskRecord({
        taskId: `${c.caseId}.r0.${departmentId}-s1`,
        caseId: c.caseId,
        kind: 'review',
        departmentId,
        stage: 1,
        taskToken: 'token-stage-1',
      });
    for (const t of [review('a'), review('b')]) ports.store.tasks.set(t.taskId, t);
    const deps = { tasks: ports.tasks, workflow: ports.workflow, now: () => NOW };
    const decide = (departmentId: string) =>
      decideTask(deps, {
        taskId: `${c.caseId}.r0.${departmentId}-s1`,
        departmentId,
        request: DecisionRequestSchema.parse({ outcome: 'approve', opinion: '同意' }),
      });

    await decide('b');
    expect(ports.workflow.succeeded).toEqual([]); // a is still reviewing: the stage waits
    await decide('a');
    // Without a planner, the answer leaves the planning to the state machine (Plan Next Stage).
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'token-stage-1',
        output: { caseId: c.caseId, round: 0, next: 'plan', outcome: 'decided' },
      },
    ]);
  });

  it('answers the stage with the next step its last decision planned, planning once, after the last write', async () => {
    const ports = inMemoryCases();
    const c = caseRecord({ status: 'in_review' });
    ports.store.cases.set(c.caseId, c);
    for (const d of ['a', 'b'])
      ports.store.tasks.set(
        `${c.caseId}.r0.${d}-s1`,
        taskRecord({
          taskId: `${c.caseId}.r0.${d}-s1`,
          caseId: c.caseId,
          kind: 'review',
          departmentId: d,
          stage: 1,
          taskToken: 'token-stage-1',
        }),
      );
    const planned: { caseId: string; round: number; decidedSeen: number }[] = [];
    const deps = {
      tasks: ports.tasks,
      workflow: ports.workflow,
      now: () => NOW,
      completeStage: async (caseId: string, round: number) => {
        const decidedSeen = [...ports.store.tasks.values()].filter((t) => t.decision).length;
        planned.push({ caseId, round, decidedSeen });
        return { caseId, round, next: 'issue', approved: ['a-svc', 'b-svc'] };
      },
    };
    const decide = (departmentId: string) =>
      decideTask(deps, {
        taskId: `${c.caseId}.r0.${departmentId}-s1`,
        departmentId,
        request: DecisionRequestSchema.parse({ outcome: 'approve', opinion: '同意' }),
      });

    await decide('a');
    expect(planned).toEqual([]); // not the last: nothing planned, nothing sent
    await decide('b');

    expect(planned).toEqual([{ caseId: c.caseId, round: 0, decidedSeen: 2 }]);
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'token-stage-1',
        output: { caseId: c.caseId, round: 0, next: 'issue', approved: ['a-svc', 'b-svc'] },
      },
    ]);
  });

  it('does not complete a stage while some of its tasks have not got the token yet', async () => {
    // The stage re-opens two tasks one after the other (both existed): a decides after getting
    // the token, b does not hold it yet — a alone is not the stage (stageSize 2).
    const ports = inMemoryCases();
    const c = caseRecord({ status: 'in_review' });
    ports.store.cases.set(c.caseId, c);
    const a = taskRecord({
      taskId: `${c.caseId}.r0.a-s1`,
      caseId: c.caseId,
      kind: 'review',
      departmentId: 'a',
      stage: 1,
      taskToken: 'token-new',
      stageSize: 2,
    });
    const b = { ...a, taskId: `${c.caseId}.r0.b-s1`, departmentId: 'b', taskToken: undefined };
    for (const t of [a, b]) ports.store.tasks.set(t.taskId, t);
    await decideTask(
      { tasks: ports.tasks, workflow: ports.workflow, now: () => NOW },
      { taskId: a.taskId, departmentId: 'a', request: DecisionRequestSchema.parse({ outcome: 'approve' }) },
    );
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it.each([
    ['correct', 'correction_requested'],
    ['reject', 'rejected'],
  ] as const)('stores the outcome %s as the task status %s', async (outcome, status) => {
    const { decide } = setup();
    const { task } = await decide({ outcome, opinion: '理由' });
    expect(task.status).toBe(status);
  });

  it("answers 404 for another department's task, a supplement task and an unknown one", async () => {
    const { decide } = setup();
    await expect(decide({ outcome: 'approve' }, 'e')).rejects.toThrow(NotFoundError);
    await expect(decide({ outcome: 'approve' }, 'd', 'c-aaaaaaaaaaaaaaaaaaaaaaaa.r9.x')).rejects.toThrow(
      NotFoundError,
    );
    const supplement = setup({ task: { kind: 'supplement', departmentId: 'applicant' } });
    await expect(supplement.decide({ outcome: 'approve' }, 'applicant')).rejects.toThrow(NotFoundError);
  });

  it("answers 404 before judging the decision of another department's task, and writes nothing", async () => {
    const { ports, decide } = setup();
    await expect(decide({ outcome: 'reject' }, 'e')).rejects.toThrow(NotFoundError);
    await expect(decide({ outcome: 'approve' }, 'e')).rejects.toThrow(NotFoundError);
    // The id names an acceptance: a task stored under it as anything else is not decided by it.
    const misnamed = setup({ task: { kind: 'review' } });
    await expect(misnamed.decide({ outcome: 'approve' })).rejects.toThrow(NotFoundError);
    expect([...ports.writes, ...misnamed.ports.writes].filter((w) => w.committed)).toEqual([]);
    expect(misnamed.ports.store.tasks.get(misnamed.task.taskId)?.status).toBe('pending');
  });

  it('reads the case first for an acceptance, and the acceptance’s own write records the decision (one read, one write)', async () => {
    const { ports, task } = setup({ task: { taskToken: 'token-acceptance' } });
    const reads: string[] = [];
    const handed: unknown[] = [];
    const { task: answered, replayed } = await decideTask(
      {
        ...readingDeps(ports, reads),
        // As recordAcceptance: the acceptance's transition, the held decision in it.
        completeAcceptance: async (caseId, round, outcome, read, _wait, held) => {
          handed.push(read);
          if (
            held &&
            (await ports.cases.transition(
              caseId,
              ['submitted'],
              { status: 'in_review' },
              { at: NOW.toISOString(), event: 'accepted' },
              { actor: 'flow', action: 'accepted' },
              { decide: held.write },
            ))
          )
            held.recorded = true;
          return { caseId, round, next: 'dispatch', outcome };
        },
      },
      {
        taskId: task.taskId,
        departmentId: 'd',
        request: DecisionRequestSchema.parse({ outcome: 'approve' }),
      },
    );
    expect(reads).toEqual([task.caseId]);
    expect(handed).toEqual([
      {
        // As read before the decision: the case still submitted, the task decided (as written next).
        record: expect.objectContaining({ caseId: task.caseId, status: 'submitted' }),
        tasks: [expect.objectContaining({ taskId: task.taskId, status: 'approved' })],
      },
    ]);
    expect(replayed).toBe(false);
    expect(answered).toMatchObject({ taskId: task.taskId, status: 'approved' });
    expect(ports.store.tasks.get(task.taskId)).toMatchObject({ status: 'approved' });
    expect(ports.store.cases.get(task.caseId)?.status).toBe('in_review');
    // One write, the acceptance's: no decision written apart.
    expect(ports.writes.filter((w) => w.committed).map((w) => w.kind)).toEqual(['transition']);
    expect(ports.workflow.succeeded).toHaveLength(1);
  });

  it('writes the decision on its own when the acceptance’s step does not, and reads the case again after it', async () => {
    const { ports, task } = setup({ task: { taskToken: 'token-acceptance' } });
    const reads: string[] = [];
    const handed: unknown[] = [];
    await decideTask(
      {
        ...readingDeps(ports, reads),
        completeAcceptance: async (caseId, round, outcome, read) => {
          handed.push(read);
          return { caseId, round, next: 'record', outcome };
        },
      },
      {
        taskId: task.taskId,
        departmentId: 'd',
        request: DecisionRequestSchema.parse({ outcome: 'approve' }),
      },
    );
    expect(reads).toEqual([task.caseId, task.caseId]);
    expect(ports.writes.filter((w) => w.committed).map((w) => w.kind)).toEqual(['decide']);
    expect(handed).toHaveLength(2);
    expect(handed[1]).toEqual({
      record: ports.store.cases.get(task.caseId),
      tasks: [expect.objectContaining({ taskId: task.taskId, status: 'approved' })],
    });
  });

  it('asks what to correct, and why a rejection', async () => {
    const { ports, decide } = setup();
    const correct = await decide({ outcome: 'correct' }).catch((e: unknown) => e);
    expect(correct).toBeInstanceOf(ValidationError);
    expect((correct as ValidationError).problems).toEqual([
      expect.objectContaining({ path: '/corrections' }),
    ]);
    const reject = await decide({ outcome: 'reject' }).catch((e: unknown) => e);
    expect((reject as ValidationError).problems).toEqual([expect.objectContaining({ path: '/opinion' })]);
    // A correction said in the opinion alone is enough.
    await expect(decide({ outcome: 'correct', opinion: '请补正' })).resolves.toBeDefined();
    expect(ports.writes.filter((w) => w.committed)).toHaveLength(1);
  });

  it('answers an identical retry with the first answer, sending the token again (harmless)', async () => {
    const { ports, decide } = setup();
    const request = { outcome: 'correct' as const, corrections: [{ message: '补身份证' }] };
    await decide(request);
    const again = await decide(request);
    expect(again.replayed).toBe(true);
    expect(again.task.status).toBe('correction_requested');
    expect(ports.workflow.succeeded).toHaveLength(2);
  });

  it('refuses to change a decision (409)', async () => {
    const { ports, decide } = setup();
    await decide({ outcome: 'approve' });
    await expect(decide({ outcome: 'reject', opinion: '不予受理' })).rejects.toThrow(/already decided/);
    await expect(decide({ outcome: 'approve', opinion: 'other words' })).rejects.toThrow(ConflictError);
    expect(ports.store.tasks.get(TASK_ID)?.decision?.outcome).toBe('approve');
    expect(ports.workflow.succeeded).toHaveLength(1);
  });

  it('lets only one of two racing decisions land: the loser gets 409', async () => {
    const { ports, decide } = setup();
    ports.beforeWrite.push(() => {
      const t = ports.store.tasks.get(TASK_ID)!;
      ports.store.tasks.set(TASK_ID, {
        ...t,
        status: 'rejected',
        decision: {
          outcome: 'reject',
          opinion: 'x',
          corrections: [],
          decidedAt: 'then',
          decidedBy: 'department:d',
        },
      });
    });
    await expect(decide({ outcome: 'approve' })).rejects.toThrow(ConflictError);
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it.each<CaseStatus>(['withdrawn', 'issued', 'rejected'])(
    'takes no decision once the case is %s (409), and sends nothing',
    async (caseStatus) => {
      const { ports, decide } = setup({ caseStatus });
      await expect(decide({ outcome: 'approve' })).rejects.toThrow(/is closed/);
      expect(ports.store.tasks.get(TASK_ID)?.status).toBe('pending');
      expect(ports.workflow.succeeded).toEqual([]);
    },
  );

  it('takes no decision when a withdrawal commits between the read and the write', async () => {
    const { ports, task, decide } = setup();
    ports.beforeWrite.push(() => {
      const c = ports.store.cases.get(task.caseId)!;
      ports.store.cases.set(c.caseId, { ...c, status: 'withdrawn' });
    });
    await expect(decide({ outcome: 'approve' })).rejects.toThrow(/is closed/);
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it('refuses a closed task (409): its write is refused, nothing recorded, nothing sent', async () => {
    const { ports, task, decide } = setup({ task: { status: 'closed' } });
    await expect(decide({ outcome: 'approve' })).rejects.toThrow(/is closed/);
    expect(ports.writes).toEqual([{ kind: 'decide', committed: false }]);
    expect(ports.store.tasks.get(task.taskId)?.decision).toBeUndefined();
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it('is not troubled by a token that expired meanwhile (the re-opened task completes itself)', async () => {
    const { ports, decide } = setup();
    ports.workflow.staleTokens.add('token-acceptance');
    const { task, replayed } = await decide({ outcome: 'approve' });
    expect(replayed).toBe(false);
    expect(task.status).toBe('approved');
  });
});

describe('decideTask, a review read first', () => {
  /** A stage of reviews by `departments`, all pending under one token, and ports that count reads and plans. */
  function stage(departments: string[]) {
    const ports = inMemoryCases();
    const c = caseRecord({ status: 'in_review' });
    ports.store.cases.set(c.caseId, c);
    const idOf = (d: string) => `${c.caseId}.r0.${d}-s1`;
    for (const d of departments)
      ports.store.tasks.set(
        idOf(d),
        taskRecord({
          taskId: idOf(d),
          caseId: c.caseId,
          kind: 'review',
          departmentId: d,
          stage: 1,
          taskToken: 'token-stage-1',
          stageSize: departments.length,
        }),
      );
    const reads: string[] = [];
    const planned: number[] = [];
    const deps = {
      ...readingDeps(ports, reads),
      // As mergeDecisions: the step's write (results recorded) carries the held decision.
      completeStage: async (
        caseId: string,
        round: number,
        read?: { tasks: readonly TaskRecord[] },
        _wait?: unknown,
        held?: HeldDecision,
      ) => {
        planned.push(read?.tasks.filter((t) => t.decision).length ?? -1);
        if (
          held &&
          (await ports.cases.transition(
            caseId,
            ['in_review'],
            { status: 'in_review' },
            { at: NOW.toISOString(), event: 'results_recorded' },
            { actor: 'flow', action: 'results_recorded' },
            { decide: held.write },
          ))
        )
          held.recorded = true;
        return { caseId, round, next: 'issue' as const, approved: departments.map((d) => `${d}-svc`) };
      },
    };
    const decide = (d: string) =>
      decideTask(deps, {
        taskId: idOf(d),
        departmentId: d,
        request: DecisionRequestSchema.parse({ outcome: 'approve', opinion: '同意' }),
      });
    return { ports, c, idOf, reads, planned, decide };
  }

  /** What a department's approval leaves on its task. */
  const approvedBy = (departmentId: string): Pick<TaskRecord, 'status' | 'decision'> => ({
    status: 'approved',
    decision: {
      outcome: 'approve',
      opinion: '',
      corrections: [],
      decidedAt: NOW.toISOString(),
      decidedBy: `department:${departmentId}`,
    },
  });

  const committed = (ports: ReturnType<typeof inMemoryCases>) =>
    ports.writes.filter((w) => w.committed).map((w) => w.kind);

  it('writes a decision that is not the stage’s last on condition that the others are still pending, and reads nothing after', async () => {
    const s = stage(['a', 'b']);
    await s.decide('a');
    expect(s.reads).toHaveLength(1);
    expect(committed(s.ports)).toEqual(['decide']);
    expect(s.planned).toEqual([]);
    expect(s.ports.workflow.succeeded).toEqual([]);
  });

  it('writes the stage’s last decision with the next step, in its one write, and answers the stage once', async () => {
    const s = stage(['a', 'b']);
    await s.decide('a');
    await s.decide('b');
    expect(s.reads).toHaveLength(2);
    // a's decision, then the step that carries b's: no write of b's decision alone.
    expect(committed(s.ports)).toEqual(['decide', 'transition']);
    expect(s.planned).toEqual([2]);
    expect(s.ports.store.tasks.get(s.idOf('b'))).toMatchObject({ status: 'approved' });
    expect(s.ports.workflow.succeeded).toHaveLength(1);
  });

  it('writes a task alone in its stage with the step at once', async () => {
    const s = stage(['a']);
    await s.decide('a');
    expect(committed(s.ports)).toEqual(['transition']);
    expect(s.ports.workflow.succeeded).toHaveLength(1);
  });

  it('completes the stage when the other decision lands between its read and its write: refused, read again, last', async () => {
    const s = stage(['a', 'b']);
    // b is decided (by another request) after a read the stage, before a writes.
    s.ports.beforeWrite.push(() => {
      const b = s.ports.store.tasks.get(s.idOf('b'))!;
      s.ports.store.tasks.set(b.taskId, {
        ...b,
        ...approvedBy('b'),
      });
    });

    await s.decide('a');

    expect(s.reads).toHaveLength(2);
    expect(s.ports.writes.map((w) => [w.kind, w.committed])).toEqual([
      ['decide', false],
      ['transition', true],
    ]);
    expect(s.planned).toEqual([2]);
    expect(s.ports.workflow.succeeded).toHaveLength(1);
  });

  it('writes the decision and reads again when a task of its opening has no token yet: the stage completes if the token came meanwhile', async () => {
    // Found by the saturation bench (restaurant-opening, 2026-12-03): b was opened early, decided
    // before the state machine reached its stage (no token: nothing to answer), and the opening
    // stored the tokens — a's, then b's — and read the stage before a's write landed. a, reading
    // between the two tokens, saw b as no sibling: a condition on "the others" could not cover b,
    // and with no read after, nobody completed the stage.
    const s = stage(['a', 'b']);
    const b = s.ports.store.tasks.get(s.idOf('b'))!;
    s.ports.store.tasks.set(b.taskId, {
      ...b,
      taskToken: undefined,
      ...approvedBy('b'),
    });
    // The opening stores b's token after a's read, before a's write.
    s.ports.beforeWrite.push(() => {
      s.ports.store.tasks.set(b.taskId, {
        ...s.ports.store.tasks.get(b.taskId)!,
        taskToken: 'token-stage-1',
      });
    });

    await s.decide('a');

    expect(s.reads).toHaveLength(2); // read first, and again after the write
    expect(s.planned).toEqual([2]);
    expect(s.ports.workflow.succeeded).toHaveLength(1);
  });

  it('answers a decision of a task no longer pending as before: 409 for another outcome, with no second write', async () => {
    const s = stage(['a', 'b']);
    await s.decide('a');
    await expect(
      decideTask(
        {
          ...readingDeps(s.ports, s.reads),
          completeStage: async () => ({
            caseId: s.c.caseId,
            round: 0,
            next: 'plan' as const,
            outcome: 'decided' as const,
          }),
        },
        {
          taskId: s.idOf('a'),
          departmentId: 'a',
          request: DecisionRequestSchema.parse({ outcome: 'reject', opinion: '不符' }),
        },
      ),
    ).rejects.toThrow(ConflictError);
    expect(committed(s.ports)).toEqual(['decide']);
  });
});
