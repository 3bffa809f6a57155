import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { SfnError } from './errors.ts';

/** setTimeout fires at once for delays above 2^31-1 ms, so every timer we (or the library) arm is clamped. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
/** ASL's default when a Task sets no TimeoutSeconds; our ASL always sets one (STYLE rule 19). */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
/** Hidden Parameters key carrying a TimeoutSecondsPath value resolved against the state input. */
export const TIMEOUT_KEY = '__localTimeoutSeconds';

export type StateType = 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

/** The Task resources the local runtime can execute. */
export type Integration = 'lambda' | 'lambda:invoke' | 'lambda:invoke.waitForTaskToken';

export interface TaskPlan {
  kind: 'task';
  stateName: string;
  integration: Integration;
  resource: string;
  /** Only for a bare Lambda ARN; the integrations read FunctionName from Parameters. */
  functionName?: string;
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
}

export interface WaitPlan {
  kind: 'wait';
  stateName: string;
  seconds?: number;
  timestamp?: string;
  secondsPath?: string;
  timestampPath?: string;
}

export interface CompiledDefinition {
  /** What aws-local-stepfunctions runs: Task timeouts neutralised, Wait states turned into Tasks. */
  runnable: StateMachineDefinition;
  /** States whose work our overrides perform, by state name (ASL names are unique machine-wide). */
  overridden: Map<string, TaskPlan | WaitPlan>;
  /** The state types as written, so history events name a Wait a Wait even though it runs as a Task. */
  stateTypes: Map<string, StateType>;
  mapStates: Map<string, { inputPath?: string | null; itemsPath?: string }>;
  retryableStates: string[];
}

type Loose = Record<string, unknown>;

const LAMBDA_FUNCTION_ARN =
  /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/;
const LAMBDA_INTEGRATION = /^arn:[a-z-]+:states:::lambda:invoke(\.waitForTaskToken)?$/;
// Any Resource works here: the override replaces it. It only has to pass the library's own checks.
const WAIT_PLACEHOLDER_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:local-wait-state';

/** `my-fn`, `my-fn:alias`, `123456789012:function:my-fn` or a full ARN → `my-fn`. */
export function functionNameOf(nameOrArn: string): string {
  const marker = nameOrArn.lastIndexOf('function:');
  const rest = marker >= 0 ? nameOrArn.slice(marker + 'function:'.length) : nameOrArn;
  return rest.split(':')[0] ?? rest;
}

// asl-validator compiles its JSON schemas anew on every call (~100 ms), so a definition text that has
// compiled once (e.g. the same ASL file loaded by several test files' runtimes) is not validated again.
const compiledByText = new Map<string, CompiledDefinition>();

export function compileDefinition(text: string): CompiledDefinition {
  const cached = compiledByText.get(text);
  if (cached) return cached;
  const compiled = compileUncached(text);
  compiledByText.set(text, compiled);
  return compiled;
}

