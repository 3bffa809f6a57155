/**
 * 一次等待 — one wait through the whole review (core/flow/steps.ts answerWait): a wait the state
 * machine opened with `carryOn` opens each next stage under its own token and sends only the
 * outcome; a wait without it is answered as before; the escalation of a carried wait looks at what
 * it holds now. Over the in-memory ports (no emulator); the ASL side is test/statemachines.
 */
import { describe, expect, it } from 'vitest';
import { taskRecord } from '#test/support/in-memory-cases.ts';
import { changzhou, NOW, openingCase, REGISTRATION, SEAL } from '#test/support/opening-flow.ts';
import { type Decision, type TaskRecord, taskIdFor } from '../case/model.ts';
import { stageDecided } from './stages.ts';
import {
  answerWait,
  completeAcceptance,
  completeStage,
  escalateStage,
  escalateTask,
  type FlowDeps,
} from './steps.ts';

const setup = openingCase;
const BUNDLE = changzhou.bundle('enterprise-opening');

const approval: Decision = {
  outcome: 'approve',
  opinion: '',
  corrections: [],
  decidedAt: NOW.toISOString(),
  decidedBy: 'department:x',
};

/** The acceptance, decided (approved) and holding the token of a wait that carries on. */
function acceptedWith(ports: ReturnType<typeof setup>['ports'], caseId: string, token: string) {
  const taskId = taskIdFor(caseId, 0, 'acceptance', BUNDLE.leadDepartmentId);
  ports.store.tasks.set(
    taskId,
    taskRecord({
      taskId,
      caseId,
      departmentId: BUNDLE.leadDepartmentId,
      status: 'approved',
      decision: approval,
      taskToken: token,
      carryOn: true,
    }),
  );
}

const decide = (ports: ReturnType<typeof setup>['ports'], task: TaskRecord) =>
  ports.store.tasks.set(task.taskId, { ...task, status: 'approved', decision: approval });

const reviewsOf = (ports: ReturnType<typeof setup>['ports']) =>
  [...ports.store.tasks.values()].filter((t) => t.kind === 'review');

/** Accepted, and the registration (the first stage, alone) pending under the carried token 'acc'. */
function expectRegistrationOpenUnder(
  ports: ReturnType<typeof setup>['ports'],
  caseId: string,
  registration: TaskRecord | undefined,
) {
  expect(registration).toMatchObject({
    services: [REGISTRATION],
    status: 'pending',
    taskToken: 'acc',
    carryOn: true,
    stageSize: 1,
  });
  expect(ports.store.cases.get(caseId)?.status).toBe('in_review');
}

describe('one wait through the whole review (answerWait)', () => {
  it('opens the first stage under the acceptance’s token, then the next stage under it, and sends only the outcome', async () => {
    const { ports, deps, record } = setup();
    acceptedWith(ports, record.caseId, 'acc');
    const wait = { token: 'acc', carryOn: true };

    // Accepted: the registration (no prerequisites) opens, holding the acceptance's token.
    await answerWait(deps, wait, await completeAcceptance(deps, record.caseId, 0, 'approve'));
    expect(ports.workflow.succeeded).toEqual([]);
    const [registration, ...none] = reviewsOf(ports);
    expect(none).toEqual([]);
    expectRegistrationOpenUnder(ports, record.caseId, registration);

    // The registration decided: the seal's stage opens under the same token, still nothing sent.
    decide(ports, registration!);
    await answerWait(deps, wait, await completeStage(deps, record.caseId, 0));
    expect(ports.workflow.succeeded).toEqual([]);
    const seal = reviewsOf(ports).find((t) => t.services.includes(SEAL));
    expect(seal).toMatchObject({ status: 'pending', taskToken: 'acc', carryOn: true, stage: 1 });
    // The stage is the latest one the token holds: the decided registration does not complete it.
    expect(stageDecided([...ports.store.tasks.values()], 'acc')).toBe(false);

    // The seal decided: the outcome is sent, once, on the token the acceptance was opened with.
    decide(ports, seal!);
    expect(stageDecided([...ports.store.tasks.values()], 'acc')).toBe(true);
    await answerWait(deps, wait, await completeStage(deps, record.caseId, 0));
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'acc',
        output: expect.objectContaining({
          caseId: record.caseId,
          next: 'issue',
          approved: [REGISTRATION, SEAL],
        }),
      },
    ]);
  });

  it('sends the step, as before, to a wait opened without carryOn (an execution on an older definition)', async () => {
    const { ports, deps, record } = setup();
    acceptedWith(ports, record.caseId, 'acc');
    const step = await completeAcceptance(deps, record.caseId, 0, 'approve');
    await answerWait(deps, { token: 'acc' }, step);
    expect(ports.workflow.succeeded).toEqual([{ taskToken: 'acc', output: step }]);
    expect(reviewsOf(ports)).toEqual([]);
  });

  it('sends the step when the stage cannot be opened with the decision: the state machine opens it', async () => {
    const { ports, deps, record } = setup();
    acceptedWith(ports, record.caseId, 'acc');
    const step = await completeAcceptance(deps, record.caseId, 0, 'approve');
    const failing: FlowDeps = {
      ...deps,
      tasks: { ...deps.tasks, open: () => Promise.reject(new Error('table unavailable')) },
    };
    const seen: unknown[] = [];
    await answerWait(failing, { token: 'acc', carryOn: true }, step, 0, (err) => seen.push(err));
    expect(seen).toHaveLength(1);
    expect(ports.workflow.succeeded).toEqual([{ taskToken: 'acc', output: step }]);
  });
});

