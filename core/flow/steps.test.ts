/**
 * The flow steps the state machine's task functions run, over in-memory fakes of the ports (no
 * emulator): acceptance, the correction request, staged reviews and their merge, the supplement's
 * resumption, the unanswered correction, delivery — and that a replayed step changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { taskRecord } from '#test/support/in-memory-cases.ts';
import { NOW, openingCase, REGISTRATION, SEAL } from '#test/support/opening-flow.ts';
import type { Decision, TaskRecord } from '../case/model.ts';
import {
  closeUnanswered,
  completeAcceptance,
  completeStage,
  deliverResults,
  escalateStage,
  mergeDecisions,
  openStage,
  openTask,
  recordAcceptance,
  resumeAfterSupplement,
} from './steps.ts';

const setup = openingCase;

const decision = (outcome: Decision['outcome'], extra: Partial<Decision> = {}): Decision => ({
  outcome,
  opinion: outcome === 'approve' ? '' : '请补正',
  corrections: [],
  decidedAt: NOW.toISOString(),
  decidedBy: 'department:x',
  ...extra,
});

function decided(caseId: string, over: Partial<TaskRecord>, d: Decision): TaskRecord {
  const status = d.outcome === 'approve' ? 'approved' : d.outcome === 'reject' ? 'rejected' : 'corrected';
  return taskRecord({ caseId, status: status as TaskRecord['status'], decision: d, ...over });
}

/** One review of a stage, as the stage plan describes it. */
const planned = (caseId: string, departmentId: string, over: { stage?: number; dueAt?: string } = {}) => ({
  caseId,
  kind: 'review' as const,
  departmentId,
  services: [`${departmentId}-svc`],
  round: 0,
  stage: over.stage ?? 1,
  dueAt: over.dueAt ?? '2026-11-10T09:59:59.999Z',
  timeoutSeconds: 3600,
});

/** The case's 企业设立登记 review, approved (the prerequisite of the later stage). */
const approvedRegistration = (caseId: string) =>
  decided(caseId, reviewIn(caseId)([REGISTRATION], 'market-regulation'), decision('approve'));

/** A review task of the case (as planned: its id, department, services and stage). */
const reviewIn = (caseId: string) => (services: string[], departmentId: string, stage?: number) => ({
  taskId: `${caseId}.r0.review.${departmentId}${stage ? `-s${stage}` : ''}`,
  kind: 'review' as const,
  departmentId,
  services,
  ...(stage ? { stage } : {}),
});

