/**
 * Least privilege, proven (issue 11): records every AWS SDK call each function makes, as the IAM
 * action and resource it needs, so a test can check them against that function's synthesized
 * policy (infra/iam-proof.ts). Local only (it refuses to start in Lambda) and off unless started
 * — `startAwsCallRecording()`, which the test run's global setup calls before the local stack
 * starts; when off, the middleware on each client is one branch.
 *
 * - Every module-scope client of adapters/ gets the middleware (`recordCallsOf`): the DynamoDB
 *   document client, S3, Step Functions, KMS, SQS. Presigned URLs go through the same middleware
 *   (the presigner runs the client's middleware stack up to signing), so a presigned PUT is
 *   recorded as s3:PutObject of the function that signed it.
 * - Stand-ins that replace an AWS service locally record the call they stand for
 *   (`recordStandIn`): the local license signer records kms:Sign / kms:GetPublicKey.
 * - Attribution: the function currently running, an AsyncLocalStorage set by
 *   local/lambda-registry.ts `invokeFunction` (`runAsFunction`). Calls outside any function (setup,
 *   tests' own reads) are counted as unattributed; the local table-stream reader's (which stands
 *   for Lambda's poller) use clients of their own and are not recorded at all.
 *
 * State lives on globalThis: the test runner may load this module more than once in one process,
 * and every copy must share the recording and the current function.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type AwsService = 'dynamodb' | 's3' | 'sfn' | 'kms' | 'sqs' | 'secretsmanager';

/** What an IAM statement's Resource must match for the call to be allowed. */
export type ResourceKind =
  | 'table'
  | 'table-index'
  | 'bucket'
  | 'bucket-object'
  | 'state-machine'
  | 'execution'
  | 'signing-key'
  | 'queue'
  | 'secret'
  /** Actions without resource-level permissions (IAM allows only "*"), e.g. states:SendTaskSuccess. */
  | 'any';

export interface ResourceRef {
  readonly kind: ResourceKind;
  /** The index name (table-index), the object key's first segment (bucket-object). */
  readonly detail?: string;
}

/** One IAM permission a call needs. */
export interface Permission {
  readonly action: string;
  readonly resource: ResourceRef;
}

/** One (function, action, resource) seen during the recording, with how often and by which calls. */
export interface RecordedCall extends Permission {
  /** functions/<fn>.<kind>.ts; undefined when no function was running. */
  readonly fn: string | undefined;
  readonly count: number;
  /** The SDK commands that needed it ("TransactWriteItems", "PutObject (presigned)", …). */
  readonly commands: readonly string[];
}

export interface AwsCallRecording {
  /** Every (function, permission) seen so far. */
  calls(): RecordedCall[];
  /** How many SDK calls were seen (attributed or not). */
  readonly total: number;
  /** How often each function ran (`runAsFunction`), whether or not it called AWS. */
  invocations(): Map<string, number>;
  /** Wall-clock milliseconds each function's runs took in all (until their promise settled). */
  durations(): Map<string, number>;
  stop(): void;
}

interface Entry {
  fn: string | undefined;
  action: string;
  resource: ResourceRef;
  count: number;
  commands: Set<string>;
}

interface Active {
  entries: Map<string, Entry>;
  total: number;
  invocations: Map<string, number>;
  durations: Map<string, number>;
}

interface State {
  readonly als: AsyncLocalStorage<string>;
  active: Active | undefined;
}

const KEY = Symbol.for('yijianshi.aws-call-recorder');
const holder = globalThis as typeof globalThis & { [KEY]?: State };
holder[KEY] ??= { als: new AsyncLocalStorage<string>(), active: undefined };
const state: State = holder[KEY];

/** Starts recording in this process (local only). */
export function startAwsCallRecording(): AwsCallRecording {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME)
    throw new Error('AWS calls are recorded locally only, never in Lambda.');
  const active: Active = { entries: new Map(), total: 0, invocations: new Map(), durations: new Map() };
  state.active = active;
  return {
    calls: () =>
      [...active.entries.values()].map((e) => ({
        fn: e.fn,
        action: e.action,
        resource: e.resource,
        count: e.count,
        commands: [...e.commands].sort(),
      })),
    get total() {
      return active.total;
    },
    invocations: () => new Map(active.invocations),
    durations: () => new Map(active.durations),
    stop() {
      if (state.active === active) state.active = undefined;
    },
  };
}

