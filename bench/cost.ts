/**
 * Cost per case. One full case of each fully detailed Changzhou bundle (all services, every
 * department approves), run alone on an idle stack, with everything it causes counted:
 *
 *  - Step Functions state transitions: the *StateEntered events of the execution's history. AWS
 *    bills "a state transition each time a step of your workflow is executed … including retries":
 *    every state entered (the Map state once, and each state inside each Map iteration) is one; a
 *    retry would add one more (there are none on this happy path).
 *  - Lambda invocations and duration: every API request runs one handler, plus the authorizer for
 *    non-public routes (locally on every request — in AWS its result is cached 5 minutes per
 *    credential, so this is an upper bound); every Task of the execution invokes one task function.
 *    Durations are measured here, in-process on this machine (a proxy for Lambda's billed duration,
 *    which rounds up to 1 ms): the dev server's time per request (authorizer + handler) and the
 *    time of each task function invocation.
 *  - DynamoDB read/write units: ReturnConsumedCapacity=INDEXES on every call of the product's own
 *    client (injected by an SDK middleware, no product code changed) as reported by DynamoDB Local
 *    — except TransactWriteItems, which DynamoDB Local does not count item by item: those are
 *    computed as AWS bills them from what each wrote (lib/item-size.ts: 2 WRU per KB per item, a
 *    ConditionCheck 2 RRU per 4 KB), their index writes Local's halved. So the units are an
 *    estimate of what AWS would bill.
 *  - S3 requests: the product's SDK calls (HeadObject, GetObject, PutObject), the portal's presigned
 *    PUT per material, and the applicant's download of each license document (one GET each).
 *  - KMS: the Sign calls (one per issue of a case's licenses; the local signer stands in for the KMS key).
 *  - API Gateway requests: the portal's and departments' requests, scripted as the minimum a real
 *    client makes: guide + form, the set of materials declared in one POST /v1/materials/batch
 *    (each file's bytes PUT to S3; the submission judges them), submit; per task (announced by the
 *    department's task.opened webhook) the task detail and the decision; at the end the case, its
 *    licenses with their links in its view. (Waiting happens on the
 *    local runtime's events, not by polling the API.)
 *
 * Not counted: CloudWatch Logs and X-Ray, storage (GB-month), data transfer, the fixed-rate overdue
 * sweep, cold starts, free tiers, and the table stream's reads (the Lambda service's poller; see
 * lib/env.ts). Webhook fan-out and delivery are counted: their invocations, time, DynamoDB calls and
 * SQS requests.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startPushWorker } from './lib/department-worker.ts';
import type { BenchStack, Progress } from './lib/env.ts';
import { entryKey, itemSize, type TransactItem, transactionUnits } from './lib/item-size.ts';
import type { CallRecord } from './lib/meters.ts';
import {
  applicationTemplate,
  bearer,
  caseHeaders,
  freshApplication,
  rememberCase,
  submitHeaders,
} from './lib/portal.ts';
import { LAMBDA_MEMORY_GB, PRICES, type PriceList } from './lib/prices.ts';
import { fmt, round, table } from './lib/stats.ts';
import { DETAILED_BUNDLES } from './throughput.ts';

export interface CostOptions {
  bundles: string[];
  /** Longest a case may take from submission to its final status; past it the benchmark fails, saying where the case stands. */
  caseTimeoutS: number;
  /** Print every storage call of each case, in order, with the function and the key it touched (--trace). */
  trace?: boolean;
  /**
   * Run one unmeasured case of each bundle first, so the measured one sees what a stream of cases
   * sees: the authorizer's results cached per credential (API Gateway, 5 min), warm containers.
   */
  warmUp?: boolean;
}

export const costDefaults: CostOptions = { bundles: DETAILED_BUNDLES, caseTimeoutS: 120, warmUp: true };

interface FunctionUse {
  count: number;
  ms: number;
}

