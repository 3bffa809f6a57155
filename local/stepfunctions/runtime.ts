import './polyfill.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import {
  type CompiledDefinition,
  compileDefinition,
  DEFAULT_TASK_TIMEOUT_SECONDS,
  functionNameOf,
  isObject,
  MAX_TIMER_MS,
  type TaskPlan,
  TIMEOUT_KEY,
  type WaitPlan,
} from './definition.ts';
import { SfnError } from './errors.ts';
import { ExecutionHistory, json, type LocalHistoryEvent } from './history.ts';
import { readReferencePath } from './reference-path.ts';
import { namedError, runtimeFailure, statesTimeoutError, toTaskError } from './task-errors.ts';

export { SfnError, type SfnErrorCode } from './errors.ts';
export type { LocalHistoryEvent } from './history.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Overrides = NonNullable<RunOptions['overrides']>;
type TaskHandlers = NonNullable<Overrides['taskResourceLocalHandlers']>;

export interface LocalStepFunctionsOptions {
  /** Runs a Lambda function locally. Throw an Error whose `name` is the error type ASL should match. */
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Region used in ARNs and events; the partition follows from it (cn-* → aws-cn). Default us-east-1. */
  region?: string;
  /** Account id used in ARNs. Default 000000000000. */
  accountId?: string;
  /** Replaces the delay before every Retry attempt, in ms (tests exercise retry paths without back-off). */
  retryIntervalMs?: number;
  /** Replaces the duration of every Wait state, in ms (tests exercise deadline paths without waiting). */
  waitStateMs?: number;
}

/** The error of executions that ended only because the runtime closed (see close()). */
export const RUNTIME_CLOSED_ERROR = 'LocalRuntimeClosed';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** JSON text, as in AWS. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type ExecutionListItem = Pick<
  ExecutionDescription,
  'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'
>;

export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  status: 'ACTIVE';
  type: 'STANDARD';
  definition: string;
  roleArn: string;
  creationDate: Date;
}

export interface TaskSubmittedEvent {
  executionArn: string;
  stateName: string;
  taskToken: string;
  functionName: string;
  payload: unknown;
}

export interface LocalStepFunctionsEvents {
  executionStarted: [execution: ExecutionDescription];
  /** Emitted once the execution has left RUNNING and its history is complete. */
  executionEnded: [execution: ExecutionDescription];
  /** A .waitForTaskToken task has invoked its function and now waits for SendTaskSuccess/Failure. */
  taskSubmitted: [task: TaskSubmittedEvent];
  historyEvent: [executionArn: string, event: LocalHistoryEvent];
}

interface MachineRecord {
  arn: string;
  name: string;
  definition: string;
  roleArn: string;
  creationDate: Date;
  compiled: CompiledDefinition;
  machine: StateMachine;
}

/** One call of a state override; settling it is what lets the library move on. */
interface Attempt {
  readonly done: boolean;
  succeed(value: Json): void;
  fail(error: Error | Promise<Error>): void;
  /** Arms the attempt's single timer (clamped); settling the attempt clears it. */
  arm(ms: number, onFire: () => void): void;
}

interface ExecutionRecord {
  description: ExecutionDescription;
  machine: MachineRecord;
  history: ExecutionHistory;
  /** What `$$.Execution` / `$$.StateMachine` paths resolve against in our own path evaluation. */
  context: Record<string, Json>;
  inflight: Set<Attempt>;
  abort: () => void;
  ended: Promise<void>;
}