export function isRecordingAwsCalls(): boolean {
  return state.active !== undefined;
}

/** Runs `body` as function `name` (its SDK calls are attributed to it). A plain call when off. */
export function runAsFunction<T>(name: string, body: () => T): T {
  const active = state.active;
  if (!active) return body();
  active.invocations.set(name, (active.invocations.get(name) ?? 0) + 1);
  const started = performance.now();
  const took = () =>
    active.durations.set(name, (active.durations.get(name) ?? 0) + performance.now() - started);
  const result = state.als.run(name, body);
  if (result instanceof Promise) result.then(took, took);
  else took();
  return result;
}

/** The function the current code runs for, if any. */
export function currentFunction(): string | undefined {
  return state.als.getStore();
}

function record(
  fn: string | undefined,
  service: AwsService,
  command: string,
  input: Record<string, unknown>,
  note?: string,
): void {
  const active = state.active;
  if (!active) return;
  active.total++;
  const label = note ? `${command} (${note})` : command;
  for (const p of permissionsOf(service, command, input)) {
    const key = `${fn ?? ''}|${p.action}|${p.resource.kind}|${p.resource.detail ?? ''}`;
    let e = active.entries.get(key);
    if (!e) {
      e = { fn, action: p.action, resource: p.resource, count: 0, commands: new Set() };
      active.entries.set(key, e);
    }
    e.count++;
    e.commands.add(label);
  }
}

/** The smallest structural view of an SDK v3 client. */
export interface MiddlewareClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority?: 'high' | 'low' }): void;
  };
}

/** Adds the recorder to a module-scope client; returns the client. */
export function recordCallsOf<C extends MiddlewareClient>(service: AwsService, client: C): C {
  client.middlewareStack.add(
    (
      next: (args: { input: Record<string, unknown> }) => Promise<{ output?: Record<string, unknown> }>,
      context: { commandName?: string },
    ) =>
      async (args: { input: Record<string, unknown> }) => {
        if (!state.active) return next(args);
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        // Whose call it is, taken before the request (not from whatever the response resumes in).
        const fn = state.als.getStore();
        let result: { output?: Record<string, unknown> };
        try {
          result = await next(args);
        } catch (err) {
          record(fn, service, command, args.input);
          throw err;
        }
        // The presigner runs this stack and answers with the URL instead of sending.
        record(
          fn,
          service,
          command,
          args.input,
          result.output && 'presigned' in result.output ? 'presigned' : undefined,
        );
        return result;
      },
    { step: 'initialize', name: `awsCallRecorder-${service}`, priority: 'high' },
  );
  return client;
}

/** A local stand-in for an AWS service (the local signer for KMS) records the call it replaces. */
export function recordStandIn(
  service: AwsService,
  command: string,
  input: Record<string, unknown>,
  standIn: string,
): void {
  record(state.als.getStore(), service, command, input, standIn);
}

// ── SDK command → IAM permissions ──────────────────────────────────────────────────────────────

const TABLE_ITEM_ACTIONS: Record<string, string> = {
  GetItem: 'dynamodb:GetItem',
  PutItem: 'dynamodb:PutItem',
  UpdateItem: 'dynamodb:UpdateItem',
  DeleteItem: 'dynamodb:DeleteItem',
  BatchGetItem: 'dynamodb:BatchGetItem',
  BatchWriteItem: 'dynamodb:BatchWriteItem',
  DescribeTable: 'dynamodb:DescribeTable',
};

/** Parts of a transaction → the per-item action IAM checks for it. */
const TRANSACT_PARTS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const S3_OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject',
  // HeadObject has no action of its own: IAM checks s3:GetObject.
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  DeleteObject: 's3:DeleteObject',
  GetObjectTagging: 's3:GetObjectTagging',
  PutObjectTagging: 's3:PutObjectTagging',
};

const S3_BUCKET_ACTIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
};