export interface CaseCost {
  bundleId: string;
  services: number;
  departments: number;
  materials: number;
  licenses: number;
  case_duration_ms: number;
  sfn: { transitions: number; by_state: Record<string, number>; execution_status: string };
  lambda: {
    invocations: number;
    http_handlers: number;
    authorizer: number;
    tasks: number;
    /** enqueue-webhooks (per stream batch) and deliver-webhook (per SQS message) invocations. */
    webhook_functions: number;
    by_function: Record<string, FunctionUse>;
    gb_seconds: number;
  };
  /** DynamoDB, S3 and Step Functions calls of the case, by the function that made them ("-": none running, e.g. the local webhook fan-out outside a delivery). */
  storage_calls: { total: number; presigned: number; by_function: Record<string, Record<string, number>> };
  dynamodb: {
    calls: Record<string, number>;
    failed_calls: number;
    local_reported: { rru: number; wru: number };
    rru: number;
    wru: number;
    wru_gsi: number;
  };
  s3: { put_class: number; get_class: number; by_request: Record<string, number> };
  kms_sign: number;
  /** The product's SQS sends plus, per deliver-webhook invocation, the event source mapping's ReceiveMessage and DeleteMessage. */
  sqs_requests: number;
  api_requests: { total: number; by_route: Record<string, number> };
  usd_per_1000_cases: Record<string, Record<string, number>>;
  dominant: Record<string, string>;
}

export interface CostResult {
  options: CostOptions;
  prices: PriceList[];
  cases: CaseCost[];
  notes: string[];
}

const S3_PUT_CLASS = new Set([
  'PutObject',
  'CopyObject',
  'PostObject',
  'ListObjects',
  'ListObjectsV2',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
]);

function priceCase(c: Omit<CaseCost, 'usd_per_1000_cases' | 'dominant'>, p: PriceList) {
  const parts = {
    step_functions: c.sfn.transitions * p.sfnTransition,
    lambda: c.lambda.invocations * p.lambdaRequest + c.lambda.gb_seconds * p.lambdaGbSecondArm,
    dynamodb: c.dynamodb.rru * p.dynamoRru + c.dynamodb.wru * p.dynamoWru,
    s3: c.s3.put_class * p.s3PutClass + c.s3.get_class * p.s3GetClass,
    api_gateway: c.api_requests.total * p.apiGatewayRestRequest,
    kms: c.kms_sign * p.kmsAsymmetricRequest,
    sqs: c.sqs_requests * p.sqsRequest,
  };
  const per1000: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) per1000[k] = round(v * 1000, 5);
  per1000.total = round(Object.values(parts).reduce((s, v) => s + v, 0) * 1000, 5);
  const dominant = Object.entries(parts).sort((a, b) => b[1] - a[1])[0]![0];
  return { per1000, dominant };
}

/** What a call touched, briefly: table keys (sort key prefixes), index, object key, or target. */
function traceKey(input: Record<string, unknown> | undefined): string {
  if (!input) return '';
  const key = (k: unknown) => {
    const o = k as { pk?: string; sk?: string } | undefined;
    return o ? `${String(o.pk ?? '').split('#')[0]}/${String(o.sk ?? '').split('#')[0]}` : '';
  };
  if (Array.isArray(input.TransactItems))
    return (input.TransactItems as Record<string, { Key?: unknown; Item?: unknown }>[])
      .map((t) => {
        const [op, body] = Object.entries(t)[0]!;
        return `${op}(${key(body.Key ?? body.Item)})`;
      })
      .join(' ');
  if (input.IndexName) return `index ${String(input.IndexName)}`;
  if (input.Key && typeof input.Key === 'string') return String(input.Key).split('/')[0]!;
  if (input.Key || input.Item) return key(input.Key ?? input.Item);
  if (input.KeyConditionExpression)
    return `query ${JSON.stringify(input.ExpressionAttributeValues ?? {}).slice(0, 60)}`;
  if (input.RequestItems) return 'batch';
  return Object.keys(input).slice(0, 3).join(',');
}

