/** SQS over its JSON protocol (json-client.ts): what the webhook delivery queue sends. */
import type {
  ChangeMessageVisibilityCommandInput,
  ChangeMessageVisibilityCommandOutput,
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput,
  SendMessageCommandInput,
  SendMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { Command, JsonClient, type JsonClientOptions, PROTOCOLS } from './json-client.ts';

export class SendMessageCommand extends Command<SendMessageCommandInput, SendMessageCommandOutput> {
  readonly commandName = 'SendMessageCommand';
}
export class SendMessageBatchCommand extends Command<
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput
> {
  readonly commandName = 'SendMessageBatchCommand';
}
export class ChangeMessageVisibilityCommand extends Command<
  ChangeMessageVisibilityCommandInput,
  ChangeMessageVisibilityCommandOutput
> {
  readonly commandName = 'ChangeMessageVisibilityCommand';
}

export class SQSClient extends JsonClient {
  constructor(options: JsonClientOptions = {}) {
    super(PROTOCOLS.sqs, options);
  }
}