interface TokenRecord {
  executionArn: string;
  stateName: string;
  attempt: Attempt;
  succeed(output: Json): void;
  fail(error: string, cause: string): void;
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_TOKEN_LENGTH = 2048;
const DEFAULT_PAGE_SIZE = 100;
const NOT_TRUNCATED = { truncated: false };

/**
 * A local, in-memory Step Functions service for Standard workflows written in JSONPath ASL. It runs the very
 * ASL that deploys to AWS with aws-local-stepfunctions and adds what that library lacks: Lambda tasks run
 * through `invokeFunction`, the `.waitForTaskToken` callback pattern, named executions with AWS's
 * idempotency rules, AWS-shaped execution history, and the service API (the HTTP endpoint maps onto it).
 */
export class LocalStepFunctions extends EventEmitter<LocalStepFunctionsEvents> {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  private readonly machines = new Map<string, MachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  // $$.Task.Token resolves to this in every execution; each task swaps in a fresh token of its own.
  private readonly tokenPlaceholder = `local-sfn-task-token-placeholder-${randomUUID()}`;
  private closed = false;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    super();
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.partition = partitionOf(this.region);
    // Borrow the library's timeout error class now, so the first task timeout needs no extra hop.
    void statesTimeoutError();
  }

  // ─── State machines ────────────────────────────────────────────────────────────────────────────

  async createStateMachine(params: {
    name: string;
    definition: string;
    roleArn?: string;
    type?: 'STANDARD' | 'EXPRESS';
  }): Promise<{ stateMachineArn: string; creationDate: Date }> {
    validateName(params.name, 'state machine');
    if (params.type && params.type !== 'STANDARD') {
      throw new SfnError('ValidationException', 'Only STANDARD state machines are supported locally');
    }
    const stateMachineArn = `arn:${this.partition}:states:${this.region}:${this.accountId}:stateMachine:${params.name}`;
    const roleArn =
      params.roleArn ?? `arn:${this.partition}:iam::${this.accountId}:role/local-step-functions`;
    const existing = this.machines.get(stateMachineArn);
    if (existing) {
      // AWS: creating an identical state machine again is a no-op that returns the existing one.
      if (existing.definition === params.definition && existing.roleArn === roleArn) {
        return { stateMachineArn, creationDate: existing.creationDate };
      }
      throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${stateMachineArn}'`);
    }
    const record: MachineRecord = {
      arn: stateMachineArn,
      name: params.name,
      roleArn,
      creationDate: new Date(),
      ...this.compile(params.definition),
    };
    this.machines.set(stateMachineArn, record);
    return { stateMachineArn, creationDate: record.creationDate };
  }

  /** Replaces the definition; running executions keep the one they started with (as on AWS). */
  async updateStateMachine(params: {
    stateMachineArn: string;
    definition?: string;
    roleArn?: string;
  }): Promise<{ updateDate: Date }> {
    const record = this.machineOf(params.stateMachineArn);
    if (params.definition !== undefined) Object.assign(record, this.compile(params.definition));
    if (params.roleArn !== undefined) record.roleArn = params.roleArn;
    return { updateDate: new Date() };
  }

  async describeStateMachine(params: { stateMachineArn: string }): Promise<StateMachineDescription> {
    const { arn, name, definition, roleArn, creationDate } = this.machineOf(params.stateMachineArn);
    return {
      stateMachineArn: arn,
      name,
      status: 'ACTIVE',
      type: 'STANDARD',
      definition,
      roleArn,
      creationDate,
    };
  }

