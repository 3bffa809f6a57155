/** The AWS error codes the local service can answer with (the `__type` on the wire). */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'InvalidName'
  | 'InvalidToken'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidOutput'
  | 'ValidationException';

/**
 * An API error of the local service. `name` is the AWS error code so callers can branch on it exactly
 * as they would on the SDK's exceptions; the HTTP endpoint sends it as `__type` with status 400.
 */
export class SfnError extends Error {
  override readonly name: SfnErrorCode;

  constructor(code: SfnErrorCode, message: string) {
    super(message);
    this.name = code;
  }
}