describe('the flow steps', () => {
  it('opens the first acceptance as the submission planned it, reading no case; a later round reads it', async () => {
    const { ports, deps, record } = setup();
    const start = {
      acceptance: {
        departmentId: 'market-regulation',
        services: ['a-svc'],
        dueAt: '2026-11-10T09:59:59.999Z',
      },
    };
    const reads: string[] = [];
    const counting = {
      ...deps,
      cases: {
        ...deps.cases,
        get: (caseId: string) => {
          reads.push(caseId);
          return deps.cases.get(caseId);
        },
      },
    };
    const { taskId } = await openTask(counting, {
      caseId: record.caseId,
      round: 0,
      kind: 'acceptance',
      taskToken: 't1',
      start,
    });
    expect(reads).toEqual([]);
    expect(ports.store.tasks.get(taskId)).toMatchObject({
      kind: 'acceptance',
      departmentId: 'market-regulation',
      services: ['a-svc'],
      dueAt: start.acceptance.dueAt,
      taskToken: 't1',
    });
    // After a correction (round 1) the acceptance is the case's as it is now: read.
    await openTask(counting, { caseId: record.caseId, round: 1, kind: 'acceptance', taskToken: 't2', start });
    expect(reads).toEqual([record.caseId]);
  });

  it('opens a callback task with its token, and completes at once one that was already decided', async () => {
    const { ports, deps, record } = setup();
    const { taskId } = await openTask(deps, {
      caseId: record.caseId,
      round: 0,
      kind: 'acceptance',
      taskToken: 't1',
    });
    expect(ports.store.tasks.get(taskId)).toMatchObject({
      status: 'pending',
      taskToken: 't1',
      departmentId: 'market-regulation',
    });
    // Decided while its token expired, then re-opened: the recorded decision completes it.
    ports.store.tasks.set(taskId, {
      ...ports.store.tasks.get(taskId)!,
      status: 'approved',
      decision: decision('approve'),
    });
    await openTask(deps, { caseId: record.caseId, round: 0, kind: 'acceptance', taskToken: 't2' });
    // Answered with the acceptance recorded (completeAcceptance), as the decision itself would.
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 't2',
        output: expect.objectContaining({ caseId: record.caseId, round: 0, next: 'dispatch' }),
      },
    ]);
    expect(ports.store.cases.get(record.caseId)?.status).toBe('in_review');
  });

  it('accepts: the case goes to review and only the services without prerequisites open first', async () => {
    const { ports, deps, record } = setup();
    ports.store.tasks.set(
      `${record.caseId}.r0.acceptance`,
      decided(
        record.caseId,
        { taskId: `${record.caseId}.r0.acceptance`, departmentId: 'market-regulation' },
        decision('approve'),
      ),
    );
    const step = await recordAcceptance(deps, record.caseId, 0);
    expect(step.next).toBe('dispatch');
    expect(ports.store.cases.get(record.caseId)?.status).toBe('in_review');
    if (step.next !== 'dispatch') throw new Error('not dispatched');
    expect(step.reviews.flatMap((r) => r.services)).toEqual([REGISTRATION]);
    // Replayed, the step changes nothing more.
    const writes = ports.writes.length;
    await recordAcceptance(deps, record.caseId, 0);
    expect(ports.store.cases.get(record.caseId)?.status).toBe('in_review');
    expect(ports.writes.filter((w) => w.committed).length).toBe(
      ports.writes.slice(0, writes).filter((w) => w.committed).length,
    );
  });

  it('asks once for corrections at acceptance, or refuses the case', async () => {
    const asked = setup();
    asked.ports.store.tasks.set(
      `${asked.record.caseId}.r0.acceptance`,
      decided(
        asked.record.caseId,
        { departmentId: 'market-regulation' },
        decision('correct', { corrections: [{ path: '/form/x', message: '请补正' }] }),
      ),
    );
    const step = await recordAcceptance(asked.deps, asked.record.caseId, 0);
    expect(step.next).toBe('correct');
    const stored = asked.ports.store.cases.get(asked.record.caseId)!;
    expect(stored).toMatchObject({ status: 'awaiting_correction', correctionRound: 1 });
    expect(stored.correction).toMatchObject({ stage: 'acceptance', departments: ['market-regulation'] });

    const refused = setup();
    refused.ports.store.tasks.set(
      `${refused.record.caseId}.r0.acceptance`,
      decided(
        refused.record.caseId,
        { departmentId: 'market-regulation' },
        decision('reject', { opinion: '不予受理' }),
      ),
    );
    expect((await recordAcceptance(refused.deps, refused.record.caseId, 0)).next).toBe('refused');
    expect(refused.ports.store.cases.get(refused.record.caseId)?.outcome?.refused).toEqual({
      opinion: '不予受理',
    });
  });

  it('opens the dependants once the prerequisite is approved, then merges into one outcome', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    const review = reviewIn(record.caseId);
    const registration = approvedRegistration(record.caseId);
    ports.store.tasks.set(registration.taskId, registration);
    const next = await mergeDecisions(deps, record.caseId, 0);
    expect(next.next).toBe('review');
    if (next.next !== 'review') throw new Error('no next stage');
    expect(next.reviews.flatMap((r) => r.services)).toEqual([SEAL]);
    // What the registration produced is recorded before the seal is reviewed.
    expect(ports.store.cases.get(record.caseId)?.results?.[REGISTRATION]).toBeDefined();

    const seal = decided(record.caseId, review([SEAL], 'public-security', 1), decision('approve'));
    ports.store.tasks.set(seal.taskId, seal);
    const merged = await mergeDecisions(deps, record.caseId, 0);
    expect(merged.next).toBe('issue');
    expect(ports.store.cases.get(record.caseId)?.outcome?.approved.sort()).toEqual(
      [REGISTRATION, SEAL].sort(),
    );
  });

  it('ends a case whose prerequisite is refused, without reviewing its dependants', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    const registration = decided(
      record.caseId,
      {
        taskId: `${record.caseId}.r0.review.market-regulation`,
        kind: 'review',
        departmentId: 'market-regulation',
        services: [REGISTRATION],
      },
      decision('reject', { opinion: '名称不予登记' }),
    );
    ports.store.tasks.set(registration.taskId, registration);
    expect((await mergeDecisions(deps, record.caseId, 0)).next).toBe('reject');
    expect(ports.store.cases.get(record.caseId)?.status).toBe('rejected');
  });

  it('opens the reviews of a stage with one token, gives it to one opened early, and completes at once a stage already decided', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    // b was opened early (on its prerequisite's approval), without a token, and decided since.
    const early = `${record.caseId}.r0.b-s1`;
    ports.store.tasks.set(
      early,
      decided(
        record.caseId,
        { taskId: early, kind: 'review', departmentId: 'b', stage: 1, taskToken: undefined },
        decision('approve'),
      ),
    );
    const first = await openStage(deps, {
      caseId: record.caseId,
      round: 0,
      reviews: [planned(record.caseId, 'a'), planned(record.caseId, 'b')],
      taskToken: 'stage-token',
    });
    expect(first.decided).toBe(false);
    expect(ports.store.tasks.get(`${record.caseId}.r0.a-s1`)).toMatchObject({
      status: 'pending',
      taskToken: 'stage-token',
    });
    expect(ports.store.tasks.get(early)?.taskToken).toBe('stage-token');
    expect(ports.workflow.succeeded).toEqual([]);

    // Everything decided while the wait was being re-opened (after an escalation): done at once.
    const a = ports.store.tasks.get(`${record.caseId}.r0.a-s1`)!;
    ports.store.tasks.set(a.taskId, { ...a, status: 'approved', decision: decision('approve') });
    const again = await openStage(deps, {
      caseId: record.caseId,
      round: 0,
      reviews: [planned(record.caseId, 'a'), planned(record.caseId, 'b')],
      taskToken: 'stage-token-2',
    });
    expect(again.decided).toBe(true);
    // Answered with the next step planned (completeStage), as its last decision would.
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'stage-token-2',
        output: expect.objectContaining({ caseId: record.caseId, round: 0, next: 'review' }),
      },
    ]);
  });

  it('completes a stage whose last task, opened early, is decided while the others get the token', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    // Both opened early (no token); b is decided already, a is decided right after it gets the
    // token — before b gets it, so a's own check sees a alone and cannot complete the stage.
    for (const d of ['a', 'b']) {
      const id = `${record.caseId}.r0.${d}-s1`;
      ports.store.tasks.set(
        id,
        taskRecord({
          taskId: id,
          caseId: record.caseId,
          kind: 'review',
          departmentId: d,
          stage: 1,
          taskToken: undefined,
          createdAt: '2026-11-01T00:00:00.000Z',
        }),
      );
    }
    const b = ports.store.tasks.get(`${record.caseId}.r0.b-s1`)!;
    ports.store.tasks.set(b.taskId, { ...b, status: 'approved', decision: decision('approve') });
    const open = ports.tasks.open.bind(ports.tasks);
    ports.tasks.open = async (task, entry) => {
      const stored = await open(task, entry);
      if (task.departmentId === 'a') {
        const a = ports.store.tasks.get(task.taskId)!;
        ports.store.tasks.set(a.taskId, { ...a, status: 'approved', decision: decision('approve') });
      }
      return stored; // as read before a's decision
    };
    const result = await openStage(deps, {
      caseId: record.caseId,
      round: 0,
      reviews: [planned(record.caseId, 'a'), planned(record.caseId, 'b')],
      taskToken: 'stage-token',
    });
    expect(result.decided).toBe(true);
    expect(ports.workflow.succeeded).toEqual([
      {
        taskToken: 'stage-token',
        output: expect.objectContaining({ caseId: record.caseId, round: 0, next: 'review' }),
      },
    ]);
  });

  it('escalates the tasks of a stage past their own deadline, and waits until the next deadline', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    const overdue = planned(record.caseId, 'a', { stage: 0, dueAt: '2026-11-01T09:59:59.999Z' }); // before NOW
    const later = planned(record.caseId, 'b', { stage: 0, dueAt: '2026-11-02T03:00:00.000Z' }); // an hour after NOW
    await openStage(deps, { caseId: record.caseId, round: 0, reviews: [overdue, later], taskToken: 't' });

    const state = await escalateStage(deps, {
      caseId: record.caseId,
      round: 0,
      reviews: [overdue, later],
      stageTimeoutSeconds: 1,
    });

    expect(ports.store.tasks.get(`${record.caseId}.r0.a`)).toMatchObject({ overdue: true, escalations: 1 });
    expect(ports.store.tasks.get(`${record.caseId}.r0.b`)).toMatchObject({ overdue: false, escalations: 0 });
    expect(state.stageTimeoutSeconds).toBe(3600);
  });

  it('closes the supplement wait an earlier attempt opened, when the applicant answered before the retry', async () => {
    // Attempt 1 opened the wait, the applicant answered (finding it… or not yet), and the attempt
    // failed before closing it; the retry finds the case answered and must not leave it pending.
    const { ports, deps, record } = setup({ status: 'in_review', correctionRound: 1 });
    const taskId = `${record.caseId}.r1.supplement`;
    ports.store.tasks.set(
      taskId,
      taskRecord({
        taskId,
        caseId: record.caseId,
        kind: 'supplement',
        departmentId: 'applicant',
        services: [],
        round: 1,
        status: 'pending',
        taskToken: 'old',
      }),
    );
    await openTask(deps, { caseId: record.caseId, round: 1, kind: 'supplement', taskToken: 't-retry' });
    expect(ports.store.tasks.get(taskId)?.status).toBe('approved');
    expect(ports.workflow.succeeded).toEqual([{ taskToken: 't-retry', output: { outcome: 'supplemented' } }]);
  });

  it('returns a supplemented acceptance correction to acceptance', async () => {
    const { deps, record } = setup({
      status: 'submitted',
      correctionRound: 1,
      correction: {
        round: 1,
        requestedAt: NOW.toISOString(),
        dueAt: NOW.toISOString(),
        stage: 'acceptance',
        departments: ['market-regulation'],
        items: [{ departmentId: 'market-regulation', message: '请补正' }],
      },
    });
    expect((await resumeAfterSupplement(deps, record.caseId)).next).toBe('accept');
  });

  it('rejects a case whose correction went unanswered, and issues an approved one', async () => {
    const unanswered = setup({ status: 'awaiting_correction', correctionRound: 1 });
    expect((await closeUnanswered(unanswered.deps, unanswered.record.caseId)).next).toBe('reject');
    expect(unanswered.ports.store.cases.get(unanswered.record.caseId)?.status).toBe('rejected');

    const approved = setup({ status: 'in_review' });
    await deliverResults(approved.deps, approved.record.caseId, [{ id: 'l-1', serviceId: REGISTRATION }]);
    expect(approved.ports.store.cases.get(approved.record.caseId)?.status).toBe('issued');
    // Delivering again (a retry) leaves it issued.
    await deliverResults(approved.deps, approved.record.caseId, [{ id: 'l-1', serviceId: REGISTRATION }]);
    expect(approved.ports.store.cases.get(approved.record.caseId)?.status).toBe('issued');
  });

  it('delivers once: a replayed delivery of an issued case attempts no write and adds no timeline entry', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    const licenses = [
      { id: 'l-1', serviceId: REGISTRATION },
      { id: 'l-2', serviceId: SEAL },
    ];
    expect(await deliverResults(deps, record.caseId, licenses)).toEqual({
      caseId: record.caseId,
      status: 'issued',
    });
    const writes = ports.writes.length;
    const timeline = ports.store.timeline.get(record.caseId)?.length;

    // The merged issue-and-deliver task retried, or an old execution's Deliver Results after it.
    const again = await deliverResults(deps, record.caseId, licenses);

    expect(again).toEqual({ caseId: record.caseId, status: 'issued' });
    expect(ports.writes).toHaveLength(writes);
    expect(ports.store.timeline.get(record.caseId)).toHaveLength(timeline!);
    const issued = ports.store.timeline.get(record.caseId)!.filter((e) => e.event === 'issued');
    expect(issued).toEqual([
      expect.objectContaining({ detail: { licenses: ['l-1', 'l-2'], delivery: record.delivery.method } }),
    ]);
  });

  it('issues at once with the stage’s last decision: the results, the merge and the decision handed to one write', async () => {
    const { ports, deps, record } = setup({ status: 'in_review' });
    const review = reviewIn(record.caseId);
    const registration = approvedRegistration(record.caseId);
    const seal = taskRecord({ caseId: record.caseId, ...review([SEAL], 'public-security', 1) });
    ports.store.tasks.set(registration.taskId, registration);
    ports.store.tasks.set(seal.taskId, seal);
    const write = {
      ref: {
        caseId: record.caseId,
        taskId: seal.taskId,
        kind: 'review' as const,
        departmentId: 'public-security',
      },
      decision: decision('approve'),
      status: 'approved' as const,
      timeline: { at: NOW.toISOString(), event: 'review_decided' },
      audit: { actor: 'department:public-security', action: 'decide_review', detail: {} },
    };
    const read = {
      record,
      tasks: [registration, { ...seal, status: 'approved' as const, decision: write.decision }],
    };
    const handed: Parameters<NonNullable<typeof deps.issueNow>>[] = [];
    const issuing = (answer: boolean | Error) => ({
      ...deps,
      issueNow: async (...args: Parameters<NonNullable<typeof deps.issueNow>>) => {
        handed.push(args);
        if (answer instanceof Error) throw answer;
        if (answer) args[2].recorded = true;
        return answer;
      },
      warn: (message: string) => warned.push(message),
    });
    const warned: string[] = [];
    const before = ports.store.timeline.get(record.caseId)?.length ?? 0;

    const held = { write, recorded: false };
    const next = await mergeDecisions(issuing(true), record.caseId, 0, read, undefined, held);
    expect(next).toEqual({ caseId: record.caseId, round: 0, next: 'issued' });
    const [onCase, merge, decisionHanded] = handed[0]!;
    expect(onCase).toBe(record);
    expect(decisionHanded).toBe(held);
    expect(merge.approved.slice().sort()).toEqual([REGISTRATION, SEAL].sort());
    expect(merge.changes.results?.[REGISTRATION]).toBeDefined();
    expect(merge.changes.outcome?.approved.slice().sort()).toEqual([REGISTRATION, SEAL].sort());
    expect(merge.steps.map((s) => s.timeline.event)).toEqual(['results_recorded', 'merged']);
    // Nothing written here: the issue's one write records it all.
    expect(ports.store.timeline.get(record.caseId)?.length ?? 0).toBe(before);
    expect(ports.store.cases.get(record.caseId)?.outcome).toBeUndefined();

    // Not issued (refused, or failed): the results and the merge are written with the decision, as before.
    for (const answer of [false, new Error('file storage unavailable')]) {
      const again = { write, recorded: false };
      const { ports: p2, deps: d2, record: r2 } = setup({ status: 'in_review' });
      p2.store.tasks.set(registration.taskId, registration);
      p2.store.tasks.set(seal.taskId, seal);
      const later = await mergeDecisions(
        { ...issuing(answer), cases: d2.cases, tasks: d2.tasks },
        r2.caseId,
        0,
        { ...read, record: r2 },
        undefined,
        again,
      );
      expect(later.next).toBe('issue');
      expect(again.recorded).toBe(true);
      expect(p2.store.cases.get(r2.caseId)?.outcome?.approved.slice().sort()).toEqual(
        [REGISTRATION, SEAL].sort(),
      );
    }
    expect(warned).toEqual(['licenses not issued with the last decision; the state machine issues them']);
  });

  it('answers a stage whose case its last decision issued already as issued, writing nothing (a lost answer, a retry)', async () => {
    const { ports, deps, record } = setup({ status: 'issued' });
    const before = ports.store.timeline.get(record.caseId)?.length ?? 0;
    expect(await mergeDecisions(deps, record.caseId, 0)).toEqual({
      caseId: record.caseId,
      round: 0,
      next: 'issued',
    });
    expect(ports.store.timeline.get(record.caseId)?.length ?? 0).toBe(before);
  });

  it('leaves the planning to the state machine when it cannot be done with the decision', async () => {
    const { deps, record } = setup({ status: 'in_review' });
    const failing = { ...deps, caseWithTasks: () => Promise.reject(new Error('table unavailable')) };
    const seen: unknown[] = [];
    expect(await completeStage(failing, record.caseId, 0, (err) => seen.push(err))).toEqual({
      caseId: record.caseId,
      round: 0,
      next: 'plan',
      outcome: 'decided',
    });
    expect(await completeAcceptance(failing, record.caseId, 0, 'approve', (err) => seen.push(err))).toEqual({
      caseId: record.caseId,
      round: 0,
      next: 'record',
      outcome: 'approve',
    });
    expect(seen).toHaveLength(2);
  });
});
