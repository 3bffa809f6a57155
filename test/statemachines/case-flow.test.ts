/**
 * Every path through statemachines/case-flow.asl.json — the very file CDK deploys — executed by
 * the local Step Functions runtime. Task functions are scripted per test (the ASL only routes; what
 * the tasks decide is tested in core/flow). Assertions are on the execution's events, never sleeps.
 */
import { describe, expect, it } from 'vitest';
import { loadCaseFlowDefinition } from '../../local/state-machines.ts';
import { LocalStepFunctions, type TaskSubmittedEvent } from '../../local/stepfunctions/runtime.ts';

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
  const succeed = (t: TaskSubmittedEvent, output: unknown = {}) =>
    runtime.sendTaskSuccess({ taskToken: t.taskToken, output: JSON.stringify(output) });
  return { runtime, start, finish, nextTask, succeed, calls, counts };
}

const reviews = (...departments: string[]) =>
  departments.map((departmentId) => ({
    caseId: 'c-test',
    departmentId,
    services: [`${departmentId}-svc`],
    round: 0,
    dueAt: '2030-01-01T00:00:00Z',
    timeoutSeconds: 3600,
  }));

const issued = { licenses: [{ id: 'c-test.a-svc', serviceId: 'a-svc' }] };

describe('case flow ASL', () => {
  it('issues when the lead accepts and every department approves', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', reviews: reviews('a', 'b', 'c') }),
      'merge-decisions': (p) => ({ ...p, next: 'issue', approved: ['a-svc', 'b-svc', 'c-svc'] }),
      'issue-licenses': () => issued,
      'deliver-results': (p) => ({ caseId: p.caseId, status: 'issued' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'), { outcome: 'approve' });
    // All three review tasks are open at the same time (一次分办), answered out of order.
    const [a, b, c] = await Promise.all([
      h.nextTask('review', 'a'),
      h.nextTask('review', 'b'),
      h.nextTask('review', 'c'),
    ]);
    await h.succeed(c!);
    await h.succeed(a!);
    await h.succeed(b!);
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toEqual(
      expect.arrayContaining([
        'Dispatch To Departments',
        'Merge Decisions',
        'Issue Licenses',
        'Deliver Results',
        'Case Issued',
      ]),
    );
    expect(entered.filter((s) => s === 'Ask Department To Review')).toHaveLength(3);
    expect(h.calls.find((c) => c.name === 'deliver-results')?.payload).toEqual({
      caseId: 'c-test',
      licenses: issued.licenses,
    });
  });

  it('ends rejected when the merge approves nothing', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', reviews: reviews('a') }),
      'merge-decisions': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.succeed(await h.nextTask('review', 'a'));
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toContain('Case Rejected');
    expect(entered).not.toContain('Issue Licenses');
  });

  it('ends refused when the lead department refuses', async () => {
    const h = await harness({ 'record-acceptance': (p) => ({ ...p, next: 'refused' }) });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    const { entered } = await h.finish(arn);
    expect(entered).toContain('Case Refused');
    expect(entered).not.toContain('Dispatch To Departments');
  });

  it('waits for one supplement and re-dispatches only to the departments that asked', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({ ...p, next: 'dispatch', reviews: reviews('a', 'b', 'c') }),
      'merge-decisions': (p, call) =>
        call === 1
          ? { ...p, round: 1, next: 'correct', timeoutSeconds: 3600 }
          : { ...p, next: 'issue', approved: ['a-svc'] },
      'resume-after-supplement': (p) => ({
        caseId: p.caseId,
        round: 1,
        next: 'dispatch',
        reviews: reviews('a', 'c').map((r) => ({ ...r, round: 1 })),
      }),
      'issue-licenses': () => issued,
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    for (const d of ['a', 'b', 'c']) await h.succeed(await h.nextTask('review', d));
    const supplement = await h.nextTask('supplement');
    expect(supplement.payload).toMatchObject({ round: 1 });
    await h.succeed(supplement);
    const again = await Promise.all([h.nextTask('review', 'a'), h.nextTask('review', 'c')]);
    for (const t of again) await h.succeed(t);
    const { result, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered.filter((s) => s === 'Wait For Applicant Supplement')).toHaveLength(1);
    expect(entered.filter((s) => s === 'Ask Department To Review')).toHaveLength(5);
    expect(h.counts.get('merge-decisions')).toBe(2);
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

  it('escalates a review that times out and keeps it workable', async () => {
    const h = await harness({
      'record-acceptance': (p) => ({
        ...p,
        next: 'dispatch',
        reviews: reviews('a').map((r) => ({ ...r, timeoutSeconds: 1 })),
      }),
      'escalate-task': (p) => ({ ...(p.state as object), timeoutSeconds: 3600 }),
      'merge-decisions': (p) => ({ ...p, next: 'reject' }),
    });
    const arn = await h.start();
    await h.succeed(await h.nextTask('acceptance'));
    await h.nextTask('review', 'a'); // not answered: times out after 1 s
    const reopened = await h.nextTask('review', 'a');
    await h.succeed(reopened);
    const { result, events, entered } = await h.finish(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(entered).toContain('Escalate Overdue Review');
    expect(events.some((e) => e.type === 'TaskTimedOut')).toBe(true);
    expect(h.calls.find((c) => c.name === 'escalate-task')?.payload).toMatchObject({
      kind: 'review',
      state: { departmentId: 'a' },
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
