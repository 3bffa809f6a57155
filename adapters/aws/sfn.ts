/** Step Functions over the JSON protocol (json-client.ts): the commands the workflow adapter sends. */
import type {
  SendTaskFailureCommandInput,
  SendTaskFailureCommandOutput,
  SendTaskSuccessCommandInput,
  SendTaskSuccessCommandOutput,
  StartExecutionCommandInput,
  StartExecutionCommandOutput,
  StopExecutionCommandInput,
  StopExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { Command, JsonClient, type JsonClientOptions, PROTOCOLS } from './json-client.ts';

export class StartExecutionCommand extends Command<StartExecutionCommandInput, StartExecutionCommandOutput> {
  readonly commandName = 'StartExecutionCommand';
}
export class StopExecutionCommand extends Command<StopExecutionCommandInput, StopExecutionCommandOutput> {
  readonly commandName = 'StopExecutionCommand';
}
export class SendTaskSuccessCommand extends Command<
  SendTaskSuccessCommandInput,
  SendTaskSuccessCommandOutput
> {
  readonly commandName = 'SendTaskSuccessCommand';
}
export class SendTaskFailureCommand extends Command<
  SendTaskFailureCommandInput,
  SendTaskFailureCommandOutput
> {
  readonly commandName = 'SendTaskFailureCommand';
}

export class SFNClient extends JsonClient {
  constructor(options: JsonClientOptions = {}) {
    super(PROTOCOLS.sfn, options);
  }
}
