/**
 * The Workflow port on Step Functions, through the lean client (adapters/aws/sfn.ts). Locally it
 * talks to the project's Step Functions runtime (AWS_ENDPOINT_URL_SFN); in AWS to the service.
 * Same code.
 */

import { recordCallsOf } from '#adapters/aws-call-recorder.ts';
import type { Workflow } from '#core/case/ports.ts';
import { UnavailableError } from '#core/shared/errors.ts';
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '../aws/sfn.ts';
import { config } from '../config.ts';

export const sfn = recordCallsOf('sfn', new SFNClient({}));

const STALE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

function stateMachineArn(): string {
  const arn = config().STATE_MACHINE_ARN;
  if (!arn) throw new Error('STATE_MACHINE_ARN is not configured for this function');
  return arn;
}

function wrap(err: unknown): never {
  throw new UnavailableError('The workflow engine is unavailable; please retry.', { cause: err });
}

export const workflow: Workflow = {
  async start(name, input) {
    const arn = stateMachineArn();
    try {
      const r = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
      );
      return r.executionArn!;
    } catch (err) {
      // The execution name is the case id: it already exists → the case's flow is running or done.
      if ((err as Error).name === 'ExecutionAlreadyExists')
        return `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
      return wrap(err);
    }
  },

  async stop(name, cause) {
    // The execution is named by the case id: its ARN follows from the state machine's.
    const executionArn = `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      await sfn.send(new StopExecutionCommand({ executionArn, error: 'CaseWithdrawn', cause }));
    } catch (err) {
      if ((err as Error).name === 'ExecutionDoesNotExist') return;
      wrap(err);
    }
  },

  async succeed(taskToken, output) {
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return 'delivered';
    } catch (err) {
      if (STALE.has((err as Error).name)) return 'stale';
      return wrap(err);
    }
  },
};

export async function failTask(
  taskToken: string,
  error: string,
  cause: string,
): Promise<'delivered' | 'stale'> {
  try {
    await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    return 'delivered';
  } catch (err) {
    if (STALE.has((err as Error).name)) return 'stale';
    return wrap(err);
  }
}
