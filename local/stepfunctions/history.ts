import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { CompiledDefinition, StateType } from './definition.ts';
import { readReferencePath } from './reference-path.ts';

/** One event of aws-local-stepfunctions' run().eventLogs (the type is not exported by the library). */
export type LibraryEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A GetExecutionHistory event in AWS's shape, with the fields AWS always sets made non-optional. */
export type LocalHistoryEvent = HistoryEvent & {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: HistoryEventType;
};

export type EventDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'>;

const ENTERED: Record<StateType, HistoryEventType> = {
  Task: 'TaskStateEntered',
  Parallel: 'ParallelStateEntered',
  Map: 'MapStateEntered',
  Pass: 'PassStateEntered',
  Wait: 'WaitStateEntered',
  Choice: 'ChoiceStateEntered',
  Succeed: 'SucceedStateEntered',
  Fail: 'FailStateEntered',
};

const EXITED: Record<Exclude<StateType, 'Fail'>, HistoryEventType> = {
  Task: 'TaskStateExited',
  Parallel: 'ParallelStateExited',
  Map: 'MapStateExited',
  Pass: 'PassStateExited',
  Wait: 'WaitStateExited',
  Choice: 'ChoiceStateExited',
  Succeed: 'SucceedStateExited',
};

export const json = (value: unknown): string => JSON.stringify(value ?? null);
const NOT_TRUNCATED = { truncated: false };

/**
 * The history of one execution. aws-local-stepfunctions' events are translated into AWS's event types;
 * the runtime adds the Task/LambdaFunction events itself (the library knows nothing about them).
 * `previousEventId` is simply the preceding event: AWS links causally, which tests rarely depend on.
 */
export class ExecutionHistory {
  readonly events: LocalHistoryEvent[] = [];
  /** Set by StopExecution before aborting, so ExecutionAborted carries the caller's error and cause. */
  stopReason: { error?: string; cause?: string } | undefined;
  private readonly failedStates = new Set<string>();
  private lastTimestamp = 0;

  constructor(
    private readonly definition: Pick<CompiledDefinition, 'stateTypes' | 'mapStates'>,
    private readonly roleArn: string,
    private readonly onEvent: (event: LocalHistoryEvent) => void,
  ) {}

  add(type: HistoryEventType, details: EventDetails = {}, at = Date.now()): LocalHistoryEvent {
    // Library events carry their own timestamps; keep the sequence monotonic anyway.
    this.lastTimestamp = Math.max(this.lastTimestamp, at);
    const id = this.events.length + 1;
    const event: LocalHistoryEvent = {
      timestamp: new Date(this.lastTimestamp),
      type,
      id,
      previousEventId: id - 1,
      ...details,
    };
    this.events.push(event);
    this.onEvent(event);
    return event;
  }

  /** Translates one library event. Retries and catches have no event of their own in AWS. */
  record(event: LibraryEvent): void {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        this.add(
          'ExecutionStarted',
          {
            executionStartedEventDetails: {
              input: json(event.input),
              inputDetails: NOT_TRUNCATED,
              roleArn: this.roleArn,
            },
          },
          at,
        );
        return;
      case 'ExecutionSucceeded':
        this.add(
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: json(event.output), outputDetails: NOT_TRUNCATED } },
          at,
        );
        return;
      case 'ExecutionFailed':
        this.add(
          'ExecutionFailed',
          { executionFailedEventDetails: { error: event.Error, cause: causeText(event.Cause) } },
          at,
        );
        return;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', { executionAbortedEventDetails: { ...this.stopReason } }, at);
        return;
      case 'ExecutionTimeout':
        this.add(
          'ExecutionTimedOut',
          {
            executionTimedOutEventDetails: {
              error: 'States.Timeout',
              cause: 'The execution ran longer than its TimeoutSeconds',
            },
          },
          at,
        );
        return;
      case 'MapIterationStarted':
        this.add('MapIterationStarted', { mapIterationStartedEventDetails: iteration(event) }, at);
        return;
      case 'MapIterationSucceeded':
        this.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: iteration(event) }, at);
        return;
      case 'MapIterationFailed':
        this.add('MapIterationFailed', { mapIterationFailedEventDetails: iteration(event) }, at);
        return;
      case 'StateEntered':
        this.stateEntered(event, at);
        return;
      case 'StateExited':
        this.stateExited(event, at);
        return;
      case 'StateFailed': {
        const type = this.typeOf(event.state.name, event.state.type);
        this.failedStates.add(stateKey(event));
        // A failing Task already has its TaskFailed/LambdaFunctionFailed from the runtime.
        if (type === 'Map') this.add('MapStateFailed', {}, at);
        if (type === 'Parallel') this.add('ParallelStateFailed', {}, at);
        return;
      }
      case 'StateRetried':
        this.failedStates.delete(stateKey(event));
        return;
      default:
        // ParallelBranch* and StateCaught have no AWS counterpart.
        return;
    }
  }

  private stateEntered(event: Extract<LibraryEvent, { type: 'StateEntered' }>, at: number): void {
    const { name, input } = event.state;
    const type = this.typeOf(name, event.state.type);
    this.failedStates.delete(stateKey(event));
    this.add(
      ENTERED[type],
      { stateEnteredEventDetails: { name, input: json(input), inputDetails: NOT_TRUNCATED } },
      at,
    );
    if (type === 'Map') {
      this.add(
        'MapStateStarted',
        { mapStateStartedEventDetails: { length: this.mapLength(name, input) } },
        at,
      );
    }
    if (type === 'Parallel') this.add('ParallelStateStarted', {}, at);
  }

  private stateExited(event: Extract<LibraryEvent, { type: 'StateExited' }>, at: number): void {
    const { name, output } = event.state;
    const type = this.typeOf(name, event.state.type);
    if (type === 'Fail') return;
    const succeeded = !this.failedStates.delete(stateKey(event));
    if (type === 'Map' && succeeded) this.add('MapStateSucceeded', {}, at);
    if (type === 'Parallel' && succeeded) this.add('ParallelStateSucceeded', {}, at);
    this.add(
      EXITED[type],
      { stateExitedEventDetails: { name, output: json(output), outputDetails: NOT_TRUNCATED } },
      at,
    );
  }

  private typeOf(name: string, reported: StateType): StateType {
    return this.definition.stateTypes.get(name) ?? reported;
  }

  private mapLength(name: string, input: unknown): number | undefined {
    const map = this.definition.mapStates.get(name);
    try {
      const effective = map?.inputPath ? readReferencePath(map.inputPath, input) : input;
      const items = map?.itemsPath ? readReferencePath(map.itemsPath, effective) : effective;
      return Array.isArray(items) ? items.length : undefined;
    } catch {
      return undefined;
    }
  }
}

function iteration(event: { parentState: { name: string }; index: number }) {
  return { name: event.parentState.name, index: event.index };
}

function stateKey(event: { state: { name: string }; index?: number }): string {
  return `${event.state.name}#${event.index ?? ''}`;
}

export function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return json(cause);
}
