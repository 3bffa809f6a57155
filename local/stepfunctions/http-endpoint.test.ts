import { randomUUID } from 'node:crypto';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepFunctionsEndpoint, startStepFunctionsEndpoint } from './http-endpoint.ts';
import { LocalStepFunctions, type TaskSubmittedEvent } from './runtime.ts';

const definition = JSON.stringify({
  StartAt: 'Await Department',
  States: {
    'Await Department': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'notify-department',
        Payload: { 'case.$': '$', 'token.$': '$$.Task.Token' },
      },
      TimeoutSeconds: 60,
      ResultPath: '$.decision',
      End: true,
    },
  },
});

let runtime: LocalStepFunctions;
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;
let stateMachineArn: string;

beforeAll(async () => {
  runtime = new LocalStepFunctions({ invokeFunction: async () => ({ queued: true }) });
  endpoint = await startStepFunctionsEndpoint(runtime);
  sfn = new SFNClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'case-flow',
      definition,
      roleArn: 'arn:aws:iam::000000000000:role/case-flow',
    }),
  );
  stateMachineArn = created.stateMachineArn!;
});

afterAll(async () => {
  sfn.destroy();
  await endpoint.close();
  await runtime.close();
});

function nextTask(executionArn: string): Promise<TaskSubmittedEvent> {
  return new Promise((resolve) => {
    const onTask = (task: TaskSubmittedEvent) => {
      if (task.executionArn !== executionArn) return;
      runtime.off('taskSubmitted', onTask);
      resolve(task);
    };
    runtime.on('taskSubmitted', onTask);
  });
}

/** What application code would do against AWS: poll DescribeExecution, bounded. */
async function pollUntilDone(executionArn: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await runtime.waitForExecution(executionArn, { timeoutMs: 100 }).catch(() => undefined);
  }
  throw new Error(`${executionArn} did not finish`);
}

describe('Step Functions HTTP endpoint', () => {
  it('runs a callback workflow end to end through the real SFNClient', async () => {
    // Prepare
    const name = `case-${randomUUID()}`;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const task = nextTask(executionArn);

    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ caseId: 'c-1' }) }),
    );
    const { taskToken } = await task;
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approved: true }) }));
    const described = await pollUntilDone(started.executionArn!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn! }));

    // Assess
    expect(started.executionArn).toBe(executionArn);
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: 'SUCCEEDED', name, stateMachineArn });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output!)).toEqual({ caseId: 'c-1', decision: { approved: true } });
    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.[1]?.stateEnteredEventDetails?.name).toBe('Await Department');
  });

  it('maps runtime errors to the SDK exceptions by name', async () => {
    // Prepare
    const missingExecution = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:nope`;
    const name = `case-${randomUUID()}`;
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"caseId":"c-2"}' }));

    // Act
    const errors = await Promise.all([
      sfn.send(new DescribeExecutionCommand({ executionArn: missingExecution })).catch((e: Error) => e),
      sfn
        .send(new SendTaskSuccessCommand({ taskToken: 'bm90LWEtdG9rZW4', output: '{}' }))
        .catch((e: Error) => e),
      sfn.send(new SendTaskFailureCommand({ taskToken: 'bm90LWEtdG9rZW4' })).catch((e: Error) => e),
      sfn
        .send(new StartExecutionCommand({ stateMachineArn, name, input: '{"caseId":"other"}' }))
        .catch((e: Error) => e),
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'has space' })).catch((e: Error) => e),
      sfn
        .send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-missing` }))
        .catch((e: Error) => e),
    ]);

    // Assess
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'ExecutionDoesNotExist',
      'TaskDoesNotExist',
      'TaskDoesNotExist',
      'ExecutionAlreadyExists',
      'InvalidName',
      'StateMachineDoesNotExist',
    ]);
    expect(errors[0]).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('stops an execution and lists it by status', async () => {
    // Prepare
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));

    // Act
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause: 'by applicant' }),
    );
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));

    // Assess
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(aborted.executions?.map((e) => e.executionArn)).toContain(executionArn);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: 'by applicant' });
    expect(machine).toMatchObject({ name: 'case-flow', status: 'ACTIVE', type: 'STANDARD', definition });
  });

  it('answers unknown operations and malformed bodies with AWS JSON errors', async () => {
    // Act
    const unknown = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.Nope' },
      body: '{}',
    });
    const malformed = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.DescribeExecution',
      },
      body: '{oops',
    });

    // Assess
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
  });
});
