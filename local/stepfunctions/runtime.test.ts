import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LocalHistoryEvent,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  type TaskSubmittedEvent,
} from './runtime.ts';

type Fn = (payload: never) => unknown;

const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const INVOKE_CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
}

const runtimes: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

function makeRuntime(fns: Record<string, Fn>, options: Partial<LocalStepFunctionsOptions> = {}) {
  const runtime = new LocalStepFunctions({
    invokeFunction: async (name, payload) => {
      const fn = fns[name];
      if (!fn)
        throw Object.assign(new Error(`No function ${name}`), { name: 'Lambda.ResourceNotFoundException' });
      return fn(payload as never);
    },
    ...options,
  });
  runtimes.push(runtime);
  return runtime;
}

async function start(runtime: LocalStepFunctions, definition: object, input: unknown = {}, name?: string) {
  const { stateMachineArn } = await runtime.createStateMachine({
    name: `sm-${randomUUID()}`,
    definition: JSON.stringify(definition),
  });
  const { executionArn } = await runtime.startExecution({
    stateMachineArn,
    name,
    input: JSON.stringify(input),
  });
  return { stateMachineArn, executionArn };
}

async function runToEnd(runtime: LocalStepFunctions, definition: object, input: unknown = {}) {
  const { executionArn } = await start(runtime, definition, input);
  const execution = await runtime.waitForExecution(executionArn, { timeoutMs: 5_000 });
  const { events } = await runtime.getExecutionHistory({ executionArn, maxResults: 1000 });
  return { execution, events, output: execution.output ? JSON.parse(execution.output) : undefined };
}

/** Resolves with the first `count` callback tasks that reach TaskSubmitted; rejects if an execution fails first. */
function submittedTasks(runtime: LocalStepFunctions, count: number): Promise<TaskSubmittedEvent[]> {
  return new Promise((resolve, reject) => {
    const seen: TaskSubmittedEvent[] = [];
    const onTask = (task: TaskSubmittedEvent) => {
      seen.push(task);
      if (seen.length === count) {
        runtime.off('taskSubmitted', onTask);
        resolve(seen);
      }
    };
    runtime.on('taskSubmitted', onTask);
    runtime.on('executionEnded', (execution) => {
      if (seen.length < count)
        reject(new Error(`Execution ended before its tasks: ${JSON.stringify(execution)}`));
    });
  });
}

const types = (events: LocalHistoryEvent[]) => events.map((e) => e.type);

const callbackTask = (extra: object = {}) => ({
  Type: 'Task',
  Resource: INVOKE_CALLBACK,
  Parameters: { FunctionName: 'notify-department', Payload: { 'case.$': '$', 'token.$': '$$.Task.Token' } },
  TimeoutSeconds: 60,
  ...extra,
});

