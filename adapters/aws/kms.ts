/** KMS over the JSON protocol (json-client.ts; blobs base64 on the wire): what the license signer sends. */
import type {
  GetPublicKeyCommandInput,
  GetPublicKeyCommandOutput,
  SignCommandInput,
  SignCommandOutput,
  VerifyCommandInput,
  VerifyCommandOutput,
} from '@aws-sdk/client-kms';
import { Command, JsonClient, type JsonClientOptions, PROTOCOLS } from './json-client.ts';

export type { GetPublicKeyCommandOutput, SignCommandOutput, VerifyCommandOutput };

export class GetPublicKeyCommand extends Command<GetPublicKeyCommandInput, GetPublicKeyCommandOutput> {
  readonly commandName = 'GetPublicKeyCommand';
}
export class SignCommand extends Command<SignCommandInput, SignCommandOutput> {
  readonly commandName = 'SignCommand';
}
export class VerifyCommand extends Command<VerifyCommandInput, VerifyCommandOutput> {
  readonly commandName = 'VerifyCommand';
}

export class KMSClient extends JsonClient {
  constructor(options: JsonClientOptions = {}) {
    super(PROTOCOLS.kms, options);
  }
}
