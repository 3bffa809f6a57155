/** Secrets Manager over the JSON 1.1 protocol (json-client.ts): fetching a secret's value. */
import type {
  GetSecretValueCommandInput,
  GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { Command, JsonClient, type JsonClientOptions, PROTOCOLS } from './json-client.ts';

export class GetSecretValueCommand extends Command<GetSecretValueCommandInput, GetSecretValueCommandOutput> {
  readonly commandName = 'GetSecretValueCommand';
}

export class SecretsManagerClient extends JsonClient {
  constructor(options: JsonClientOptions = {}) {
    super(PROTOCOLS.secretsmanager, options);
  }
}