  async listStateMachines(): Promise<{
    stateMachines: { stateMachineArn: string; name: string; type: 'STANDARD'; creationDate: Date }[];
  }> {
    return {
      stateMachines: [...this.machines.values()].map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD' as const,
        creationDate: m.creationDate,
      })),
    };
  }

  // ─── Executions ────────────────────────────────────────────────────────────────────────────────

  /**
   * Starts an execution. Execution names are the product's idempotency key: the same name with the same
   * input while the execution is RUNNING returns the existing execution (AWS Standard semantics);
   * anything else with a used name is ExecutionAlreadyExists.
   */
  async startExecution(params: {
    stateMachineArn: string;
    name?: string;
    /** JSON text; defaults to "{}". */
    input?: string;
  }): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.machineOf(params.stateMachineArn);
    const name = params.name ?? randomUUID();
    validateName(name, 'execution');
    const input = params.input ?? '{}';
    const inputValue = parseExecutionInput(input);
    const executionArn = `arn:${this.partition}:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;

    const existing = this.executions.get(executionArn);
    if (existing) {
      const { status, startDate, input: existingInput } = existing.description;
      if (status === 'RUNNING' && existingInput === input) return { executionArn, startDate };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    if (this.closed) throw new Error('The local Step Functions runtime is closed');

    const record = this.launch(machine, executionArn, name, input, inputValue);
    return { executionArn, startDate: record.description.startDate };
  }

  async describeExecution(params: { executionArn: string }): Promise<ExecutionDescription> {
    return snapshot(this.executionOf(params.executionArn).description);
  }

  async listExecutions(params: {
    stateMachineArn: string;
    statusFilter?: ExecutionStatus;
    maxResults?: number;
    nextToken?: string;
  }): Promise<{ executions: ExecutionListItem[]; nextToken?: string }> {
    const machine = this.machineOf(params.stateMachineArn);
    const matching = [...this.executions.values()]
      .map((e) => e.description)
      .filter(
        (d) =>
          d.stateMachineArn === machine.arn && (!params.statusFilter || d.status === params.statusFilter),
      )
      .reverse() // newest first, as AWS lists them; insertion order breaks ties within one millisecond
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    const { page, nextToken } = paginate(matching, params.maxResults, params.nextToken);
    const executions = page.map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) =>
      stripUndefined({ executionArn, stateMachineArn, name, status, startDate, stopDate }),
    );
    return nextToken ? { executions, nextToken } : { executions };
  }

  async getExecutionHistory(params: {
    executionArn: string;
    reverseOrder?: boolean;
    maxResults?: number;
    nextToken?: string;
  }): Promise<{ events: LocalHistoryEvent[]; nextToken?: string }> {
    const all = this.executionOf(params.executionArn).history.events;
    const ordered = params.reverseOrder ? [...all].reverse() : all;
    const { page, nextToken } = paginate(ordered, params.maxResults, params.nextToken);
    const events = page.map((event) => structuredClone(event));
    return nextToken ? { events, nextToken } : { events };
  }

  async stopExecution(params: {
    executionArn: string;
    error?: string;
    cause?: string;
  }): Promise<{ stopDate: Date }> {
    const record = this.executionOf(params.executionArn);
    if (record.description.status === 'RUNNING') {
      this.abortExecution(record, stripUndefined({ error: params.error, cause: params.cause }));
    }
    await record.ended;
    return { stopDate: record.description.stopDate ?? new Date() };
  }

  /** Resolves with the description once the execution has left RUNNING (history complete). */
  async waitForExecution(
    executionArn: string,
    { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
  ): Promise<ExecutionDescription> {
    const record = this.executionOf(executionArn);
    if (record.description.status !== 'RUNNING') return snapshot(record.description);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(namedError('WaitTimeout', `Execution ${executionArn} still RUNNING after ${timeoutMs} ms`));
      }, clampDelay(timeoutMs));
      void record.ended.then(() => {
        clearTimeout(timer);
        resolve(snapshot(record.description));
      });
    });
  }

  // ─── Callback tasks ────────────────────────────────────────────────────────────────────────────

  async sendTaskSuccess(params: { taskToken: string; output: string }): Promise<Record<string, never>> {
    const task = this.openTask(params.taskToken);
    let output: Json;
    try {
      output = JSON.parse(params.output) as Json;
    } catch {
      throw new SfnError('InvalidOutput', 'The provided JSON output data is invalid');
    }
    task.succeed(output);
    return {};
  }

  async sendTaskFailure(params: {
    taskToken: string;
    error?: string;
    cause?: string;
  }): Promise<Record<string, never>> {
    this.openTask(params.taskToken).fail(params.error ?? '', params.cause ?? '');
    return {};
  }

  /** Accepted and ignored: HeartbeatSeconds is not enforced locally. */
  async sendTaskHeartbeat(params: { taskToken: string }): Promise<Record<string, never>> {
    this.openTask(params.taskToken);
    return {};
  }

  /**
   * Aborts every running execution and settles their timers, so the process can exit. They end
   * ABORTED with error RUNTIME_CLOSED_ERROR: not stopped by anyone (on AWS they would still be
   * running), which is how persistence.ts knows to resume them at the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].filter((e) => e.description.status === 'RUNNING');
    for (const record of running) {
      this.abortExecution(record, {
        error: RUNTIME_CLOSED_ERROR,
        cause: 'The local Step Functions runtime was closed',
      });
    }
    await Promise.all(running.map((e) => e.ended));
  }

  // ─── Internals ─────────────────────────────────────────────────────────────────────────────────

  private compile(definition: string): Pick<MachineRecord, 'definition' | 'compiled' | 'machine'> {
    const compiled = compileDefinition(definition);
    // Validated in compileDefinition; the rewritten tree is ours and would not pass the ARN checks.
    const machine = new StateMachine(compiled.runnable, { validationOptions: { noValidate: true } });
    return { definition, compiled, machine };
  }

  private launch(
    machine: MachineRecord,
    executionArn: string,
    name: string,
    input: string,
    inputValue: Json,
  ): ExecutionRecord {
    const description: ExecutionDescription = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input,
    };
    const context = {
      Execution: {
        Id: executionArn,
        Name: name,
        RoleArn: machine.roleArn,
        Input: inputValue,
        StartTime: description.startDate.toISOString(),
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
    };
    const record: ExecutionRecord = {
      description,
      machine,
      context,
      history: new ExecutionHistory(machine.compiled, machine.roleArn, (event) =>
        this.emit('historyEvent', executionArn, event),
      ),
      inflight: new Set(),
      abort: () => {},
      ended: Promise.resolve(),
    };
    this.executions.set(executionArn, record);

    const taskResourceLocalHandlers: TaskHandlers = {};
    for (const [stateName, plan] of machine.compiled.overridden) {
      taskResourceLocalHandlers[stateName] = (stateInput) =>
        this.runOverride(record, plan, stateInput as Json);
    }
    const overrides: Overrides = { taskResourceLocalHandlers };
    if (this.options.retryIntervalMs !== undefined) {
      const ms = this.options.retryIntervalMs;
      overrides.retryIntervalOverrides = Object.fromEntries(
        machine.compiled.retryableStates.map((s) => [s, ms]),
      );
    }
    // The library rebuilds $$.Execution.Input/StartTime itself; Id, Name and Task.Token come from here.
    const run = machine.machine.run(inputValue, {
      overrides,
      context: { ...context, Task: { Token: this.tokenPlaceholder } },
    });
    record.abort = run.abort;

    const historyDone = (async () => {
      for await (const event of run.eventLogs) {
        try {
          record.history.record(event);
        } catch {
          // A translation bug must cost one history event, not the execution's end.
        }
      }
    })();
    const outcome = run.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    // The logger closes on every end (success, failure, abort, timeout), so both always settle.
    record.ended = Promise.all([outcome, historyDone.catch(() => {})])
      .then(([result]) => this.finish(record, result))
      .catch((error: unknown) => {
        // Only a throwing 'executionEnded' listener gets here: surface it as Node would, but keep
        // `ended` resolved so waitForExecution and stopExecution callers are not left hanging.
        queueMicrotask(() => {
          throw error;
        });
      });
    this.emit('executionStarted', snapshot(description));
    return record;
  }

  private finish(
    record: ExecutionRecord,
    result: { ok: true; output: unknown } | { ok: false; error: unknown },
  ): void {
    const d = record.description;
    if (result.ok) {
      d.status = 'SUCCEEDED';
      d.output = json(result.output);
    } else if (result.error instanceof ExecutionAbortedError) {
      d.status = 'ABORTED';
      Object.assign(d, record.history.stopReason);
    } else if (result.error instanceof ExecutionTimeoutError) {
      d.status = 'TIMED_OUT';
      d.error = 'States.Timeout';
    } else {
      const cause = result.error instanceof ExecutionError ? result.error.cause : result.error;
      d.status = 'FAILED';
      d.error = cause instanceof Error ? cause.name : 'States.Runtime';
      d.cause = cause instanceof Error ? cause.message : String(cause);
    }
    d.stopDate = new Date();
    this.settleInflight(record);
    this.emit('executionEnded', snapshot(d));
  }

  private abortExecution(record: ExecutionRecord, reason: { error?: string; cause?: string }): void {
    record.history.stopReason = reason;
    record.abort();
    // The library has already settled the execution; settling the pending tasks clears its per-task timers.
    this.settleInflight(record);
  }

  private settleInflight(record: ExecutionRecord): void {
    for (const attempt of [...record.inflight]) attempt.fail(runtimeFailure('The execution has ended'));
  }

  /** The override for a Task (or rewritten Wait) state: one attempt, settled by our code or the clock. */
  private runOverride(record: ExecutionRecord, plan: TaskPlan | WaitPlan, input: Json): Promise<Json> {
    let resolve: (value: Json) => void = () => {};
    let reject: (reason: Error) => void = () => {};
    const promise = new Promise<Json>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      done = true;
      clearTimeout(timer);
      record.inflight.delete(attempt);
    };
    const attempt: Attempt = {
      get done() {
        return done;
      },
      succeed(value) {
        if (done) return;
        settle();
        resolve(value);
      },
      fail(error) {
        if (done) return;
        settle();
        void Promise.resolve(error).then(reject);
      },
      arm(ms, onFire) {
        clearTimeout(timer);
        timer = setTimeout(onFire, clampDelay(ms));
      },
    };
    record.inflight.add(attempt);
    // The library dispatched this state's StateEntered in this very tick, but our history consumer reads
    // its events a few microtasks later. Starting the work on the next macrotask lets the history catch up,
    // so TaskScheduled lands after TaskStateEntered.
    setImmediate(() => {
      if (done) return;
      const work =
        plan.kind === 'wait'
          ? this.runWait(record, plan, input, attempt)
          : this.runTask(record, plan, input, attempt);
      work.catch((error: unknown) =>
        attempt.fail(error instanceof Error ? error : runtimeFailure(String(error))),
      );
    });
    return promise;
  }

  private async runWait(
    record: ExecutionRecord,
    plan: WaitPlan,
    input: Json,
    attempt: Attempt,
  ): Promise<void> {
    let ms = 0;
    if (this.options.waitStateMs !== undefined) {
      ms = this.options.waitStateMs;
    } else if (plan.seconds !== undefined) {
      ms = plan.seconds * 1000;
    } else if (plan.timestamp !== undefined) {
      ms = Date.parse(plan.timestamp) - Date.now();
    } else if (plan.secondsPath !== undefined) {
      const seconds = this.readPath(record, plan.secondsPath, input);
      if (!Number.isInteger(seconds) || (seconds as number) < 0) {
        throw runtimeFailure(`SecondsPath '${plan.secondsPath}' must point to a non-negative integer`);
      }
      ms = (seconds as number) * 1000;
    } else if (plan.timestampPath !== undefined) {
      const timestamp = this.readPath(record, plan.timestampPath, input);
      const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
      if (Number.isNaN(at))
        throw runtimeFailure(`TimestampPath '${plan.timestampPath}' must point to a timestamp`);
      ms = at - Date.now();
    }
    attempt.arm(Math.max(0, ms), () => attempt.succeed(input));
  }

  private async runTask(
    record: ExecutionRecord,
    plan: TaskPlan,
    stateInput: Json,
    attempt: Attempt,
  ): Promise<void> {
    const { history } = record;
    const timeoutInSeconds = this.timeoutSecondsOf(record, plan, stateInput);
    let input = stateInput;
    if (isObject(stateInput) && TIMEOUT_KEY in stateInput) {
      const { [TIMEOUT_KEY]: _carried, ...rest } = stateInput;
      input = rest as Json;
    }
    const isBareLambda = plan.integration === 'lambda';
    const taskDetails = { resourceType: 'lambda', resource: plan.integration.slice('lambda:'.length) };
    const taskToken = plan.integration === 'lambda:invoke.waitForTaskToken' ? newTaskToken() : undefined;
    const parameters = taskToken ? (replaceDeep(input, this.tokenPlaceholder, taskToken) as Json) : input;

    if (isBareLambda) {
      history.add('LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource: plan.resource,
          input: json(input),
          inputDetails: NOT_TRUNCATED,
          timeoutInSeconds,
        },
      });
      history.add('LambdaFunctionStarted');
    } else {
      history.add('TaskScheduled', {
        taskScheduledEventDetails: {
          ...taskDetails,
          region: this.region,
          parameters: json(parameters),
          timeoutInSeconds,
        },
      });
      history.add('TaskStarted', { taskStartedEventDetails: taskDetails });
    }

    const succeed = (output: Json) => {
      if (attempt.done) return;
      const details = { output: json(output), outputDetails: NOT_TRUNCATED };
      if (isBareLambda)
        history.add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: details });
      else history.add('TaskSucceeded', { taskSucceededEventDetails: { ...taskDetails, ...details } });
      attempt.succeed(output);
    };
    const fail = (error: Error) => {
      if (attempt.done) return;
      const details = { error: error.name, cause: error.message };
      if (isBareLambda) history.add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: details });
      else history.add('TaskFailed', { taskFailedEventDetails: { ...taskDetails, ...details } });
      attempt.fail(error);
    };
    attempt.arm(timeoutInSeconds * 1000, () => {
      const details = {
        error: 'States.Timeout',
        cause: `The task did not finish within ${timeoutInSeconds} s`,
      };
      if (isBareLambda)
        history.add('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: details });
      else history.add('TaskTimedOut', { taskTimedOutEventDetails: { ...taskDetails, ...details } });
      attempt.fail(statesTimeoutError());
    });

    let functionName: string;
    let payload: Json;
    if (isBareLambda) {
      functionName = plan.functionName ?? '';
      payload = input;
    } else {
      const target = isObject(parameters) ? parameters.FunctionName : undefined;
      if (typeof target !== 'string' || target === '') {
        fail(namedError('Lambda.InvalidParameterValueException', 'Parameters.FunctionName must be a string'));
        return;
      }
      functionName = functionNameOf(target);
      payload = isObject(parameters) && 'Payload' in parameters ? (parameters.Payload ?? null) : {};
    }

    if (taskToken) {
      // Registered before the invocation: the function may well call back before it returns.
      this.tokens.set(taskToken, {
        executionArn: record.description.executionArn,
        stateName: plan.stateName,
        attempt,
        succeed,
        fail: (error, cause) => fail(namedError(error, cause)),
      });
    }

    let result: Json;
    try {
      result = await this.invoke(functionName, payload);
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (plan.integration === 'lambda') {
      succeed(result);
    } else if (plan.integration === 'lambda:invoke') {
      succeed(invokeResult(result));
    } else if (taskToken && !attempt.done) {
      history.add('TaskSubmitted', {
        taskSubmittedEventDetails: {
          ...taskDetails,
          output: json(invokeResult(result)),
          outputDetails: NOT_TRUNCATED,
        },
      });
      this.emit('taskSubmitted', {
        executionArn: record.description.executionArn,
        stateName: plan.stateName,
        taskToken,
        functionName,
        payload,
      });
    }
  }

  /** Invokes across a JSON boundary both ways, as Lambda does, so fakes cannot share object references. */
  private async invoke(functionName: string, payload: Json): Promise<Json> {
    try {
      const result = await this.options.invokeFunction(functionName, roundTrip(payload));
      return roundTrip(result);
    } catch (error) {
      throw toTaskError(error);
    }
  }

  private timeoutSecondsOf(record: ExecutionRecord, plan: TaskPlan, input: Json): number {
    if (plan.timeoutSeconds !== undefined) return plan.timeoutSeconds;
    if (plan.timeoutSecondsPath === undefined) return DEFAULT_TASK_TIMEOUT_SECONDS;
    // AWS resolves the path against the state input; definition.ts had the library evaluate it there
    // into a hidden Parameters key (when the state has Parameters), which runTask removes again.
    const carried = isObject(input) && TIMEOUT_KEY in input ? input[TIMEOUT_KEY] : undefined;
    const seconds = carried !== undefined ? carried : this.readPath(record, plan.timeoutSecondsPath, input);
    if (!Number.isInteger(seconds) || (seconds as number) < 1) {
      throw runtimeFailure(
        `TimeoutSecondsPath '${plan.timeoutSecondsPath}' must point to a positive integer`,
      );
    }
    return seconds as number;
  }

  private readPath(record: ExecutionRecord, path: string, input: Json): unknown {
    try {
      const value = path.startsWith('$$')
        ? readReferencePath(path.slice(1), record.context)
        : readReferencePath(path, input);
      if (value === undefined) throw new Error(`'${path}' does not point to a value`);
      return value;
    } catch (error) {
      throw runtimeFailure((error as Error).message);
    }
  }

  private openTask(taskToken: string): TokenRecord {
    if (typeof taskToken !== 'string' || taskToken.length === 0 || taskToken.length > MAX_TOKEN_LENGTH) {
      throw new SfnError('InvalidToken', 'Invalid Token: the task token is empty or too long');
    }
    const task = this.tokens.get(taskToken);
    if (!task) throw new SfnError('TaskDoesNotExist', 'Task does not exist anymore');
    if (task.attempt.done)
      throw new SfnError('TaskTimedOut', 'Task Timed Out: the task has already completed');
    return task;
  }

  private machineOf(stateMachineArn: string): MachineRecord {
    if (typeof stateMachineArn !== 'string' || !STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new SfnError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    }
    const machine = this.machines.get(stateMachineArn);
    if (!machine)
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    return machine;
  }

  private executionOf(executionArn: string): ExecutionRecord {
    if (typeof executionArn !== 'string' || !EXECUTION_ARN.test(executionArn)) {
      throw new SfnError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    const record = this.executions.get(executionArn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** AWS naming rules for executions and state machines: 1–80 chars, no whitespace, wildcards or controls. */
function validateName(name: string, what: string): void {
  const hasControl =
    typeof name === 'string' &&
    [...name].some((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    });
  if (
    typeof name !== 'string' ||
    name.length < 1 ||
    name.length > 80 ||
    hasControl ||
    NAME_FORBIDDEN.test(name)
  ) {
    throw new SfnError('InvalidName', `Invalid Name: '${name}' is not a valid ${what} name`);
  }
}

function parseExecutionInput(input: string): Json {
  if (typeof input !== 'string') throw new SfnError('InvalidExecutionInput', 'Input must be a JSON string');
  if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
    throw new SfnError('InvalidExecutionInput', 'Input exceeds the 256 KiB limit');
  }
  try {
    return JSON.parse(input) as Json;
  } catch (error) {
    throw new SfnError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: ${(error as Error).message}`,
    );
  }
}

/** Task tokens are opaque; 32 random bytes keep them unguessable like AWS's. */
function newTaskToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Shaped like the optimised lambda:invoke integration's result on AWS. */
function invokeResult(payload: Json): Json {
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
}

function roundTrip(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

function replaceDeep(value: unknown, search: string, replacement: string): unknown {
  if (typeof value === 'string') return value.replaceAll(search, replacement);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, search, replacement));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceDeep(v, search, replacement)]),
    );
  }
  return value;
}

function clampDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

function paginate<T>(items: T[], maxResults?: number, nextToken?: string): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    start = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new SfnError('InvalidToken', 'Invalid Token: nextToken');
  }
  const size = maxResults && maxResults > 0 ? Math.min(maxResults, 1000) : DEFAULT_PAGE_SIZE;
  const end = start + size;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(String(end)).toString('base64url') } : { page };
}

function snapshot(description: ExecutionDescription): ExecutionDescription {
  return stripUndefined({ ...description });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
