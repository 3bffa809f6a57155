import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * What a Lambda failure looks like to ASL on AWS: `Error` is the thrown error's type and `Cause` is the
 * runtime's JSON error document, so `Catch` → `States.StringToJson($.error.Cause)` works the same locally.
 */
export function toTaskError(thrown: unknown): Error {
  const name = thrown instanceof Error ? thrown.name : 'Error';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const trace = thrown instanceof Error && thrown.stack ? thrown.stack.split('\n') : [];
  return namedError(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * An error the library must neither retry nor catch (it reads these two flags off any error): for
 * AWS's States.Runtime failures and for settling tasks of an execution that has already ended.
 */
export function runtimeFailure(message: string): Error {
  return Object.assign(namedError('States.Runtime', message), { isRetryable: false, isCatchable: false });
}

let timeoutErrorFactory: Promise<() => Error> | undefined;

/**
 * A States.Timeout error the library recognises. It lets `States.TaskFailed` skip timeouts (AWS semantics)
 * with `instanceof` on its private StatesTimeoutError class, so an error that merely has the right name
 * would be caught by States.TaskFailed. We borrow the class from a throwaway task that times out in 1 ms.
 */
export function statesTimeoutError(): Promise<Error> {
  timeoutErrorFactory ??= captureTimeoutErrorClass();
  return timeoutErrorFactory.then((make) => make());
}

async function captureTimeoutErrorClass(): Promise<() => Error> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
          TimeoutSeconds: 0.001,
          End: true,
        },
      },
    } as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
  let release: (value: null) => void = () => {};
  try {
    const pending = new Promise<null>((resolve) => {
      release = resolve;
    });
    await probe.run({}, { overrides: { taskResourceLocalHandlers: { Probe: () => pending } } }).result;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') {
      const TimeoutError = cause.constructor as new () => Error;
      return () => new TimeoutError();
    }
  } finally {
    release(null);
  }
  // Should the library change, a named error still reaches Catch/Retry on "States.Timeout".
  return () => namedError('States.Timeout', 'States.Timeout');
}
