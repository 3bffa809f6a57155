/**
 * In place of `@smithy/core/event-streams` in Lambda bundles (an esbuild alias set in
 * infra/lambda-bundling.ts): no operation this project calls streams events (DynamoDB, S3 objects,
 * Step Functions, KMS, SQS, Secrets Manager), yet every SDK client's protocol layer bundles the
 * event-stream codec for the operations that do (~15 KiB a function). The S3 client wires a
 * marshaller at construction, so these keep that shape; using one fails loudly, naming this file.
 * Locally (no bundling) the SDK keeps its own module.
 */

function unsupported(): never {
  throw new Error('Event streams are not bundled in this Lambda (adapters/aws/no-event-streams.ts).');
}

/** Same shape as the SDK's: a marshaller whose every use fails. */
export const eventStreamSerdeProvider = (_config?: unknown) => ({
  serialize: unsupported,
  deserialize: unsupported,
});

/** Same as the SDK's: the client config gains its eventStreamMarshaller. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (config: T) => unknown }>(
  input: T,
) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

/** Constructed by the protocol layer only for an operation with an event-stream member. */
export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}