type Recording = ReturnType<typeof import('#adapters/aws-call-recorder.ts').startAwsCallRecording>;
const WEBHOOK_FUNCTIONS = [
  { name: 'enqueue-webhooks', kind: 'stream' },
  { name: 'deliver-webhook', kind: 'queue' },
] as const;

/**
 * AWS's units for the case's transactions: each item priced by its size (a Put by its Item; an
 * Update, Delete or ConditionCheck by the item as it stands now, read once here, unmetered).
 */
async function transactionsAsBilled(
  txs: readonly CallRecord[],
): Promise<{ wru: number; rru: number; byCall: Map<CallRecord, { wru: number; rru: number }> }> {
  const { GetCommand } = await import('#adapters/dynamodb/commands.ts');
  const { send } = await import('#adapters/dynamodb/send.ts');
  const { config } = await import('#adapters/config.ts');
  const entries = txs.flatMap((c) => (c.input?.TransactItems as TransactItem[] | undefined) ?? []);
  const sizes = new Map<string, number | undefined>();
  const id = (key: Record<string, unknown>) => `${String(key.pk)}|${String(key.sk)}`;
  for (const e of entries) {
    const { op, key } = entryKey(e);
    if (op === 'Put' || sizes.has(id(key))) continue;
    const r = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: config().TABLE_NAME, Key: key, ConsistentRead: true }),
    );
    sizes.set(id(key), r.Item ? itemSize(r.Item) : undefined);
  }
  let wru = 0;
  let rru = 0;
  const byCall = new Map<CallRecord, { wru: number; rru: number }>();
  for (const c of txs) {
    const u = transactionUnits((c.input?.TransactItems as TransactItem[] | undefined) ?? [], (k) =>
      sizes.get(id(k)),
    );
    byCall.set(c, u);
    wru += u.wru;
    rru += u.rru;
  }
  return { wru, rru, byCall };
}

interface WebhookUse {
  functions: { name: string; kind: 'stream' | 'queue'; count: number; ms: number }[];
  /** The product's SQS calls in all (what the next `before` subtracts). */
  sqsCalls: number;
  invocations: number;
  sqsRequests: number;
}

/** Webhook functions' invocations and time, and SQS requests, since `before` (or in all). */
function webhookUse(recording: Recording, before?: WebhookUse): WebhookUse {
  const inv = recording.invocations();
  const dur = recording.durations();
  const sqsCalls = recording
    .calls()
    .filter((c) => c.action.startsWith('sqs:'))
    .reduce((n, c) => n + c.count, 0);
  const functions = WEBHOOK_FUNCTIONS.map((f, i) => ({
    ...f,
    count: (inv.get(f.name) ?? 0) - (before?.functions[i]?.count ?? 0),
    ms: (dur.get(f.name) ?? 0) - (before?.functions[i]?.ms ?? 0),
  }));
  const deliveries = functions.find((f) => f.name === 'deliver-webhook')!.count;
  const sends = sqsCalls - (before?.sqsCalls ?? 0);
  return {
    functions,
    sqsCalls,
    invocations: functions.reduce((n, f) => n + f.count, 0),
    sqsRequests: sends + 2 * deliveries,
  };
}