function compileUncached(text: string): CompiledDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SfnError('InvalidDefinition', `Definition is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new SfnError('InvalidDefinition', 'Definition must be a JSON object');
  try {
    // Validates the whole tree (schema, ARNs, JSONPaths, duplicate state names) with asl-validator,
    // on a copy: the validator writes QueryLanguage into every state it visits.
    new StateMachine(structuredClone(parsed) as unknown as StateMachineDefinition);
  } catch (error) {
    throw new SfnError('InvalidDefinition', (error as Error).message);
  }

  const runnable = structuredClone(parsed);
  const compiled: CompiledDefinition = {
    runnable: runnable as unknown as StateMachineDefinition,
    overridden: new Map(),
    stateTypes: new Map(),
    mapStates: new Map(),
    retryableStates: [],
  };
  rejectUnsupported(runnable, '(root)');
  if (typeof runnable.TimeoutSeconds === 'number') {
    runnable.TimeoutSeconds = Math.min(runnable.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  walkStates(runnable, (name, state) => compileState(compiled, name, state));
  return compiled;
}

function compileState(compiled: CompiledDefinition, name: string, state: Loose): void {
  rejectUnsupported(state, name);
  const type = state.Type as StateType;
  compiled.stateTypes.set(name, type);
  if (Array.isArray(state.Retry) && state.Retry.length > 0) compiled.retryableStates.push(name);

  if (type === 'Task') {
    compiled.overridden.set(name, taskPlan(name, state));
    // Our override enforces the real timeout (clamped, TimeoutSecondsPath included), so the library's
    // own race timer is pushed out of the way — still clamped, since an overflow would fire at once.
    state.TimeoutSeconds = MAX_TIMER_SECONDS;
    // AWS resolves TimeoutSecondsPath against the state input ("a path in the state input"), but the
    // library hands overrides the input AFTER Parameters. A hidden Parameters key carries the value
    // across, evaluated by the library against the state input; runTask reads and removes it.
    if (typeof state.TimeoutSecondsPath === 'string' && isObject(state.Parameters)) {
      state.Parameters = { ...state.Parameters, [`${TIMEOUT_KEY}.$`]: state.TimeoutSecondsPath };
    }
    delete state.TimeoutSecondsPath;
    delete state.HeartbeatSeconds;
    delete state.HeartbeatSecondsPath;
  } else if (type === 'Wait') {
    // The library sleeps with one setTimeout (a 30-day deadline would fire at once), so a Wait runs
    // as a Task whose override sleeps with a clamped timer and returns its effective input unchanged.
    compiled.overridden.set(name, waitPlan(name, state));
    for (const field of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[field];
    state.Type = 'Task';
    state.Resource = WAIT_PLACEHOLDER_RESOURCE;
    state.TimeoutSeconds = MAX_TIMER_SECONDS;
  } else if (type === 'Map') {
    compiled.mapStates.set(name, {
      inputPath: state.InputPath as string | null | undefined,
      itemsPath: state.ItemsPath as string | undefined,
    });
  }
}

function taskPlan(name: string, state: Loose): TaskPlan {
  const resource = String(state.Resource);
  const plan: TaskPlan = { kind: 'task', stateName: name, integration: 'lambda', resource };
  if (typeof state.TimeoutSeconds === 'number') plan.timeoutSeconds = state.TimeoutSeconds;
  if (typeof state.TimeoutSecondsPath === 'string') plan.timeoutSecondsPath = state.TimeoutSecondsPath;

  if (LAMBDA_FUNCTION_ARN.test(resource)) {
    plan.functionName = functionNameOf(resource);
    return plan;
  }
  const integration = LAMBDA_INTEGRATION.exec(resource);
  if (!integration) {
    throw new SfnError(
      'InvalidDefinition',
      `State '${name}': resource '${resource}' is not supported locally (supported: Lambda function ARNs, ` +
        'arn:<partition>:states:::lambda:invoke and lambda:invoke.waitForTaskToken)',
    );
  }
  const parameters = state.Parameters;
  if (!isObject(parameters) || (!('FunctionName' in parameters) && !('FunctionName.$' in parameters))) {
    throw new SfnError('InvalidDefinition', `State '${name}': lambda:invoke needs Parameters.FunctionName`);
  }
  if (integration[1]) {
    // AWS rejects such a definition too: without the token nobody could ever complete the task.
    if (!referencesTaskToken(parameters)) {
      throw new SfnError(
        'InvalidDefinition',
        `State '${name}': a .waitForTaskToken task must pass $$.Task.Token in its Parameters`,
      );
    }
    plan.integration = 'lambda:invoke.waitForTaskToken';
  } else {
    plan.integration = 'lambda:invoke';
  }
  return plan;
}

function waitPlan(name: string, state: Loose): WaitPlan {
  const plan: WaitPlan = { kind: 'wait', stateName: name };
  if (typeof state.Seconds === 'number') plan.seconds = state.Seconds;
  if (typeof state.Timestamp === 'string') plan.timestamp = state.Timestamp;
  if (typeof state.SecondsPath === 'string') plan.secondsPath = state.SecondsPath;
  if (typeof state.TimestampPath === 'string') plan.timestampPath = state.TimestampPath;
  return plan;
}

// The library silently ignores these (TOOLCHAIN.md); failing loudly beats a workflow that runs differently.
function rejectUnsupported(node: Loose, where: string): void {
  if (node.QueryLanguage === 'JSONata') {
    throw new SfnError('InvalidDefinition', `${where}: JSONata is not supported locally; use JSONPath`);
  }
  for (const field of ['Assign', 'ItemReader', 'ResultWriter', 'ItemBatcher']) {
    if (field in node)
      throw new SfnError('InvalidDefinition', `${where}: '${field}' is not supported locally`);
  }
}

function referencesTaskToken(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(referencesTaskToken);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([key, child]) =>
    key.endsWith('.$') && typeof child === 'string'
      ? child.includes('$$.Task.Token')
      : referencesTaskToken(child),
  );
}

function walkStates(machine: Loose, visit: (name: string, state: Loose) => void): void {
  const states = machine.States;
  if (!isObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    visit(name, state);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor)) walkStates(processor, visit);
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isObject(branch)) walkStates(branch, visit);
    }
  }
}

export function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