describe('the next stage opened by the write of the step that plans it', () => {
  /** The flow's deps, counting every opening of tasks done apart from a step's own write. */
  function counting(deps: FlowDeps) {
    const openings: string[] = [];
    const tasks = {
      ...deps.tasks,
      open: (...a: Parameters<FlowDeps['tasks']['open']>) => {
        openings.push(a[0].taskId);
        return deps.tasks.open(...a);
      },
    };
    delete (tasks as { openAll?: unknown }).openAll;
    return { deps: { ...deps, tasks }, openings };
  }
  const committedTransitions = (ports: ReturnType<typeof setup>['ports']) =>
    ports.writes.filter((w) => w.kind === 'transition' && w.committed).length;

  it('opens the first stage with the acceptance and the next with the results, one write each, under the carried token', async () => {
    const { ports, deps: base, record } = setup();
    const { deps, openings } = counting(base);
    acceptedWith(ports, record.caseId, 'acc');
    const wait = { token: 'acc', carryOn: true };

    const accepted = await completeAcceptance(deps, record.caseId, 0, 'approve', undefined, undefined, wait);
    expect(accepted).toMatchObject({ next: 'dispatch', opened: true });
    expect(committedTransitions(ports)).toBe(1);
    const [registration] = reviewsOf(ports);
    expectRegistrationOpenUnder(ports, record.caseId, registration);
    expect(ports.store.timeline.get(record.caseId)?.map((e) => e.event)).toEqual(
      expect.arrayContaining(['accepted', 'review_task_opened']),
    );
    // The wait has nothing left to open, and nothing to send.
    await answerWait(deps, wait, accepted);
    expect(openings).toEqual([]);
    expect(ports.workflow.succeeded).toEqual([]);

    // The registration decided: its credit code and the seal's stage in one write.
    decide(ports, registration!);
    const reviewed = await completeStage(deps, record.caseId, 0, undefined, undefined, wait);
    expect(reviewed).toMatchObject({ next: 'review', opened: true });
    expect(committedTransitions(ports)).toBe(2);
    expect(ports.store.cases.get(record.caseId)?.results?.[REGISTRATION]).toBeDefined();
    const seal = reviewsOf(ports).find((t) => t.services.includes(SEAL));
    expect(seal).toMatchObject({
      status: 'pending',
      taskToken: 'acc',
      carryOn: true,
      stage: 1,
      stageSize: 1,
    });
    await answerWait(deps, wait, reviewed);
    expect(openings).toEqual([]);
    expect(ports.workflow.succeeded).toEqual([]);
  });

  it('records the step without them when one of them exists already (opened early), and the wait opens the stage as before', async () => {
    const { ports, deps: base, record } = setup();
    const { deps, openings } = counting(base);
    acceptedWith(ports, record.caseId, 'acc');
    const wait = { token: 'acc', carryOn: true };
    await answerWait(
      deps,
      wait,
      await completeAcceptance(deps, record.caseId, 0, 'approve', undefined, undefined, wait),
    );
    const registration = reviewsOf(ports)[0]!;
    decide(ports, registration);
    // The seal's task is there already, without a token (as openReadyDependants leaves it).
    const planned = (await completeStage(base, record.caseId, 0)) as { reviews: { departmentId: string }[] };
    const sealId = taskIdFor(record.caseId, 0, 'review', planned.reviews[0]!.departmentId, 1);
    ports.store.tasks.set(
      sealId,
      taskRecord({
        taskId: sealId,
        caseId: record.caseId,
        kind: 'review',
        departmentId: planned.reviews[0]!.departmentId,
        stage: 1,
        services: [SEAL],
      }),
    );
    ports.store.cases.set(record.caseId, { ...ports.store.cases.get(record.caseId)!, results: {} });

    const reviewed = await completeStage(deps, record.caseId, 0, undefined, undefined, wait);
    expect(reviewed).toMatchObject({ next: 'review' });
    expect(reviewed).not.toHaveProperty('opened');
    expect(ports.store.cases.get(record.caseId)?.results?.[REGISTRATION]).toBeDefined();
    await answerWait(deps, wait, reviewed);
    expect(openings).toEqual([sealId]);
    expect(ports.store.tasks.get(sealId)).toMatchObject({ taskToken: 'acc', status: 'pending' });
  });

  it('opens nothing itself for a wait that does not carry on: the state machine gets the step', async () => {
    const { ports, deps, record } = setup();
    acceptedWith(ports, record.caseId, 'acc');
    const step = await completeAcceptance(deps, record.caseId, 0, 'approve', undefined, undefined, {
      token: 'acc',
    });
    expect(step).not.toHaveProperty('opened');
    expect(reviewsOf(ports)).toEqual([]);
  });
});