const SFN_ACTIONS: Record<string, { action: string; kind: ResourceKind }> = {
  StartExecution: { action: 'states:StartExecution', kind: 'state-machine' },
  StartSyncExecution: { action: 'states:StartSyncExecution', kind: 'state-machine' },
  StopExecution: { action: 'states:StopExecution', kind: 'execution' },
  DescribeExecution: { action: 'states:DescribeExecution', kind: 'execution' },
  GetExecutionHistory: { action: 'states:GetExecutionHistory', kind: 'execution' },
  ListExecutions: { action: 'states:ListExecutions', kind: 'state-machine' },
  // Task tokens: no resource-level permissions.
  SendTaskSuccess: { action: 'states:SendTaskSuccess', kind: 'any' },
  SendTaskFailure: { action: 'states:SendTaskFailure', kind: 'any' },
  SendTaskHeartbeat: { action: 'states:SendTaskHeartbeat', kind: 'any' },
};

const SQS_ACTIONS: Record<string, string> = {
  SendMessage: 'sqs:SendMessage',
  // Batch APIs are authorised by their single-message actions.
  SendMessageBatch: 'sqs:SendMessage',
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessage: 'sqs:DeleteMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibility: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
};

function objectRef(key: unknown): ResourceRef {
  const first = typeof key === 'string' ? key.split('/')[0] : undefined;
  return first ? { kind: 'bucket-object', detail: first } : { kind: 'bucket-object' };
}

function dynamoPermissions(command: string, input: Record<string, unknown>): Permission[] {
  const onTable = (action: string, index?: unknown): Permission =>
    typeof index === 'string' && index
      ? { action, resource: { kind: 'table-index', detail: index } }
      : { action, resource: { kind: 'table' } };
  if (command === 'Query') return [onTable('dynamodb:Query', input.IndexName)];
  if (command === 'Scan') return [onTable('dynamodb:Scan', input.IndexName)];
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
    const items = (input.TransactItems ?? []) as Record<string, unknown>[];
    const actions = new Set<string>();
    for (const item of items)
      for (const part of Object.keys(item)) {
        const action = TRANSACT_PARTS[part];
        if (action) actions.add(action);
      }
    return [...actions].map((a) => onTable(a));
  }
  const action = TABLE_ITEM_ACTIONS[command];
  return [onTable(action ?? `dynamodb:${command}`)];
}

/** The IAM permissions one SDK call needs (a transaction needs each of its items' actions). */
export function permissionsOf(
  service: AwsService,
  command: string,
  input: Record<string, unknown>,
): Permission[] {
  switch (service) {
    case 'dynamodb':
      return dynamoPermissions(command, input);
    case 's3': {
      if (command === 'CopyObject') {
        const source =
          typeof input.CopySource === 'string' ? input.CopySource.split('/').slice(1).join('/') : '';
        return [
          { action: 's3:GetObject', resource: objectRef(source) },
          { action: 's3:PutObject', resource: objectRef(input.Key) },
        ];
      }
      if (command === 'DeleteObjects')
        return [{ action: 's3:DeleteObject', resource: { kind: 'bucket-object' } }];
      const bucketAction = S3_BUCKET_ACTIONS[command];
      if (bucketAction) return [{ action: bucketAction, resource: { kind: 'bucket' } }];
      let action = S3_OBJECT_ACTIONS[command] ?? `s3:${command}`;
      if (input.VersionId && (action === 's3:GetObject' || action === 's3:DeleteObject')) action += 'Version';
      return [{ action, resource: objectRef(input.Key) }];
    }
    case 'sfn': {
      const a = SFN_ACTIONS[command] ?? { action: `states:${command}`, kind: 'state-machine' as const };
      return [{ action: a.action, resource: { kind: a.kind } }];
    }
    case 'kms':
      return [{ action: `kms:${command}`, resource: { kind: 'signing-key' } }];
    case 'sqs':
      return [{ action: SQS_ACTIONS[command] ?? `sqs:${command}`, resource: { kind: 'queue' } }];
    case 'secretsmanager':
      return [{ action: `secretsmanager:${command}`, resource: { kind: 'secret' } }];
  }
}