export async function runCost(b: BenchStack, options: CostOptions, progress: Progress): Promise<CostResult> {
  const { catalog } = await import('#adapters/catalog/file-catalog.ts');
  const { signer } = await import('#adapters/signing/signer.ts');
  const { httpRoutes } = await import('#functions/routes.ts');
  const sf = b.stack.stepFunctions;

  // Count license signatures (KMS Sign in AWS) by wrapping the container's signer.
  let signs = 0;
  const sign = signer.sign.bind(signer);
  (signer as { sign: typeof signer.sign }).sign = async (message) => {
    signs++;
    return sign(message);
  };
  // Time each task function invocation. The runtime invokes through one internal method; wrapping it
  // on this instance is the only way to see a task function's own duration from outside.
  const runtime = sf as unknown as { invoke?: (fn: string, payload: unknown) => Promise<unknown> };
  if (typeof runtime.invoke !== 'function')
    throw new Error(
      'LocalStepFunctions.invoke is gone: update bench/cost.ts to time task functions another way',
    );
  const invoke = runtime.invoke.bind(sf);
  const taskUses: { fn: string; ms: number }[] = [];
  runtime.invoke = async (fn, payload) => {
    const t = performance.now();
    try {
      return await invoke(fn, payload);
    } finally {
      taskUses.push({ fn, ms: performance.now() - t });
    }
  };
  b.meters.consumedCapacity = true;
  // Every call's input: transactions are billed from what they wrote (lib/item-size.ts).
  b.meters.capture = true;
  // A call recording makes the local Lambda registry name the function running, so every storage
  // call is attributed to the function that made it.
  const { startAwsCallRecording } = await import('#adapters/aws-call-recorder.ts');
  const recording = startAwsCallRecording();

  const routes = httpRoutes.map((r) => ({
    route: r,
    regex: new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
  }));
  const routeOf = (method: string, path: string) =>
    routes.find((r) => r.route.method === method && r.regex.test(path))?.route;

  const index = catalog();
  const apiKey = b.portalKey(0);
  const cases: CaseCost[] = [];
  // One push-path worker per department of the bundles (issue 14: departments are told, not
  // polled): subscribed to its task.opened events before any case; per task it reads the detail
  // and decides — approving everything. Their subscriptions are set up here, not counted.
  const workerErrors: string[] = [];
  const departments = new Set(
    options.bundles.flatMap((id) => {
      const bundle = index.bundle(id);
      return [bundle.leadDepartmentId, ...bundle.services.map((s) => s.departmentId)];
    }),
  );
  // Departments decide one after another, as they do in production (hours apart), not within the
  // same millisecond: concurrent last decisions of a stage would each see it complete and each
  // plan and answer it (one answer counts, the others are stale) — up to 8 storage calls and
  // $0.025 per 1,000 cases more, depending on timing. The saturation benchmark keeps them racing.
  let decisions: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(decide: () => Promise<T>): Promise<T> => {
    const next = decisions.then(decide);
    decisions = next.catch(() => undefined);
    return next;
  };
  const workers = await Promise.all(
    [...departments].map((departmentId) => {
      const auth = bearer(b.departmentToken(departmentId));
      return startPushWorker(b.api, departmentId, b.departmentToken(departmentId), async (task) => {
        if (task.kind === 'supplement') return;
        try {
          await b.api.expect(200, 'GET', `/v1/tasks/${task.taskId}`, { headers: auth });
          await oneAtATime(() =>
            b.api.expect(200, 'POST', `/v1/tasks/${task.taskId}/decision`, {
              headers: auth,
              body: { outcome: 'approve', opinion: task.kind === 'acceptance' ? '予以受理' : '同意' },
            }),
          );
        } catch (err) {
          workerErrors.push(`${departmentId} ${task.kind} task: ${(err as Error).message}`);
        }
      });
    }),
  );
  try {
    const runs = options.bundles.flatMap((id) =>
      options.warmUp
        ? [
            { bundleId: id, warmUp: true },
            { bundleId: id, warmUp: false },
          ]
        : [{ bundleId: id, warmUp: false }],
    );
    for (const { bundleId, warmUp } of runs) {
      const bundle = index.bundle(bundleId);
      const invokedBefore = recording.invocations().get('authorize-caller') ?? 0;
      const webhookBefore = webhookUse(recording);
      await b.meters.idle(50);
      const calls: CallRecord[] = [];
      const requests: { name: string; caller: string; ms: number }[] = [];
      const stopCalls = b.meters.subscribe((c) => calls.push(c));
      const stopRequests = b.onApiRequest((r) => {
        const route = routeOf(r.method, r.path);
        requests.push({
          name: route?.name ?? `${r.method} ${r.path}`,
          caller: route?.caller ?? 'public',
          ms: r.ms,
        });
      });
      taskUses.length = 0;
      signs = 0;
      const started = performance.now();

      // The portal: guide + form, materials, one submission.
      const template = await applicationTemplate(b.api, bundleId);
      const application = await freshApplication(b.api, apiKey, template, { readBack: false });
      const uploads = template.materialTypes.length;
      // Departments act on each task as it opens, told by their task.opened webhook (the push
      // workers started above): per task the detail and the decision, no inbox reads.
      const submitted = await b.api.expect(201, 'POST', '/v1/cases', {
        headers: { ...submitHeaders(apiKey, application), 'idempotency-key': randomUUID() },
        body: application,
      });
      const caseId = submitted.body.id as string;
      rememberCase(caseId, application);
      const executionArn = `${b.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${caseId}`;
      let status = 'RUNNING';
      await sf
        .waitForExecution(executionArn, { timeoutMs: options.caseTimeoutS * 1000 })
        .then((d) => {
          status = d.status;
        })
        .catch(async (err: Error) => {
          const d = await sf.describeExecution({ executionArn });
          const last = (await sf.getExecutionHistory({ executionArn, reverseOrder: true, maxResults: 1 }))
            .events[0];
          throw new Error(
            `cost: ${bundleId} case ${caseId} did not finish in ${options.caseTimeoutS} s (${err.message}); ` +
              `execution ${d.status}, last event ${last?.type ?? 'none'}; department errors: ${workerErrors.join('; ') || 'none'}`,
          );
        });
      if (workerErrors.length) throw new Error(`cost: ${bundleId}: ${workerErrors.join('; ')}`);
      // The applicant: the final status and the licenses, from one read of the case (its view
      // carries them with their download links), downloading each document once.
      const shown = await b.api.expect(200, 'GET', `/v1/cases/${caseId}`, {
        headers: caseHeaders(apiKey, caseId),
      });
      if (shown.body.status !== 'issued') throw new Error(`${bundleId}: case ended ${shown.body.status}`);
      const items = shown.body.licenses as { downloadUrl: string }[];
      for (const l of items) await (await fetch(l.downloadUrl)).arrayBuffer();
      const caseMs = performance.now() - started;
      await b.meters.idle(50);
      stopCalls();
      stopRequests();

      // Step Functions: the execution's own history.
      const history: { type: string; stateEnteredEventDetails?: { name?: string } }[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sf.getExecutionHistory({
          executionArn,
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        });
        history.push(...(page.events as typeof history));
        nextToken = page.nextToken;
      } while (nextToken);
      const entered = history.filter((e) => e.type.endsWith('StateEntered'));
      const byState: Record<string, number> = {};
      for (const e of entered) {
        const name = e.stateEnteredEventDetails?.name ?? e.type;
        byState[name] = (byState[name] ?? 0) + 1;
      }
      const scheduled = history.filter(
        (e) => e.type === 'TaskScheduled' || e.type === 'LambdaFunctionScheduled',
      ).length;
      if (scheduled !== taskUses.length)
        progress(
          `cost: note — ${scheduled} tasks scheduled in the history, ${taskUses.length} invocations timed`,
        );

      // Lambda
      const byFunction: Record<string, FunctionUse> = {};
      const use = (name: string, ms: number) => {
        const u = byFunction[name] ?? { count: 0, ms: 0 };
        byFunction[name] = u;
        u.count++;
        u.ms += ms;
      };
      // The authorizer as the dev server ran it: once per credential until its cached result
      // expires, as API Gateway does (its time is inside the requests' times above).
      const authorizer = (recording.invocations().get('authorize-caller') ?? 0) - invokedBefore;
      for (let i = 0; i < authorizer; i++) use('authorize-caller.authorizer', 0);
      let billedMs = 0;
      for (const r of requests) {
        use(`${r.name}.handler`, r.ms);
        billedMs += Math.max(1, Math.ceil(r.ms));
      }
      for (const t of taskUses) {
        use(`${t.fn}.task`, t.ms);
        billedMs += Math.max(1, Math.ceil(t.ms));
      }
      // The webhook side: enqueue-webhooks per batch of the table stream's outbox records, and
      // deliver-webhook per SQS message (the departments' task.opened deliveries).
      const webhooks = webhookUse(recording, webhookBefore);
      for (const w of webhooks.functions) {
        for (let i = 0; i < w.count; i++)
          use(w.kind === 'queue' ? `${w.name}.queue` : `${w.name}.stream`, w.ms / w.count);
        billedMs += w.count * Math.max(1, Math.ceil(w.ms / Math.max(1, w.count)));
      }
      for (const u of Object.values(byFunction)) u.ms = round(u.ms, 1);

      // DynamoDB
      const ddb = calls.filter((c) => c.service === 'dynamodb');
      const ddbCalls: Record<string, number> = {};
      for (const c of ddb) ddbCalls[c.command] = (ddbCalls[c.command] ?? 0) + 1;
      const localRru = ddb.reduce((s, c) => s + (c.units?.read ?? 0), 0);
      const localWru = ddb.reduce((s, c) => s + (c.units?.write ?? 0), 0);
      // Transactions as AWS bills them, item by item (lib/item-size.ts: DynamoDB Local does not);
      // their index writes as Local reports them, halved (4 per KB there, 2 documented).
      const isTx = (c: CallRecord) => c.command === 'TransactWriteItems';
      const txUnits = await transactionsAsBilled(ddb.filter((c) => isTx(c) && c.ok));
      const wruGsi = ddb.reduce((s, c) => s + (c.units?.gsiWrite ?? 0) * (isTx(c) ? 0.5 : 1), 0);
      const wru =
        ddb.filter((c) => !isTx(c)).reduce((s, c) => s + (c.units?.write ?? 0), 0) +
        txUnits.wru +
        ddb.filter(isTx).reduce((s, c) => s + (c.units?.gsiWrite ?? 0) * 0.5, 0);
      const rru = localRru + txUnits.rru;
      // A failed conditional write is billed (1 WRU at least) but reports no capacity.
      const failed = ddb.filter((c) => !c.ok);

      const unitsLabel = (c: CallRecord) => {
        const tx = txUnits.byCall.get(c);
        const w = tx ? tx.wru : (c.units?.write ?? 0);
        const r = tx ? tx.rru : (c.units?.read ?? 0);
        return c.units || tx ? `${fmt(w, 1)} WRU ${fmt(r, 1)} RRU `.padStart(18) : ''.padStart(18);
      };
      if (options.trace) {
        for (const c of calls)
          process.stderr.write(
            `  trace ${bundleId}: ${(c.origin ?? '-').padEnd(20)} ${c.service}:${c.command.padEnd(18)} ${unitsLabel(c)}${c.presigned ? '(presigned) ' : ''}${traceKey(c.input)}\n`,
          );
        // Each request's time as the dev server measured it, in order (the decisions: which one issued).
        process.stderr.write(
          `  trace ${bundleId}: request ms — ${requests.map((r) => `${r.name} ${fmt(r.ms, 0)}`).join(', ')}\n`,
        );
      }
      const storageByFunction: Record<string, Record<string, number>> = {};
      const presigned = calls.filter((c) => c.presigned).length;
      for (const c of calls) {
        if (c.presigned) continue; // a URL made locally, not a round trip
        const fn = c.origin ?? '-';
        const row = storageByFunction[fn] ?? {};
        storageByFunction[fn] = row;
        const key = `${c.service}:${c.command}`;
        row[key] = (row[key] ?? 0) + 1;
      }

      // S3
      // Presigned URLs are made locally; their use is counted above (uploads, downloads).
      const s3Calls = calls.filter((c) => c.service === 's3' && !c.presigned);
      const s3By: Record<string, number> = {
        'PUT (presigned upload)': uploads,
        'GET (license download)': items.length,
      };
      for (const c of s3Calls) s3By[c.command] = (s3By[c.command] ?? 0) + 1;
      const putClass = uploads + s3Calls.filter((c) => S3_PUT_CLASS.has(c.command)).length;
      const getClass = items.length + s3Calls.filter((c) => !S3_PUT_CLASS.has(c.command)).length;

      const byRoute: Record<string, number> = {};
      for (const r of requests) byRoute[r.name] = (byRoute[r.name] ?? 0) + 1;

      const counted: Omit<CaseCost, 'usd_per_1000_cases' | 'dominant'> = {
        bundleId,
        services: bundle.services.length,
        departments: new Set(bundle.services.map((s) => s.departmentId)).size,
        materials: uploads,
        licenses: items.length,
        case_duration_ms: Math.round(caseMs),
        sfn: { transitions: entered.length, by_state: byState, execution_status: status },
        lambda: {
          invocations: requests.length + authorizer + taskUses.length + webhooks.invocations,
          webhook_functions: webhooks.invocations,
          http_handlers: requests.length,
          authorizer,
          tasks: taskUses.length,
          by_function: byFunction,
          gb_seconds: round((billedMs / 1000) * LAMBDA_MEMORY_GB, 4),
        },
        storage_calls: { total: calls.length - presigned, presigned, by_function: storageByFunction },
        dynamodb: {
          calls: ddbCalls,
          failed_calls: failed.length,
          local_reported: { rru: round(localRru, 1), wru: round(localWru, 1) },
          rru: round(rru, 1),
          wru: round(wru + failed.length, 1),
          wru_gsi: round(wruGsi, 1),
        },
        s3: { put_class: putClass, get_class: getClass, by_request: s3By },
        kms_sign: signs,
        sqs_requests: webhooks.sqsRequests,
        api_requests: { total: requests.length, by_route: byRoute },
      };
      const usd: Record<string, Record<string, number>> = {};
      const dominant: Record<string, string> = {};
      for (const p of PRICES) {
        const priced = priceCase(counted, p);
        usd[p.region] = priced.per1000;
        dominant[p.region] = priced.dominant;
      }
      if (warmUp) {
        progress(`cost: ${bundleId} — warm-up case done (not counted)`);
        continue;
      }
      cases.push({ ...counted, usd_per_1000_cases: usd, dominant });
      progress(
        `cost: ${bundleId} — ${entered.length} transitions, ${counted.lambda.invocations} Lambda invocations, ${counted.dynamodb.wru} WRU, ${requests.length} API requests (${(caseMs / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    (signer as { sign: typeof signer.sign }).sign = sign;
    runtime.invoke = invoke;
    recording.stop();
    b.meters.consumedCapacity = false;
  }
  return {
    options,
    prices: PRICES,
    cases,
    notes: [
      'Transitions = *StateEntered events of the execution history (AWS bills every state entered, Map iterations included, plus one per retry; no retries here).',
      'Lambda: 512 MB arm64; duration = time measured here in-process (dev server per request incl. authorizer; each task function), rounded up to 1 ms per invocation. Authorizer invocations: those the dev server made (its results cached per credential for 5 min, as API Gateway’s).',
      'DynamoDB: units reported by DynamoDB Local with ReturnConsumedCapacity=INDEXES, except TransactWriteItems (Local reports 4 per KB of one item, whatever the count): computed per item as AWS bills them, 2 WRU per KB written, 2 RRU per 4 KB checked (bench/lib/item-size.ts) — an estimate, not a bill. GSI writes included.',
      'S3: SDK calls of the product + one presigned PUT per material + one GET per license document downloaded.',
      'Departments decide one after another (as hours apart in production), not in the same millisecond: concurrent last decisions of a stage would each complete it (only one answer counts).',
      'Departments are told, not polled: one push-path worker per department (bench/lib/department-worker.ts) subscribed to task.opened; per task it reads the detail and decides (no inbox reads).',
      'Webhooks: enqueue-webhooks (one invocation per batch of the table stream’s outbox records, locally DynamoDB Local’s stream) and deliver-webhook (one per SQS message) are counted — invocations, their time, their DynamoDB calls — and SQS as the product’s sends plus a ReceiveMessage and a DeleteMessage per delivery (the event source mapping’s); the stream reads are the Lambda service’s, not counted.',
      'Catalog: the portal keeps the guide, form and bundle as their Cache-Control allows (public, max-age=300, as an HTTP cache would: bench/lib/http.ts `cache`): the warm-up case read them, the measured case asks nothing of the catalog.',
      'Materials: the portal declares the set in one call (POST /v1/materials/batch), PUTs each file to its presigned URL and submits — it does not read them back (the submission judges every material still awaiting upload).',
      ...(options.warmUp
        ? [
            'Steady state: each bundle ran one unmeasured case first (cached authorizer results, warm containers), then the one measured.',
          ]
        : []),
      'Excluded: CloudWatch Logs, X-Ray, storage, data transfer, the fixed-rate overdue sweep, free tiers.',
    ],
  };
}

export function costTables(r: CostResult): string {
  const counts = table(
    'Cost drivers per case (one full case per bundle, all services, all departments approve)',
    [
      'bundle',
      'svc/dept',
      'transitions',
      'Lambda inv (http+auth+task+webhook)',
      'Lambda GB-s',
      'DDB RRU',
      'DDB WRU',
      'S3 req',
      'KMS',
      'SQS',
      'API req',
      'storage calls (target ≤ 50)',
    ],
    r.cases.map((c) => [
      c.bundleId,
      `${c.services}/${c.departments}`,
      String(c.sfn.transitions),
      `${c.lambda.invocations} (${c.lambda.http_handlers}+${c.lambda.authorizer}+${c.lambda.tasks}+${c.lambda.webhook_functions ?? 0})`,
      fmt(c.lambda.gb_seconds, 3),
      fmt(c.dynamodb.rru, 1),
      fmt(c.dynamodb.wru, 1),
      String(c.s3.put_class + c.s3.get_class),
      String(c.kms_sign),
      String(c.sqs_requests ?? 0),
      String(c.api_requests.total),
      String(c.storage_calls.total),
    ]),
  );
  const byFunction = r.cases.map((c) => {
    const rows = Object.entries(c.storage_calls.by_function)
      .map(([fn, calls]) => {
        const n = Object.values(calls).reduce((s, v) => s + v, 0);
        const what = Object.entries(calls)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        return { fn, n, what };
      })
      .sort((a, b) => b.n - a.n);
    return table(
      `Storage calls of one ${c.bundleId} case by function (${c.storage_calls.total}; presigned URLs, made locally, not counted: ${c.storage_calls.presigned})`,
      ['function', 'calls', 'what'],
      rows.map((x) => [x.fn, String(x.n), x.what]),
    );
  });
  const money = r.prices.map((p) =>
    table(
      `${p.currency} per 1,000 cases, ${p.region} on-demand list prices (${p.asOf})`,
      [
        'bundle',
        'Step Functions',
        'Lambda',
        'DynamoDB',
        'S3',
        'API Gateway',
        'KMS',
        'SQS',
        'total',
        'dominant',
      ],
      r.cases.map((c) => {
        const u = c.usd_per_1000_cases[p.region]!;
        return [
          c.bundleId,
          fmt(u.step_functions, 3),
          fmt(u.lambda, 3),
          fmt(u.dynamodb, 3),
          fmt(u.s3, 3),
          fmt(u.api_gateway, 3),
          fmt(u.kms, 3),
          fmt(u.sqs ?? 0, 3),
          fmt(u.total, 3),
          c.dominant[p.region]!,
        ];
      }),
    ),
  );
  return [counts, '', ...byFunction, '', ...money, '', ...r.notes.map((n) => `  note: ${n}`)].join('\n');
}