describe('LocalStepFunctions', () => {
  it('runs Pass, Choice and Map states and exposes $$.Execution.Name', async () => {
    // Prepare
    const runtime = makeRuntime({});
    const definition = {
      StartAt: 'Tag',
      States: {
        Tag: {
          Type: 'Pass',
          Parameters: { 'items.$': '$.items', 'run.$': '$$.Execution.Name' },
          Next: 'Any Items',
        },
        'Any Items': {
          Type: 'Choice',
          Choices: [{ Variable: '$.items[0]', IsPresent: true, Next: 'Double Each' }],
          Default: 'Nothing',
        },
        'Double Each': {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Double',
            States: { Double: { Type: 'Pass', Parameters: { 'n.$': '$' }, End: true } },
          },
          ResultPath: '$.doubled',
          End: true,
        },
        Nothing: { Type: 'Succeed' },
      },
    };

    // Act
    const { execution, events, output } = await runToEnd(runtime, definition, { items: [1, 2] });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(output.doubled).toEqual([{ n: 1 }, { n: 2 }]);
    expect(output.run).toBe(execution.name);
    const all = types(events);
    expect(all.slice(0, 7)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'MapStateEntered',
      'MapStateStarted',
    ]);
    // Iterations run concurrently, so only their own events are ordered; count them instead.
    expect([...all.slice(7, -3)].sort()).toEqual([
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationSucceeded',
      'MapIterationSucceeded',
      'PassStateEntered',
      'PassStateEntered',
      'PassStateExited',
      'PassStateExited',
    ]);
    expect(all.slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({
      length: 2,
    });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('invokes a bare Lambda ARN with the effective input and records LambdaFunction events', async () => {
    // Prepare
    const runtime = makeRuntime({
      'load-case': (p: { caseId: string }) => ({ caseId: p.caseId, status: 'OPEN' }),
    });
    const definition = {
      StartAt: 'Load Case',
      States: {
        'Load Case': {
          Type: 'Task',
          Resource: lambdaArn('load-case'),
          TimeoutSeconds: 10,
          ResultPath: '$.case',
          End: true,
        },
      },
    };

    // Act
    const { execution, events, output } = await runToEnd(runtime, definition, { caseId: 'c-1' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(output).toEqual({ caseId: 'c-1', case: { caseId: 'c-1', status: 'OPEN' } });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2]?.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: lambdaArn('load-case'),
      input: '{"caseId":"c-1"}',
      timeoutInSeconds: 10,
    });
  });

  it('shapes a lambda:invoke result like AWS and accepts a function ARN as FunctionName', async () => {
    // Prepare
    const runtime = makeRuntime({ 'score-case': (p: { n: number }) => ({ score: p.n * 2 }) });
    const definition = {
      StartAt: 'Score',
      States: {
        Score: {
          Type: 'Task',
          Resource: 'arn:aws-cn:states:::lambda:invoke',
          Parameters: {
            FunctionName: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:score-case:live',
            'Payload.$': '$',
          },
          TimeoutSeconds: 10,
          End: true,
        },
      },
    };

    // Act
    const { output, events } = await runToEnd(runtime, definition, { n: 21 });

    // Assess
    expect(output).toEqual({ ExecutedVersion: '$LATEST', Payload: { score: 42 }, StatusCode: 200 });
    expect(types(events)).toContain('TaskSucceeded');
    expect(events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      timeoutInSeconds: 10,
    });
  });

  it('waits on a .waitForTaskToken task until SendTaskSuccess and uses its output', async () => {
    // Prepare
    const received: unknown[] = [];
    const runtime = makeRuntime({ 'notify-department': (p) => void received.push(p) });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(
      runtime,
      {
        StartAt: 'Await Department',
        States: { 'Await Department': { ...callbackTask(), ResultPath: '$.decision', End: true } },
      },
      { caseId: 'c-7' },
    );

    // Act
    const [task] = await tasks;
    expect((await runtime.describeExecution({ executionArn })).status).toBe('RUNNING');
    await runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: JSON.stringify({ approved: true }) });
    const execution = await runtime.waitForExecution(executionArn);

    // Assess
    expect(received).toEqual([{ case: { caseId: 'c-7' }, token: task!.taskToken }]);
    expect(task!.taskToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(execution.output!)).toEqual({ caseId: 'c-7', decision: { approved: true } });
    const { events } = await runtime.getExecutionHistory({ executionArn });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[4]?.taskSubmittedEventDetails).toMatchObject({ resource: 'invoke.waitForTaskToken' });
    expect(events[5]?.taskSucceededEventDetails?.output).toBe('{"approved":true}');
  });

  it('completes a Map of four callback tasks answered out of order', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => ({ queued: true }) });
    const tasks = submittedTasks(runtime, 4);
    const { executionArn } = await start(
      runtime,
      {
        StartAt: 'Dispatch To Departments',
        States: {
          'Dispatch To Departments': {
            Type: 'Map',
            ItemsPath: '$.departments',
            ItemSelector: { 'caseId.$': '$.caseId', 'department.$': '$$.Map.Item.Value' },
            ItemProcessor: {
              StartAt: 'Await Department',
              States: {
                'Await Department': callbackTask({
                  Parameters: {
                    FunctionName: 'notify-department',
                    Payload: { 'department.$': '$.department', 'token.$': '$$.Task.Token' },
                  },
                  End: true,
                }),
              },
            },
            End: true,
          },
        },
      },
      { caseId: 'c-9', departments: ['police', 'tax', 'health', 'social'] },
    );

    // Act
    const submitted = await tasks;
    const byDepartment = new Map(submitted.map((t) => [(t.payload as { department: string }).department, t]));
    for (const department of ['health', 'police', 'social', 'tax']) {
      const token = byDepartment.get(department)!.taskToken;
      await runtime.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ department, ok: true }) });
    }
    const execution = await runtime.waitForExecution(executionArn);

    // Assess
    expect(new Set(submitted.map((t) => t.taskToken)).size).toBe(4);
    expect(JSON.parse(execution.output!)).toEqual([
      { department: 'police', ok: true },
      { department: 'tax', ok: true },
      { department: 'health', ok: true },
      { department: 'social', ok: true },
    ]);
    const { events } = await runtime.getExecutionHistory({ executionArn, maxResults: 1000 });
    expect(types(events).filter((t) => t === 'TaskSucceeded')).toHaveLength(4);
    expect(types(events).slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  it('routes a SendTaskFailure to the Catch that names its error', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(
      runtime,
      {
        StartAt: 'Await Department',
        States: {
          'Await Department': callbackTask({
            Catch: [
              { ErrorEquals: ['MaterialsMissing'], ResultPath: '$.rejection', Next: 'Ask For Correction' },
              { ErrorEquals: ['States.ALL'], Next: 'Broken' },
            ],
            End: true,
          }),
          'Ask For Correction': { Type: 'Pass', End: true },
          Broken: { Type: 'Fail', Error: 'Unexpected' },
        },
      },
      { caseId: 'c-2' },
    );

    // Act
    const [task] = await tasks;
    await runtime.sendTaskFailure({
      taskToken: task!.taskToken,
      error: 'MaterialsMissing',
      cause: 'no ID copy',
    });
    const execution = await runtime.waitForExecution(executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({
      caseId: 'c-2',
      rejection: { Error: 'MaterialsMissing', Cause: 'no ID copy' },
    });
    const { events } = await runtime.getExecutionHistory({ executionArn });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[5]?.taskFailedEventDetails).toMatchObject({
      error: 'MaterialsMissing',
      cause: 'no ID copy',
    });
  });

  it('times out a callback task from TimeoutSecondsPath in the state input (as AWS documents); States.TaskFailed does not catch it', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(
      runtime,
      {
        StartAt: 'Await Department',
        States: {
          'Await Department': {
            Type: 'Task',
            Resource: INVOKE_CALLBACK,
            Parameters: {
              FunctionName: 'notify-department',
              Payload: { 'token.$': '$$.Task.Token', 'replyWithinSeconds.$': '$.deadline.seconds' },
            },
            // Resolved against the state input, as AWS documents it (not the Parameters output).
            TimeoutSecondsPath: '$.deadline.seconds',
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong Path' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Escalate' },
            ],
            End: true,
          },
          'Wrong Path': { Type: 'Fail', Error: 'WrongPath' },
          Escalate: { Type: 'Pass', End: true },
        },
      },
      { deadline: { seconds: 1 } },
    );
    const [task] = await tasks;

    // Act
    const execution = await runtime.waitForExecution(executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).timeout.Error).toBe('States.Timeout');
    const { events } = await runtime.getExecutionHistory({ executionArn });
    expect(types(events)).toContain('TaskTimedOut');
    expect(types(events)).not.toContain('TaskSucceeded');
    await expect(runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: '{}' })).rejects.toMatchObject(
      {
        name: 'TaskTimedOut',
      },
    );
  });

  it('retries a function that throws a named error twice, then succeeds', async () => {
    // Prepare
    let calls = 0;
    const runtime = makeRuntime(
      {
        'check-materials': () => {
          calls += 1;
          if (calls <= 2) throw new CaseNotFoundError('case c-3 not indexed yet');
          return { ok: true };
        },
      },
      { retryIntervalMs: 0 },
    );
    const definition = {
      StartAt: 'Check Materials',
      States: {
        'Check Materials': {
          Type: 'Task',
          Resource: lambdaArn('check-materials'),
          TimeoutSeconds: 10,
          Retry: [{ ErrorEquals: ['CaseNotFoundError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
          End: true,
        },
      },
    };

    // Act
    const { execution, events, output } = await runToEnd(runtime, definition);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(output).toEqual({ ok: true });
    expect(calls).toBe(3);
    expect(types(events).filter((t) => t.startsWith('LambdaFunction'))).toEqual([
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
    ]);
    expect(
      events.find((e) => e.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails?.error,
    ).toBe('CaseNotFoundError');
  });

  it('catches a thrown error by its name with an AWS-style JSON Cause, and fails the execution when uncaught', async () => {
    // Prepare
    const runtime = makeRuntime({
      'load-case': () => {
        throw new CaseNotFoundError('no case c-404');
      },
    });
    const task = { Type: 'Task', Resource: lambdaArn('load-case'), TimeoutSeconds: 10 };
    const caught = {
      StartAt: 'Load Case',
      States: {
        'Load Case': {
          ...task,
          Catch: [{ ErrorEquals: ['CaseNotFoundError'], ResultPath: '$.error', Next: 'Not Found' }],
          End: true,
        },
        'Not Found': { Type: 'Pass', End: true },
      },
    };
    const uncaught = { StartAt: 'Load Case', States: { 'Load Case': { ...task, End: true } } };

    // Act
    const first = await runToEnd(runtime, caught);
    const second = await runToEnd(runtime, uncaught);

    // Assess
    expect(first.output.error.Error).toBe('CaseNotFoundError');
    expect(JSON.parse(first.output.error.Cause)).toMatchObject({
      errorType: 'CaseNotFoundError',
      errorMessage: 'no case c-404',
    });
    expect(second.execution).toMatchObject({ status: 'FAILED', error: 'CaseNotFoundError' });
    expect(types(second.events).slice(-2)).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
  });

  it('answers TaskTimedOut for a second SendTaskSuccess, TaskDoesNotExist for an unknown token, InvalidToken for an empty one', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(runtime, {
      StartAt: 'Await Department',
      States: { 'Await Department': callbackTask({ End: true }) },
    });
    const [task] = await tasks;
    await runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: '"done"' });

    // Act
    const again = await runtime
      .sendTaskSuccess({ taskToken: task!.taskToken, output: '"again"' })
      .catch((e) => e);
    const unknown = await runtime
      .sendTaskFailure({ taskToken: 'bm90LWEtdG9rZW4', error: 'X' })
      .catch((e) => e);
    const empty = await runtime.sendTaskHeartbeat({ taskToken: '' }).catch((e) => e);

    // Assess
    expect(again).toMatchObject({ name: 'TaskTimedOut' });
    expect(unknown).toMatchObject({ name: 'TaskDoesNotExist' });
    expect(empty).toMatchObject({ name: 'InvalidToken' });
    expect((await runtime.waitForExecution(executionArn)).output).toBe('"done"');
  });

  it('treats a repeated execution name as idempotent only while RUNNING with the same input', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null });
    const tasks = submittedTasks(runtime, 1);
    const { stateMachineArn, executionArn } = await start(
      runtime,
      { StartAt: 'Await Department', States: { 'Await Department': callbackTask({ End: true }) } },
      { caseId: 'c-1' },
      'case-c-1',
    );

    // Act
    const same = await runtime.startExecution({
      stateMachineArn,
      name: 'case-c-1',
      input: '{"caseId":"c-1"}',
    });
    const different = await runtime
      .startExecution({ stateMachineArn, name: 'case-c-1', input: '{"caseId":"c-2"}' })
      .catch((error: unknown) => error);
    const [task] = await tasks;
    await runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: '{}' });
    await runtime.waitForExecution(executionArn);
    const afterEnd = await runtime
      .startExecution({ stateMachineArn, name: 'case-c-1', input: '{"caseId":"c-1"}' })
      .catch((error: unknown) => error);

    // Assess
    expect(same.executionArn).toBe(executionArn);
    expect(executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:sm-[^:]+:case-c-1$/);
    expect(different).toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(afterEnd).toMatchObject({ name: 'ExecutionAlreadyExists' });
    const { executions } = await runtime.listExecutions({ stateMachineArn });
    expect(executions).toHaveLength(1);
  });

  it('rejects unknown state machines and executions, bad names, bad input and unsupported definitions', async () => {
    // Prepare
    const runtime = makeRuntime({});
    const { stateMachineArn } = await start(runtime, {
      StartAt: 'A',
      States: { A: { Type: 'Pass', End: true } },
    });
    const missingMachine = stateMachineArn.replace(/sm-[^:]+$/, 'missing');

    // Act + Assess
    await expect(runtime.startExecution({ stateMachineArn: missingMachine })).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(runtime.startExecution({ stateMachineArn: 'not-an-arn' })).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    for (const name of ['has space', 'a*b', 'x'.repeat(81), '', 'tab\tname', 'a/b']) {
      await expect(runtime.startExecution({ stateMachineArn, name })).rejects.toMatchObject({
        name: 'InvalidName',
      });
    }
    await expect(runtime.startExecution({ stateMachineArn, input: '{oops' })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await expect(
      runtime.describeExecution({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:sm:nope' }),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    const noToken = {
      StartAt: 'T',
      States: { T: { ...callbackTask({ End: true }), Parameters: { FunctionName: 'f' } } },
    };
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    const dynamo = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true },
      },
    };
    for (const definition of [noToken, jsonata, dynamo]) {
      await expect(
        runtime.createStateMachine({ name: `bad-${randomUUID()}`, definition: JSON.stringify(definition) }),
      ).rejects.toMatchObject({ name: 'InvalidDefinition' });
    }
  });

  it('runs callback tasks inside Parallel branches', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null, 'load-case': () => ({ loaded: true }) });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(runtime, {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Await Department', States: { 'Await Department': callbackTask({ End: true }) } },
            {
              StartAt: 'Load Case',
              States: {
                'Load Case': { Type: 'Task', Resource: lambdaArn('load-case'), TimeoutSeconds: 5, End: true },
              },
            },
          ],
          End: true,
        },
      },
    });

    // Act
    const [task] = await tasks;
    await runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: '{"approved":true}' });
    const execution = await runtime.waitForExecution(executionArn);

    // Assess
    expect(JSON.parse(execution.output!)).toEqual([{ approved: true }, { loaded: true }]);
    const { events } = await runtime.getExecutionHistory({ executionArn, maxResults: 1000 });
    expect(types(events).slice(0, 3)).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
    ]);
    expect(types(events).slice(-3)).toEqual([
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('keeps a Wait longer than setTimeout allows pending, and StopExecution aborts it and closes its tokens', async () => {
    // Prepare
    const runtime = makeRuntime({});
    const waiting = new Promise<void>((resolve) => {
      runtime.on('historyEvent', (_arn, event) => {
        if (event.type === 'WaitStateEntered') resolve();
      });
    });
    const { executionArn } = await start(runtime, {
      StartAt: 'Deadline',
      // 30 days: one raw setTimeout would overflow and fire at once.
      States: { Deadline: { Type: 'Wait', Seconds: 30 * 24 * 3600, End: true } },
    });
    await waiting;
    // Proving that a timer did NOT fire needs some time to pass; an overflowed timer fires after 1 ms.
    await new Promise((resolve) => setTimeout(resolve, 25));

    // Act
    const stillRunning = (await runtime.describeExecution({ executionArn })).status;
    await runtime.stopExecution({ executionArn, error: 'Withdrawn', cause: 'applicant withdrew' });

    // Assess
    expect(stillRunning).toBe('RUNNING');
    expect(await runtime.describeExecution({ executionArn })).toMatchObject({
      status: 'ABORTED',
      error: 'Withdrawn',
      cause: 'applicant withdrew',
    });
    const { events } = await runtime.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 1 });
    expect(events[0]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Withdrawn', cause: 'applicant withdrew' },
    });
  });

  it('fast-forwards Wait states with waitStateMs and pages history with nextToken', async () => {
    // Prepare
    const runtime = makeRuntime({}, { waitStateMs: 0 });
    const definition = {
      StartAt: 'Deadline',
      States: {
        Deadline: { Type: 'Wait', TimestampPath: '$.dueAt', Next: 'Escalate' },
        Escalate: { Type: 'Pass', End: true },
      },
    };

    // Act
    const { execution, events } = await runToEnd(runtime, definition, { dueAt: '2099-01-01T00:00:00Z' });
    const first = await runtime.getExecutionHistory({ executionArn: execution.executionArn, maxResults: 4 });
    const rest = await runtime.getExecutionHistory({
      executionArn: execution.executionArn,
      maxResults: 4,
      nextToken: first.nextToken!,
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect([...first.events, ...rest.events].map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('aborts running executions on close so no timer is left behind', async () => {
    // Prepare
    const runtime = makeRuntime({ 'notify-department': () => null });
    const tasks = submittedTasks(runtime, 1);
    const { executionArn } = await start(runtime, {
      StartAt: 'Await Department',
      States: { 'Await Department': callbackTask({ TimeoutSeconds: 99999999, End: true }) },
    });
    const [task] = await tasks;

    // Act
    await runtime.close();

    // Assess
    expect((await runtime.describeExecution({ executionArn })).status).toBe('ABORTED');
    await expect(runtime.sendTaskSuccess({ taskToken: task!.taskToken, output: '{}' })).rejects.toMatchObject(
      {
        name: 'TaskTimedOut',
      },
    );
  });
});