describe('an opening of a wait that carried on (stageDecided)', () => {
  const held = (id: string, wave: string, stage: number, stageSize: number, decided: boolean): TaskRecord =>
    taskRecord({
      taskId: id,
      kind: 'review',
      departmentId: id,
      stage,
      stageSize,
      wave,
      taskToken: 'acc',
      carryOn: true,
      ...(decided ? { status: 'approved' as const, decision: approval } : {}),
    });

  it('is decided only once every task of the latest opening holds the token, all decided', () => {
    const first = ['a', 'b', 'c'].map((d) => held(d, 'w1', 0, 3, true));
    // The next opening (two tasks) gets the token one task after the other: one holds it, decided.
    expect(stageDecided([...first, held('d', 'w2', 1, 2, true)], 'acc')).toBe(false);
    expect(stageDecided([...first, held('d', 'w2', 1, 2, true), held('e', 'w2', 1, 2, false)], 'acc')).toBe(
      false,
    );
    expect(stageDecided([...first, held('d', 'w2', 1, 2, true), held('e', 'w2', 1, 2, true)], 'acc')).toBe(
      true,
    );
  });

  it('counts an opening that mixes stage numbers as one (身后一件事: a stage-1 and a stage-2 review ready together)', () => {
    // Found by the saturation bench: the latest stage number alone (hrss-s2) never reached the
    // opening's size of 3, and the case waited for ever.
    const first = ['health', 'justice'].map((d) => held(d, 'w1', 0, 2, true));
    const mixed = [held('civil-affairs-s1', 'w2', 1, 3, true), held('housing-fund-s1', 'w2', 1, 3, true)];
    expect(stageDecided([...first, ...mixed, held('hrss-s2', 'w2', 2, 3, false)], 'acc')).toBe(false);
    expect(stageDecided([...first, ...mixed, held('hrss-s2', 'w2', 2, 3, true)], 'acc')).toBe(true);
  });
});

describe('the escalation of a wait that carried on', () => {
  /** Accepted, the registration approved, the seal's stage pending under the carried token. */
  async function carriedToSeal(sealDueAt: string) {
    const s = setup();
    acceptedWith(s.ports, s.record.caseId, 'acc');
    const wait = { token: 'acc', carryOn: true };
    await answerWait(s.deps, wait, await completeAcceptance(s.deps, s.record.caseId, 0, 'approve'));
    decide(s.ports, reviewsOf(s.ports)[0]!);
    await answerWait(s.deps, wait, await completeStage(s.deps, s.record.caseId, 0));
    const seal = reviewsOf(s.ports).find((t) => t.services.includes(SEAL))!;
    s.ports.store.tasks.set(seal.taskId, { ...seal, dueAt: sealDueAt });
    return { ...s, seal };
  }

  it('escalates the stage it holds now, not the one it was entered for, and is entered again for that one', async () => {
    const { ports, deps, record, seal } = await carriedToSeal('2026-11-01T09:59:59.999Z'); // overdue
    const registration = reviewsOf(ports).find((t) => t.services.includes(REGISTRATION))!;
    // The wait's state is still the first stage's, as the state machine entered Review Stage.
    const state = await escalateStage(deps, {
      caseId: record.caseId,
      round: 0,
      reviews: [
        {
          caseId: record.caseId,
          kind: 'review',
          departmentId: registration.departmentId,
          services: registration.services,
          round: 0,
          stage: 0,
          dueAt: registration.dueAt,
          timeoutSeconds: 1,
        },
      ],
      stageTimeoutSeconds: 1,
    });
    expect(ports.store.tasks.get(seal.taskId)).toMatchObject({ overdue: true, escalations: 1 });
    expect(ports.store.tasks.get(registration.taskId)?.escalations).toBe(0);
    // Entered again, Review Stage re-opens the seal's stage with a fresh token.
    expect(state.reviews.map((r) => [r.departmentId, r.stage])).toEqual([[seal.departmentId, 1]]);
  });

  it('escalates the held stage when the acceptance’s wait times out after the acceptance was decided', async () => {
    const dueIn = new Date(NOW.getTime() + 7200_000).toISOString(); // two hours after NOW
    const { ports, deps, record, seal } = await carriedToSeal(dueIn);
    const acceptanceId = taskIdFor(record.caseId, 0, 'acceptance', BUNDLE.leadDepartmentId);
    const state = await escalateTask(deps, 'acceptance', { caseId: record.caseId, round: 0 });
    // Nothing is overdue: the decided acceptance is not escalated, and the wait looks again at the
    // seal's deadline.
    expect(ports.store.tasks.get(acceptanceId)?.escalations).toBe(0);
    expect(ports.store.tasks.get(seal.taskId)?.escalations).toBe(0);
    expect(state.timeoutSeconds).toBe(7200);
    expect(ports.store.timeline.get(record.caseId)?.map((e) => e.event)).not.toContain(
      'task_overdue_escalated',
    );
  });
});
