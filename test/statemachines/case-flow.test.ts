/**
 * Every path through statemachines/case-flow.asl.json — the very file CDK deploys — executed by
 * the local Step Functions runtime. Task functions are scripted per test (the ASL only routes; what
 * the tasks decide is tested in core/flow/steps.test.ts and its neighbours). Assertions are on the execution's events, never sleeps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalStepFunctions, type TaskSubmittedEvent } from '../../local/stepfunctions/runtime.ts';

/**
 * The deployed file with its `${…FunctionArn}` substitutions filled by function names — done here
 * rather than through functions/routes.ts, so this test runs the ASL without loading any handler.
 */
function loadCaseFlowDefinition(): string {
  const file = new URL('../../statemachines/case-flow.asl.json', import.meta.url);
  return readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (_, key: string) => {
    if (key === 'Partition') return 'aws';
    const name = key
      .replace(/FunctionArn$/, '')
      .replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`);
    return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  });
}

type Fn = (payload: Record<string, unknown>, call: number) => unknown;

class Named extends Error {
  constructor(name: string, message = name) {
    super(message);
    this.name = name;
  }
}

/** A runtime running the real ASL with scripted task functions, and a queue of callback tasks. */
async function harness(script: Record<string, Fn>) {
  const calls: { name: string; payload: Record<string, unknown> }[] = [];
  const counts = new Map<string, number>();
  const runtime = new LocalStepFunctions({
    retryIntervalMs: 1,
    invokeFunction: async (name, payload) => {
      const n = (counts.get(name) ?? 0) + 1;
      counts.set(name, n);
      calls.push({ name, payload: payload as Record<string, unknown> });
      const fn = script[name];
      if (!fn) return {};
      return fn(payload as Record<string, unknown>, n);
    },
  });
  const submitted: TaskSubmittedEvent[] = [];
  const waiters: { match: (t: TaskSubmittedEvent) => boolean; resolve: (t: TaskSubmittedEvent) => void }[] =
    [];
  runtime.on('taskSubmitted', (t) => {
    const i = waiters.findIndex((w) => w.match(t));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(t);
    else submitted.push(t);
  });
  const nextTask = (kind: string, departmentId?: string) =>
    new Promise<TaskSubmittedEvent>((resolve, reject) => {
      const match = (t: TaskSubmittedEvent) => {
        const p = t.payload as { kind?: string; departmentId?: string };
        return p.kind === kind && (departmentId === undefined || p.departmentId === departmentId);
      };
      const i = submitted.findIndex(match);
      if (i >= 0) return resolve(submitted.splice(i, 1)[0]!);
      waiters.push({ match, resolve });
      setTimeout(
        () => reject(new Error(`no ${kind} task ${departmentId ?? ''} within 10 s`)),
        10_000,
      ).unref();
    });
  const { stateMachineArn } = await runtime.createStateMachine({
    name: 'case-flow',
    definition: loadCaseFlowDefinition(),
  });
  const start = async (timeoutSeconds = 3600) => {
    const { executionArn } = await runtime.startExecution({
      stateMachineArn,
      name: `case-${Math.random().toString(36).slice(2)}`,
      input: JSON.stringify({ caseId: 'c-test', round: 0, timeoutSeconds }),
    });
    return executionArn;
  };
  const finish = async (executionArn: string) => {
    const result = await runtime.waitForExecution(executionArn, { timeoutMs: 15_000 });
    const { events } = await runtime.getExecutionHistory({ executionArn, maxResults: 1000 });
    const entered = events.flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    await runtime.close();
    return { result, events, entered };
  };
  // A wait answered without the step its decision would have taken answers as a decision that
  // leaves that step to the state machine (core/flow/steps.ts completeStage, completeAcceptance):
  // a stage's next = plan, the acceptance's next = record (with the outcome given, if any).
  const succeed = (t: TaskSubmittedEvent, output?: Record<string, unknown>) =>
    runtime.sendTaskSuccess({
      taskToken: t.taskToken,
      output: JSON.stringify(
        isStage(t) && !output
          ? planLater(t)
          : isAcceptance(t) && !output?.next
            ? { ...recordLater(t), ...output }
            : (output ?? {}),
      ),
    });
  return { runtime, start, finish, nextTask, succeed, calls, counts };
}

const isStage = (t: TaskSubmittedEvent) => (t.payload as { kind?: string }).kind === 'stage';

const isAcceptance = (t: TaskSubmittedEvent) => (t.payload as { kind?: string }).kind === 'acceptance';

/** The acceptance's answer that leaves the recording to Record Acceptance (a decision that could not record it). */
const recordLater = (t: TaskSubmittedEvent) => {
  const p = t.payload as { caseId: string; round: number };
  return { caseId: p.caseId, round: p.round, next: 'record', outcome: 'approve' };
};

/** A stage's answer that leaves the planning to Plan Next Stage (a decision that could not plan). */
const planLater = (t: TaskSubmittedEvent) => {
  const p = t.payload as { caseId: string; round: number };
  return { caseId: p.caseId, round: p.round, next: 'plan', outcome: 'decided' };
};

const reviews = (...departments: string[]) => staged(0, ...departments);

const staged = (stage: number, ...departments: string[]) =>
  departments.map((departmentId) => ({
    caseId: 'c-test',
    kind: 'review',
    departmentId,
    services: [`${departmentId}-svc`],
    round: 0,
    stage,
    dueAt: '2030-01-01T00:00:00Z',
    timeoutSeconds: 3600,
  }));

/** What a planning step answers for a stage: its reviews and the wait until the earliest deadline. */
const stage = (list: ReturnType<typeof staged>, stageTimeoutSeconds = 3600) => ({
  reviews: list,
  stageTimeoutSeconds,
});

/** The departments of a stage's wait, in plan order. */
const departmentsOf = (t: TaskSubmittedEvent) =>
  (t.payload as { reviews: { departmentId: string }[] }).reviews.map((r) => r.departmentId);

/** Every *StateEntered event is one billed state transition. */
const transitions = (events: readonly { type: string }[]) =>
  events.filter((e) => e.type.endsWith('StateEntered')).length;

const issued = { licenses: [{ id: 'c-test.a-svc', serviceId: 'a-svc' }] };

/** Issue And Deliver Licenses as scripted: what functions/issue-licenses.task.ts answers. */
const issueAndDeliver: Fn = (p) => ({ caseId: p.caseId, status: 'issued', ...issued });

describe('case flow ASL', () => {
  it('issues when the lead accepts and every department approves', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a', 'b', 'c')) }),
      'issue-licenses': issueAndDeliver,
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'), { outcome: 'approve' });
    // All three reviews are opened at once (一次分办), by one wait holding one token; the last
    // decision of the stage completes it (core/flow/decide-task.ts).
    const wait = await h.nextTask('stage');
    expect(departmentsOf(wait)).toEqual(['a', 'b', 'c']);
    // The last decision answers with the next step planned (core/flow/steps.ts completeStage).
    await h.succeed(wait, {
      caseId: 'c-test',
      round: 0,
      next: 'issue',
      approved: ['a-svc', 'b-svc', 'c-svc'],
    });
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    // Issued and delivered by one task, the last state: no Deliver Results, no Succeed state after.
    expect(entered.slice(-3)).toEqual([
      'Review Stage',
      'Next Stage Or Outcome',
      'Issue And Deliver Licenses',
    ]);
    expect(h.counts.has('plan-next-stage')).toBe(false);
    expect(entered.filter((s) => s === 'Review Stage')).toHaveLength(1);
    expect(h.calls.filter((c) => c.name === 'issue-licenses').map((c) => c.payload)).toEqual([
      { caseId: 'c-test', approved: ['a-svc', 'b-svc', 'c-svc'] },
    ]);
    expect(h.counts.has('deliver-results')).toBe(false);
    expect(JSON.parse(result.output!)).toEqual({ caseId: 'c-test', status: 'issued', ...issued });
  });

  it('ends issued at once when the last decision issued the licenses itself (next = issued), after a stage or straight from the acceptance’s wait', async () => {
    for (const from of ['stage', 'acceptance'] as const) {
      const h = await harness({
        'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a')) }),
        'issue-licenses': issueAndDeliver,
      });
      const arn = await h.start();
      const acceptance = await h.nextTask('acceptance');
      if (from === 'acceptance')
        // A wait that carried on through the review: its answer comes back to the acceptance's Choice.
        await h.succeed(acceptance, { caseId: 'c-test', round: 0, next: 'issued' });
      else {
        await h.succeed(acceptance, { outcome: 'approve' });
        await h.succeed(await h.nextTask('stage'), { caseId: 'c-test', round: 0, next: 'issued' });
      }
      const { result, entered } = await h.finish(arn);
      expect(result.status).toBe('SUCCEEDED');
      expect(entered.at(-1)).toBe('Case Issued');
      expect(entered).not.toContain('Issue And Deliver Licenses');
      expect(h.counts.has('issue-licenses')).toBe(false);
    }
  });

  it('opens the second stage only after the first is decided, and takes at most 20 transitions for 企业开办 even when Plan Next Stage plans every stage', async () => {
    // 企业开办: 企业设立登记 first; 公章、银行开户、发票、社保、公积金 after it, together.
    const second = ['public-security', 'pboc-changzhou', 'tax', 'hrss', 'housing-fund'];
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('market-regulation')) }),
      'plan-next-stage': (p, call) =>
        call === 1
          ? { ...p, next: 'review', ...stage(staged(1, ...second)) }
          : { ...p, next: 'issue', approved: ['all'] },
      'issue-licenses': issueAndDeliver,
    });
    const waits: string[][] = [];
    h.runtime.on('taskSubmitted', (t) => {
      if ((t.payload as { kind?: string }).kind === 'stage') waits.push(departmentsOf(t));
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const registration = await h.nextTask('stage');
    expect((registration.payload as { reviews: unknown[] }).reviews).toMatchObject([
      { stage: 0, services: ['market-regulation-svc'] },
    ]);
    // Nothing of the second stage is open while the registration is under review.
    expect(waits).toEqual([['market-regulation']]);
    await h.succeed(registration);
    const stage2 = await h.nextTask('stage');
    expect(departmentsOf(stage2)).toEqual(second);
    expect((stage2.payload as { reviews: { stage: number }[] }).reviews.map((r) => r.stage)).toEqual([
      1, 1, 1, 1, 1,
    ]);
    await h.succeed(stage2);
    const { result, events, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered.filter((s) => s === 'Review Stage')).toHaveLength(2);
    expect(h.counts.get('plan-next-stage')).toBe(2);
    // The fallback everywhere (the decisions leave recording and planning to the state machine):
    // accept (wait + Choice + Record + Choice, 4) + per stage wait + Choice + Plan + Choice (4) +
    // issue and deliver (1) — one wait per stage, whatever the number of departments (was one per
    // department, 18). As the decisions answer (the test below): 7.
    expect(transitions(events)).toBe(13);
    expect(transitions(events)).toBeLessThanOrEqual(20);
  });

  it('goes straight to the next step when each decision answers with it taken: 7 transitions for 企业开办', async () => {
    const second = ['public-security', 'pboc-changzhou', 'tax', 'hrss', 'housing-fund'];
    const h = await harness({ 'issue-licenses': issueAndDeliver });
    const arn = await h.start();
    // The acceptance answers recorded, with the first stage planned (what Record Acceptance would answer) ...
    await h.succeed(await h.nextTask('acceptance'), {
      caseId: 'c-test',
      round: 0,
      next: 'dispatch',
      ...stage(reviews('market-regulation')),
    });
    // The registration's decision plans the second stage (what Plan Next Stage would answer) ...
    await h.succeed(await h.nextTask('stage'), {
      caseId: 'c-test',
      round: 0,
      next: 'review',
      ...stage(staged(1, ...second)),
    });
    const stage2 = await h.nextTask('stage');
    // ... whose wait opens exactly the planned reviews,
    expect(departmentsOf(stage2)).toEqual(second);
    // and the last of them plans the issue.
    await h.succeed(stage2, { caseId: 'c-test', round: 0, next: 'issue', approved: ['all'] });
    const { result, events, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.counts.has('plan-next-stage')).toBe(false);
    expect(h.counts.has('record-acceptance')).toBe(false);
    expect(h.calls.find((c) => c.name === 'issue-licenses')?.payload).toEqual({
      caseId: 'c-test',
      approved: ['all'],
    });
    expect(entered).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Review Stage',
      'Next Stage Or Outcome',
      'Review Stage',
      'Next Stage Or Outcome',
      'Issue And Deliver Licenses',
    ]);
    expect(transitions(events)).toBe(7);
  });

  it('takes 3 transitions for 企业开办 when the acceptance’s wait carries on through both stages and answers the outcome', async () => {
    const h = await harness({ 'issue-licenses': issueAndDeliver });
    const arn = await h.start();
    const acceptance = await h.nextTask('acceptance');
    // The definition tells open-task that this wait takes any step (core/flow/steps.ts answerWait),
    // and hands it the execution's input (the first acceptance as the submission planned it).
    expect(acceptance.payload).toMatchObject({
      kind: 'acceptance',
      carryOn: true,
      start: { caseId: 'c-test', round: 0 },
    });
    // Both stages opened under the acceptance's token; the last decision answers the issue.
    await h.succeed(acceptance, { caseId: 'c-test', round: 0, next: 'issue', approved: ['all'] });
    const { result, events, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Issue And Deliver Licenses',
    ]);
    expect(transitions(events)).toBe(3);
    expect(h.calls.find((c) => c.name === 'issue-licenses')?.payload).toEqual({
      caseId: 'c-test',
      approved: ['all'],
    });
    expect(h.calls.filter((c) => c.name === 'open-task')).toHaveLength(1);
  });

  it('opens with Review Stage a stage a carried acceptance wait leaves to the state machine (next = review)', async () => {
    // A stage the decision could not open (next = review): Review Stage opens it, with carryOn too.
    const h = await harness({ 'issue-licenses': issueAndDeliver });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'), {
      caseId: 'c-test',
      round: 0,
      next: 'review',
      ...stage(staged(1, 'tax', 'hrss')),
    });
    const stage2 = await h.nextTask('stage');
    expect(stage2.payload).toMatchObject({ kind: 'stage', carryOn: true });
    expect(departmentsOf(stage2)).toEqual(['tax', 'hrss']);
    await h.succeed(stage2, { caseId: 'c-test', round: 0, next: 'issue', approved: ['all'] });
    expect((await h.finish(arn)).entered).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Review Stage',
      'Next Stage Or Outcome',
      'Issue And Deliver Licenses',
    ]);
  });

  it('ends rejected, or asks for the correction, when a carried acceptance wait answers so', async () => {
    const r = await harness({});
    const rejected = await r.start();
    await r.succeed(await r.nextTask('acceptance'), { caseId: 'c-test', round: 0, next: 'reject' });
    expect((await r.finish(rejected)).entered).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Case Rejected',
    ]);

    const c = await harness({
      'resume-after-supplement': (p) => ({
        caseId: p.caseId,
        round: 1,
        next: 'dispatch',
        ...stage(reviews('tax').map((x) => ({ ...x, round: 1 }))),
      }),
    });
    const corrected = await c.start();
    // A later stage asked for corrections (the merge's answer), through the acceptance's wait.
    await c.succeed(await c.nextTask('acceptance'), {
      caseId: 'c-test',
      round: 1,
      next: 'correct',
      timeoutSeconds: 3600,
    });
    await c.succeed(await c.nextTask('supplement'), { outcome: 'supplemented' });
    await c.succeed(await c.nextTask('stage'), { caseId: 'c-test', round: 1, next: 'reject' });
    const { entered } = await c.finish(corrected);
    expect(entered.slice(0, 3)).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Wait For Applicant Supplement',
    ]);
    expect(entered.at(-1)).toBe('Case Rejected');
  });

  it('records the acceptance with Record Acceptance when its answer leaves that to the state machine', async () => {
    const h = await harness({ 'record-acceptance': (p) => ({ ...p, next: 'refused' }) });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'), {
      caseId: 'c-test',
      round: 0,
      next: 'record',
      outcome: 'reject',
    });
    const { entered } = await h.finish(arn);
    expect(h.calls.filter((c) => c.name === 'record-acceptance').map((c) => c.payload)).toEqual([
      { caseId: 'c-test', round: 0 },
    ]);
    expect(entered).toEqual([
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Record Acceptance',
      'Acceptance Outcome',
      'Case Refused',
    ]);
  });

  it('plans a stage with Plan Next Stage when its answer leaves the planning to the state machine', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a')) }),
      'plan-next-stage': (p) => ({ ...p, next: 'issue', approved: ['a-svc'] }),
      'issue-licenses': issueAndDeliver,
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('stage'), {
      caseId: 'c-test',
      round: 0,
      next: 'plan',
      outcome: 'decided',
    });
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.calls.filter((c) => c.name === 'plan-next-stage').map((c) => c.payload)).toEqual([
      { caseId: 'c-test', round: 0 },
    ]);
    expect(entered.slice(-5)).toEqual([
      'Review Stage',
      'Next Stage Or Outcome',
      'Plan Next Stage',
      'Next Stage Or Outcome',
      'Issue And Deliver Licenses',
    ]);
  });

  it('ends rejected without a second stage when the prerequisite is refused', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('market-regulation')) }),
      'plan-next-stage': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('stage'));
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toContain('Case Rejected');
    expect(entered.filter((s) => s === 'Review Stage')).toHaveLength(1);
    expect(entered).not.toContain('Issue And Deliver Licenses');
  });

  it('re-reviews only the asker of a later stage after a correction, then goes on staging', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a')) }),
      'plan-next-stage': (p, call) =>
        call === 1
          ? { ...p, next: 'review', ...stage(staged(1, 'b', 'c')) }
          : call === 2
            ? { ...p, round: 1, next: 'correct', timeoutSeconds: 3600 }
            : { ...p, next: 'issue', approved: ['a-svc', 'b-svc', 'c-svc'] },
      'resume-after-supplement': (p) => ({
        caseId: p.caseId,
        round: 1,
        next: 'dispatch',
        ...stage(staged(1, 'c').map((r) => ({ ...r, round: 1 }))),
      }),
      'issue-licenses': issueAndDeliver,
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('stage'));
    await h.succeed(await h.nextTask('stage'));
    await h.succeed(await h.nextTask('supplement'));
    const again = await h.nextTask('stage');
    expect(departmentsOf(again)).toEqual(['c']);
    expect((again.payload as { reviews: unknown[] }).reviews).toMatchObject([{ round: 1, stage: 1 }]);
    await h.succeed(again);
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    // a (stage 0) and b (stage 1) approved: not reopened.
    expect(entered.filter((s) => s === 'Review Stage')).toHaveLength(3);
    expect(entered.filter((s) => s === 'Wait For Applicant Supplement')).toHaveLength(1);
    expect(
      h.calls.filter(
        (c) =>
          c.name === 'open-task' &&
          ((c.payload as { reviews?: { departmentId: string }[] }).reviews ?? []).some(
            (r) => r.departmentId === 'a',
          ),
      ),
    ).toHaveLength(1);
  });

  it('opens the joint inspection as a task of its own beside the reviews of its stage', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({
        ...p,
        next: 'dispatch',
        ...stage([
          ...reviews('city-management'),
          { ...reviews('market-regulation')[0]!, kind: 'inspection' },
        ]),
      }),
      'plan-next-stage': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const wait = await h.nextTask('stage');
    expect((wait.payload as { reviews: { kind: string }[] }).reviews.map((r) => r.kind).sort()).toEqual([
      'inspection',
      'review',
    ]);
    await h.succeed(wait);
    const { result } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(
      h.calls
        .filter((c) => c.name === 'open-task')
        .map((c) => (c.payload as { kind: string }).kind)
        .sort(),
    ).toEqual(['acceptance', 'stage']);
  });

  it('ends rejected when the merge approves nothing', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a')) }),
      'plan-next-stage': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('stage'));
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toContain('Case Rejected');
    expect(entered).not.toContain('Issue And Deliver Licenses');
  });

  it('ends refused when the lead department refuses', async () => {
    const h = await harness({ 'record-acceptance': (p) => ({ ...p, next: 'refused' }) });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const { entered } = await h.finish(arn);
    expect(entered).toContain('Case Refused');
    expect(entered).not.toContain('Review Stage');
  });

  it('waits for one supplement and re-dispatches only to the departments that asked', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a', 'b', 'c')) }),
      'plan-next-stage': (p, call) =>
        call === 1
          ? { ...p, round: 1, next: 'correct', timeoutSeconds: 3600 }
          : { ...p, next: 'issue', approved: ['a-svc'] },
      'resume-after-supplement': (p) => ({
        caseId: p.caseId,
        round: 1,
        next: 'dispatch',
        ...stage(reviews('a', 'c').map((r) => ({ ...r, round: 1 }))),
      }),
      'issue-licenses': issueAndDeliver,
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const first = await h.nextTask('stage');
    expect(departmentsOf(first)).toEqual(['a', 'b', 'c']);
    await h.succeed(first);
    const supplement = await h.nextTask('supplement');
    expect(supplement.payload).toMatchObject({ round: 1 });
    await h.succeed(supplement);
    // The re-review carries only the askers: one wait for two, after the first for three.
    const again = await h.nextTask('stage');
    expect(departmentsOf(again)).toEqual(['a', 'c']);
    await h.succeed(again);
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered.filter((s) => s === 'Wait For Applicant Supplement')).toHaveLength(1);
    expect(entered.filter((s) => s === 'Review Stage')).toHaveLength(2);
    expect(h.counts.get('plan-next-stage')).toBe(2);
  });

  it('goes back to the lead department after a correction asked at acceptance', async () => {
    const h = await harness({
      'record-acceptance': (p, call) =>
        call === 1 ? { ...p, round: 1, next: 'correct', timeoutSeconds: 3600 } : { ...p, next: 'refused' },
      'resume-after-supplement': (p) => ({
        caseId: p.caseId,
        round: 1,
        next: 'accept',
        timeoutSeconds: 3600,
      }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('supplement'));
    const second = await h.nextTask('acceptance');
    expect(second.payload).toMatchObject({ round: 1 });
    await h.succeed(second);
    const { entered } = await h.finish(arn);
    expect(entered.filter((s) => s === 'Ask Lead Department To Accept')).toHaveLength(2);
  });

  it('escalates a stage whose earliest deadline passes and keeps its tasks workable', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a', 'b'), 1) }),
      'escalate-task': (p) => ({ ...(p.state as object), stageTimeoutSeconds: 3600 }),
      'plan-next-stage': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.nextTask('stage'); // not completed: times out after 1 s (the earliest deadline)
    const reopened = await h.nextTask('stage');
    expect(departmentsOf(reopened)).toEqual(['a', 'b']);
    await h.succeed(reopened);
    const { result, events, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toContain('Escalate Overdue Stage');
    expect(events.some((e) => e.type === 'TaskTimedOut')).toBe(true);
    expect(h.calls.find((c) => c.name === 'escalate-task')?.payload).toMatchObject({
      kind: 'stage',
      state: { reviews: [{ departmentId: 'a' }, { departmentId: 'b' }] },
    });
  });

  it('escalates an acceptance that times out', async () => {
    const h = await harness({
      'escalate-task': (p) => ({ ...(p.state as object), timeoutSeconds: 3600 }),
      'record-acceptance': (p) => ({ ...p, next: 'refused' }),
    });
    const arn = await h.start(1);
    await h.nextTask('acceptance');
    await h.succeed(await h.nextTask('acceptance'));
    const { entered } = await h.finish(arn);
    expect(entered).toContain('Escalate Overdue Acceptance');
    expect(entered).toContain('Case Refused');
  });

  it('escalates a carried acceptance wait that times out while a stage holds its token, enters it again, and takes the outcome from there', async () => {
    const h = await harness({
      // What escalateTask answers for a decided acceptance: the stage it holds now, escalated.
      'escalate-task': (p) => ({ ...(p.state as object), timeoutSeconds: 3600 }),
      'issue-licenses': issueAndDeliver,
    });
    const arn = await h.start(1);
    await h.nextTask('acceptance'); // accepted, its stages carried on under it … then it times out
    const again = await h.nextTask('acceptance');
    expect(again.payload).toMatchObject({ kind: 'acceptance', carryOn: true });
    await h.succeed(again, { caseId: 'c-test', round: 0, next: 'issue', approved: ['all'] });
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toEqual([
      'Ask Lead Department To Accept',
      'Escalate Overdue Acceptance',
      'Ask Lead Department To Accept',
      'Acceptance Outcome',
      'Issue And Deliver Licenses',
    ]);
  });

  it('closes the case when the applicant does not supplement in time', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, round: 1, next: 'correct', timeoutSeconds: 1 }),
      'close-unanswered': (p) => ({ caseId: p.caseId, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.nextTask('supplement'); // never answered
    const { entered } = await h.finish(arn);
    expect(entered).toEqual(expect.arrayContaining(['Close Unanswered Correction', 'Case Rejected']));
  });

  it('retries a task that fails with a retryable error, then goes on', async () => {
    const h = await harness({
      'record-acceptance': (p, call) => {
        if (call < 3) throw new Named('UnavailableError', 'database briefly unavailable');
        return { ...p, next: 'refused' };
      },
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const { result, events } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(h.counts.get('record-acceptance')).toBe(3);
    expect(events.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
  });

  /** A case that reaches Issue And Deliver Licenses at once, with `issue` as its task function. */
  const toIssuance = (issue: Fn, extra: Record<string, Fn> = {}) =>
    harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', ...stage(reviews('a', 'b')) }),
      'plan-next-stage': (p) => ({ ...p, next: 'issue', approved: ['a-svc', 'b-svc'] }),
      'issue-licenses': issue,
      'record-failure': (p) => ({ caseId: p.caseId, recorded: true }),
      ...extra,
    });
  const runToIssuance = async (h: Awaited<ReturnType<typeof toIssuance>>) => {
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('stage'));
    return h.finish(arn);
  };

  it('retries Issue And Deliver Licenses when the delivery fails after the licenses are issued, issuing each once and delivering once', async () => {
    // The task as functions/issue-licenses.task.ts runs it, over a scripted store: licenses
    // already recorded are kept (issueLicenses), and the delivery fails once, after them.
    const recorded = new Map<string, string>();
    const deliveries: unknown[] = [];
    let minted = 0;
    const h = await toIssuance((p, call) => {
      for (const serviceId of p.approved as string[])
        if (!recorded.has(serviceId)) recorded.set(serviceId, `l-${++minted}`);
      const licenses = [...recorded].map(([serviceId, id]) => ({ id, serviceId }));
      if (call === 1) throw new Named('UnavailableError', 'database briefly unavailable');
      deliveries.push(licenses);
      return { caseId: p.caseId, status: 'issued', licenses };
    });

    const { result, events, entered } = await runToIssuance(h);

    expect(result.status).toBe('SUCCEEDED');
    expect(h.counts.get('issue-licenses')).toBe(2);
    expect(events.filter((e) => e.type === 'TaskFailed')).toHaveLength(1);
    // A retry is not a state entered again: no billed transition for it.
    expect(entered.filter((s) => s === 'Issue And Deliver Licenses')).toHaveLength(1);
    expect(entered.at(-1)).toBe('Issue And Deliver Licenses');
    expect(minted).toBe(2);
    expect(deliveries).toEqual([
      [
        { id: 'l-1', serviceId: 'a-svc' },
        { id: 'l-2', serviceId: 'b-svc' },
      ],
    ]);
    expect(entered).not.toContain('Record Flow Failure');
  });

  it('records the failure when Issue And Deliver Licenses keeps failing, after its retries', async () => {
    const h = await toIssuance(() => {
      throw new Named('UnavailableError', 'the signing key is unavailable');
    });

    const { result, entered } = await runToIssuance(h);

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('FlowFailed');
    expect(h.counts.get('issue-licenses')).toBe(4); // the first attempt and MaxAttempts 3
    expect(entered.slice(-3)).toEqual(['Issue And Deliver Licenses', 'Record Flow Failure', 'Flow Failed']);
    expect(h.calls.find((c) => c.name === 'record-failure')?.payload).toMatchObject({
      caseId: 'c-test',
      failure: { Error: 'UnavailableError' },
    });
  });

  it.each(['CaseNotFoundError', 'UnknownServiceError', 'CaseClosedError'])(
    'records a %s of Issue And Deliver Licenses at once, without a retry',
    async (error) => {
      const h = await toIssuance(() => {
        throw new Named(error);
      });

      const { result, entered } = await runToIssuance(h);

      expect(result.status).toBe('FAILED');
      expect(h.counts.get('issue-licenses')).toBe(1);
      expect(entered.slice(-3)).toEqual(['Issue And Deliver Licenses', 'Record Flow Failure', 'Flow Failed']);
      expect(h.calls.find((c) => c.name === 'record-failure')?.payload).toMatchObject({
        caseId: 'c-test',
        failure: { Error: error },
      });
    },
  );

  it('records a task that keeps failing and fails the execution without losing the case', async () => {
    const h = await harness({
      'record-acceptance': () => {
        throw new Named('CaseNotFoundError', 'case c-test does not exist');
      },
      'record-failure': (p) => ({ caseId: p.caseId, recorded: true }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('FlowFailed');
    expect(entered).toContain('Record Flow Failure');
    expect(h.counts.get('record-acceptance')).toBe(1); // not a retryable error
    expect(h.calls.find((c) => c.name === 'record-failure')?.payload).toMatchObject({
      caseId: 'c-test',
      failure: { Error: 'CaseNotFoundError' },
    });
  });
});
