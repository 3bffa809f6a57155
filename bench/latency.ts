/**
 * Latency vs necessary storage round trips. Each API operation is measured through HTTP (client →
 * dev server → authorizer → handler → emulators) beside "raw": the storage round trips that
 * operation cannot avoid, made with the product's own SDK clients against the same emulators, in
 * the same run, alternating op and raw (op first on even iterations, raw first on odd ones) and
 * letting the background work each one sets off (the next state machine step) finish in between.
 *
 * What raw includes is spelled out per operation in RAW_DESCRIPTIONS; it never includes HTTP, JSON,
 * zod or middy — exactly the overhead the ratio op/raw exposes.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { BenchStack, Progress } from './lib/env.ts';
import { type CallRecord, describeCalls } from './lib/meters.ts';
import {
  type ApplicationTemplate,
  applicationFrom,
  applicationTemplate,
  bearer,
  caseHeaders,
  rememberCase,
  submitHeaders,
  uploadMaterial,
} from './lib/portal.ts';
import { fmt, pool, round, type Summary, summarize, table } from './lib/stats.ts';

export interface LatencyOptions {
  /** Measured calls per operation (and as many raw measurements). */
  n: number;
  /** Unrecorded alternating iterations first (JIT, DynamoDB Local's JVM, connection pools). */
  warmup: number;
  bundleId: string;
  services?: string[];
}

export const latencyDefaults: LatencyOptions = {
  n: 300,
  warmup: 30,
  bundleId: 'enterprise-opening',
  services: ['enterprise-establishment-registration'],
};

export interface OperationLatency {
  operation: string;
  op: Summary;
  raw: Summary;
  ratio: { p50: number; p95: number; p99: number };
  /** What the raw measurement does, in words. */
  raw_includes: string;
  /** The SDK calls one op made (handler + authorizer), observed on the product's clients. */
  observed_calls: string;
  /** The SDK calls the raw measurement makes. */
  raw_calls: string;
  /** Items per TransactWriteItems: of the observed op, and of raw. */
  transaction_items: { op: number[]; raw: number[] };
  meets_target: boolean;
}

export interface LatencyResult {
  options: LatencyOptions;
  target_ratio: number;
  operations: OperationLatency[];
  notes: string[];
}

export const TARGET_RATIO = 1.5;

const RAW_DESCRIPTIONS = {
  submit:
    'authorizer GetItem (API key) + BatchGetItem of the materials (consistent) + HeadObject of each material, all at once (the re-check issue 10 requires: its bytes are still the verified ones) + ONE TransactWriteItems holding every item the op writes in its transactions (case, timeline, audit, outbox event, each material attached; captured from a real submission and re-keyed) + StartExecution (local Step Functions endpoint, over HTTP). Until 2026-12-03 raw had a GetItem of the case (the op no longer reads it: its transaction refuses a taken id) instead of the HEADs',
  getCase: 'authorizer GetItem (API key) + one Query of the case partition (consistent), same case',
  form: 'GET /v1/bundles/{unknown id} through the same dev server: a handler that only looks the catalog up and answers 404 (same entry point, no storage); the form needs no storage (catalog in memory). Not /v1/health: it checks the table and the bucket',
  decision:
    "authorizer GetItem (revoked-token check) + what the decision reads and writes, captured from a real decision and re-keyed: the Query of the case with its tasks and the ONE transaction that records the decision with the acceptance (task decided, case accepted, timelines, audits, outbox — and, the wait of the acceptance carrying on, the first stage's tasks under its token) + the task's token and SendTaskSuccess (local Step Functions endpoint) only when the decision sent one (a wait that carries on sends nothing at acceptance). Until 2026-12-03 the decision was written apart first: raw had a GetItem of the task and a transaction of its own",
} as const;

interface Ctx {
  b: BenchStack;
  progress: Progress;
  portalId: string;
  apiKey: string;
}

// ─── helpers ──────────────────────────────────────────────────────────────────────────────────────

async function alternate(
  ctx: Ctx,
  label: string,
  total: number,
  warmup: number,
  op: (i: number) => Promise<number>,
  raw: (i: number) => Promise<number>,
): Promise<{ op: number[]; raw: number[] }> {
  const out = { op: [] as number[], raw: [] as number[] };
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const order = i % 2 === 0 ? (['op', 'raw'] as const) : (['raw', 'op'] as const);
    for (const which of order) {
      await ctx.b.meters.idle(10);
      const ms = which === 'op' ? await op(i) : await raw(i);
      if (i >= warmup) out[which].push(ms);
    }
    if ((i + 1) % 100 === 0 || i + 1 === total)
      ctx.progress(
        `latency ${label}: ${i + 1}/${total} pairs (${warmup} warm-up) ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
  }
  return out;
}

function result(
  operation: string,
  times: { op: number[]; raw: number[] },
  rawIncludes: string,
  observed: CallRecord[],
  rawCalls: string,
  rawTransactions: number[] = [],
): OperationLatency {
  const op = summarize(times.op);
  const raw = summarize(times.raw);
  const ratio = { p50: op.p50 / raw.p50, p95: op.p95 / raw.p95, p99: op.p99 / raw.p99 };
  return {
    operation,
    op,
    raw,
    ratio: { p50: round(ratio.p50), p95: round(ratio.p95), p99: round(ratio.p99) },
    raw_includes: rawIncludes,
    observed_calls: describeCalls(observed),
    raw_calls: rawCalls,
    transaction_items: {
      op: observed
        .filter((c) => c.command === 'TransactWriteItems')
        .map((c) => ((c.input?.TransactItems ?? []) as unknown[]).length),
      raw: rawTransactions,
    },
    meets_target: ratio.p50 <= TARGET_RATIO,
  };
}

/** One op with a stack trace per SDK call: the calls made by its handler and the authorizer. */
async function observe(ctx: Ctx, handlerFile: string, fn: () => Promise<unknown>): Promise<CallRecord[]> {
  await ctx.b.meters.idle(20);
  ctx.b.meters.attribute = true;
  ctx.b.meters.capture = true;
  try {
    const { calls } = await ctx.b.meters.collect(fn);
    return calls.filter((c) => c.origin === handlerFile || c.origin === 'authorize-caller.authorizer.ts');
  } finally {
    ctx.b.meters.attribute = false;
    ctx.b.meters.capture = false;
    await ctx.b.meters.idle(20);
  }
}

const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// ─── the benchmark ────────────────────────────────────────────────────────────────────────────────

export async function runLatency(
  b: BenchStack,
  options: LatencyOptions,
  progress: Progress,
): Promise<LatencyResult> {
  const { keys } = await import('#adapters/dynamodb/keys.ts');
  const { hashApiKey } = await import('#adapters/dynamodb/credential-store.ts');
  const { dynamo } = await import('#adapters/dynamodb/client.ts');
  const { sfn } = await import('#adapters/sfn/workflow.ts');
  const { s3, bucket } = await import('#adapters/s3/client.ts');
  const { HeadObjectCommand } = await import('#adapters/aws/s3.ts');
  const { StartExecutionCommand, SendTaskSuccessCommand } = await import('@aws-sdk/client-sfn');
  const { caseIdFor } = await import('#core/case/model.ts');
  const { ACCEPTANCE_DAYS, secondsUntil } = await import('#core/flow/plan.ts');
  const { addWorkingDays } = await import('#core/time/working-days.ts');
  const { verifyDepartmentToken } = await import('#core/credentials/tokens.ts');

  const T = b.tableName;
  const portal = b.creds.portals[0]!;
  const ctx: Ctx = { b, progress, portalId: portal.id, apiKey: portal.apiKey };
  const total = options.warmup + options.n;
  const apiKeyHash = hashApiKey(portal.apiKey);
  const authPortal = () => dynamo.send(new GetCommand({ TableName: T, Key: keys.apiKey(apiKeyHash) }));

  // Prepare: 2 × total + 2 complete applications, each with its own freshly uploaded, verified
  // materials (one for the submission whose items become raw's templates, one for the probe).
  const template: ApplicationTemplate = await applicationTemplate(b.api, options.bundleId, options.services);
  const prepStarted = performance.now();
  let prepared = 0;
  const apps = await pool(Array.from({ length: 2 * total + 2 }), 4, async () => {
    const materials = [];
    for (const type of template.materialTypes)
      materials.push({
        type,
        materialId: await uploadMaterial(b.api, portal.apiKey, template.bundleId, type),
      });
    if (++prepared % 100 === 0) progress(`latency: prepared ${prepared}/${2 * total + 2} applications`);
    return applicationFrom(template, materials);
  });
  progress(
    `latency: ${apps.length} applications (${template.materialTypes.length} materials each) ready in ${((performance.now() - prepStarted) / 1000).toFixed(0)} s`,
  );
  const [templateApp, probeApp] = apps as [(typeof apps)[number], (typeof apps)[number]];
  const opApps = apps.slice(2, 2 + total);
  const rawApps = apps.slice(2 + total);

  // ── 1. POST /v1/cases ──────────────────────────────────────────────────────────────────────────
  const submitOp = async (app: unknown) => {
    const r = await b.api.call('POST', '/v1/cases', {
      headers: { ...submitHeaders(portal.apiKey, app), 'idempotency-key': randomUUID() },
      body: app,
    });
    if (r.status !== 201) throw new Error(`submit → ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    rememberCase(r.body.id as string, app);
    return r;
  };
  // Raw writes exactly what one real submission wrote in its transactions (same items, same sizes),
  // re-keyed per raw case — but in ONE TransactWriteItems, the necessary round trip.
  const templateRun = await observe(ctx, 'submit-case.handler.ts', () => submitOp(templateApp));
  // The case id is random: read it from the case item the submission's transaction put (its pk).
  const templateCaseId = /"pk":(?:\{"S":)?"CASE#(c-[0-9a-z]+)"/.exec(
    JSON.stringify(
      templateRun
        .filter((c) => c.command === 'TransactWriteItems' && c.origin === 'submit-case.handler.ts')
        .map((c) => c.input),
    ),
  )?.[1];
  if (!templateCaseId)
    throw new Error(
      `could not see the submission write its case (saw ${templateRun.map((c) => `${c.command}@${c.origin}`).join(', ')})`,
    );
  const templateTransactions = templateRun
    .filter((c) => c.command === 'TransactWriteItems' && c.origin === 'submit-case.handler.ts')
    .map((c) => (c.input?.TransactItems ?? []) as Record<string, unknown>[]);
  const templateItems = templateTransactions.flat();
  const templateMaterialIds = templateApp.materials.map((m) => m.materialId);
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const rekey = <I>(item: I, caseId: string, materialIds: string[]): I => {
    let text = JSON.stringify(item).replaceAll(templateCaseId, caseId);
    templateMaterialIds.forEach((id, i) => {
      text = text.replaceAll(id, materialIds[i]!);
    });
    // Each raw case has its own Idempotency-Key record (the template's is keyed: replace the hash).
    text = text.replace(/IDEMPOTENCY#[0-9a-f]{64}/g, () => `IDEMPOTENCY#${randomUUID().replaceAll('-', '')}`);
    // Event ids (outbox) must stay unique, as each real submission's are.
    const fresh = new Map<string, string>();
    text = text.replace(UUID, (u) => fresh.get(u) ?? fresh.set(u, randomUUID()).get(u)!);
    return JSON.parse(text) as I;
  };
  const rawCaseIds: string[] = [];
  const submitRaw = async (i: number) => {
    const app = rawApps[i]!;
    const caseId = caseIdFor(portal.id, randomUUID());
    const materialIds = app.materials.map((m) => m.materialId);
    const transactItems = rekey(templateItems, caseId, materialIds);
    const now = new Date();
    const input = JSON.stringify({
      caseId,
      round: 0,
      timeoutSeconds: secondsUntil(addWorkingDays(now, ACCEPTANCE_DAYS), now),
    });
    rawCaseIds.push(caseId);
    return timed(async () => {
      await authPortal();
      const got = await dynamo.send(
        new BatchGetCommand({
          RequestItems: { [T]: { Keys: materialIds.map((id) => keys.material(id)), ConsistentRead: true } },
        }),
      );
      await Promise.all(
        (got.Responses?.[T] ?? []).map((m) =>
          s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: m.s3Key as string })),
        ),
      );
      // biome-ignore lint/suspicious/noExplicitAny: replayed items, as captured from the product's call
      await dynamo.send(new TransactWriteCommand({ TransactItems: transactItems as any }));
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: b.stack.stateMachineArn, name: caseId, input }),
      );
    });
  };
  const opCaseIds: string[] = [templateCaseId];
  const submitCalls = await observe(ctx, 'submit-case.handler.ts', async () => {
    const r = await submitOp(probeApp);
    opCaseIds.push(r.body.id as string);
  });

  const submitTimes = await alternate(
    ctx,
    'POST /v1/cases',
    total,
    options.warmup,
    async (i) => {
      const r = await submitOp(opApps[i]);
      opCaseIds.push(r.body.id as string);
      return r.ms;
    },
    submitRaw,
  );

  // ── 2. GET /v1/cases/{id} ─────────────────────────────────────────────────────────────────────
  const allCases = [...opCaseIds, ...rawCaseIds];
  const getCaseIds = Array.from({ length: total }, (_, i) => allCases[i % allCases.length]!);
  const getObserved = await observe(ctx, 'get-case.handler.ts', () =>
    b.api.call('GET', `/v1/cases/${getCaseIds[0]}`, { headers: caseHeaders(portal.apiKey, getCaseIds[0]!) }),
  );
  const getTimes = await alternate(
    ctx,
    'GET /v1/cases/{id}',
    total,
    options.warmup,
    async (i) => {
      const r = await b.api.call('GET', `/v1/cases/${getCaseIds[i]}`, {
        headers: caseHeaders(portal.apiKey, getCaseIds[i]!),
      });
      if (r.status !== 200) throw new Error(`get case → ${r.status}`);
      return r.ms;
    },
    (i) =>
      timed(async () => {
        await authPortal();
        let start: Record<string, unknown> | undefined;
        do {
          const r = await dynamo.send(
            new QueryCommand({
              TableName: T,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.casePk(getCaseIds[i]!) },
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
          );
          start = r.LastEvaluatedKey;
        } while (start);
      }),
  );

  // ── 3. GET /v1/bundles/{id}/form ──────────────────────────────────────────────────────────────
  const formPath = `/v1/bundles/${options.bundleId}/form`;
  const formObserved = await observe(ctx, 'get-form.handler.ts', () => b.api.call('GET', formPath));
  const formTimes = await alternate(
    ctx,
    'GET /v1/bundles/{id}/form',
    total,
    options.warmup,
    async () => {
      const r = await b.api.call('GET', formPath);
      if (r.status !== 200) throw new Error(`form → ${r.status}`);
      return r.ms;
    },
    async () => {
      const r = await b.api.call('GET', '/v1/bundles/no-such-bundle');
      if (r.status !== 404) throw new Error(`unknown bundle → ${r.status}`);
      return r.ms;
    },
  );

  // ── 4. POST /v1/tasks/{id}/decision ───────────────────────────────────────────────────────────
  const { catalog } = await import('#adapters/catalog/file-catalog.ts');
  const lead = catalog().bundle(options.bundleId).leadDepartmentId;
  const token = b.departmentToken(lead);
  const jti = (await verifyDepartmentToken(b.stack.env.TOKEN_SECRET!, token, b.stack.city))!.jti;
  await b.meters.idle(50);
  const acceptanceTaskOf = async (caseId: string): Promise<string> => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const r = await dynamo.send(
        new QueryCommand({
          TableName: T,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
          ExpressionAttributeValues: { ':pk': keys.casePk(caseId), ':task': 'TASK#' },
          ConsistentRead: true,
        }),
      );
      const task = (r.Items ?? []).find((t) => t.kind === 'acceptance' && t.status === 'pending');
      if (task) return task.taskId as string;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`no pending acceptance task for ${caseId}`);
  };
  // One pending acceptance task per case; op and raw alternate over disjoint halves.
  const tasks = await pool(allCases, 4, acceptanceTaskOf);
  if (tasks.length < 2 * total + 1)
    throw new Error(`only ${tasks.length} tasks for ${2 * total + 1} decisions`);
  const decide = (taskId: string) =>
    b.api.call('POST', `/v1/tasks/${taskId}/decision`, {
      headers: bearer(token),
      body: { outcome: 'approve', opinion: '材料齐全，予以受理' },
    });
  const decisionObserved = await observe(ctx, 'decide-task.handler.ts', () => decide(tasks[2 * total]!));
  // The acceptance's decision is written with the acceptance (core/flow/decide-task.ts
  // acceptWithDecision): its read of the case with its tasks and its one transaction — the task
  // decided, the case accepted, timelines, audits, outbox, the first stage's tasks — are replayed
  // in raw, re-keyed to raw's case.
  const observedCaseId = tasks[2 * total]!.split('.')[0]!;
  const recording = decisionObserved.filter(
    (c) => c.command === 'Query' || c.command === 'TransactWriteItems',
  );
  const decisionSends = decisionObserved.some((c) => c.command === 'SendTaskSuccess');
  const replayFor = (caseId: string) =>
    recording.map((c) => {
      const fresh = new Map<string, string>();
      const text = JSON.stringify(c.input)
        .replaceAll(observedCaseId, caseId)
        .replace(UUID, (u) => fresh.get(u) ?? fresh.set(u, randomUUID()).get(u)!);
      // biome-ignore lint/suspicious/noExplicitAny: replayed inputs, as captured from the product's calls
      const input = JSON.parse(text) as any;
      return c.command === 'Query' ? new QueryCommand(input) : new TransactWriteCommand(input);
    });
  const decisionTimes = await alternate(
    ctx,
    'POST /v1/tasks/{id}/decision',
    total,
    options.warmup,
    async (i) => {
      const r = await decide(tasks[i]!);
      if (r.status !== 200)
        throw new Error(`decision → ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.ms;
    },
    async (i) => {
      const taskId = tasks[total + i]!;
      const caseId = taskId.split('.')[0]!;
      const replay = replayFor(caseId);
      return timed(async () => {
        await dynamo.send(new GetCommand({ TableName: T, Key: keys.revokedToken(jti) }));
        // biome-ignore lint/suspicious/noExplicitAny: replayed commands
        for (const command of replay) await dynamo.send(command as any);
        // A wait that carries on (core/flow/steps.ts answerWait) opened the first stage under its
        // token — in the replay above — and sent nothing: raw sends only what the op sent.
        if (decisionSends) {
          const task = await dynamo.send(
            new GetCommand({ TableName: T, Key: keys.task(caseId, taskId), ConsistentRead: true }),
          );
          await sfn.send(
            new SendTaskSuccessCommand({
              taskToken: task.Item!.taskToken as string,
              output: JSON.stringify({ outcome: 'approve' }),
            }),
          );
        }
      });
    },
  );

  const operations = [
    result(
      'POST /v1/cases',
      submitTimes,
      RAW_DESCRIPTIONS.submit,
      submitCalls,
      `GetItem, BatchGetItem, HeadObject ×${templateMaterialIds.length}, TransactWriteItems, StartExecution`,
      [templateItems.length],
    ),
    result('GET /v1/cases/{id}', getTimes, RAW_DESCRIPTIONS.getCase, getObserved, 'GetItem, Query'),
    result('GET /v1/bundles/{id}/form', formTimes, RAW_DESCRIPTIONS.form, formObserved, '(none: HTTP only)'),
    result(
      'POST /v1/tasks/{id}/decision',
      decisionTimes,
      RAW_DESCRIPTIONS.decision,
      decisionObserved,
      [
        'GetItem',
        ...recording.map((c) => c.command),
        ...(decisionSends ? ['GetItem', 'SendTaskSuccess'] : []),
      ].join(', '),
      recording
        .filter((c) => c.command === 'TransactWriteItems')
        .map((c) => ((c.input?.TransactItems ?? []) as unknown[]).length),
    ),
  ];
  return {
    options,
    target_ratio: TARGET_RATIO,
    operations,
    notes: [
      `Submissions: ${options.bundleId}${options.services ? ` (${options.services.join(', ')})` : ''}, ${template.materialTypes.length} verified materials each, uploaded beforehand (not timed).`,
      'op = client-side time of one HTTP request (fetch, keep-alive) through the dev server, which runs the authorizer on every request (API Gateway caches it 5 min per credential).',
      "raw = the same storage calls made directly with the product's SDK clients, timed in-process; op and raw alternate, and each waits until the background work of the previous one (state machine steps) is done.",
      'The client, the dev server, the handlers, s3rver and the Step Functions runtime share one Node process; DynamoDB Local is a Java process: 2 cores for all.',
    ],
  };
}

export function latencyTables(r: LatencyResult): string {
  const rows = r.operations.map((o) => [
    o.operation,
    fmt(o.op.p50),
    fmt(o.op.p95),
    fmt(o.op.p99),
    fmt(o.raw.p50),
    fmt(o.raw.p95),
    fmt(o.raw.p99),
    `${fmt(o.ratio.p50, 2)}×`,
    `${fmt(o.ratio.p95, 2)}×`,
    `${fmt(o.ratio.p99, 2)}×`,
    o.meets_target ? 'met' : 'MISSED',
  ]);
  const main = table(
    `Latency, ms (n = ${r.options.n} each, after ${r.options.warmup} warm-up pairs); target op/raw p50 ≤ ${r.target_ratio}×`,
    ['operation', 'op p50', 'p95', 'p99', 'raw p50', 'p95', 'p99', 'op/raw p50', 'p95', 'p99', 'target'],
    rows,
  );
  const calls = table(
    'What raw is, and the calls one op actually made (observed on the SDK clients)',
    ['operation', 'raw = ', 'observed calls of one op (authorizer + handler)', 'tx items op / raw'],
    r.operations.map((o) => [
      o.operation,
      o.raw_calls,
      o.observed_calls || '(none)',
      o.transaction_items.op.length || o.transaction_items.raw.length
        ? `${o.transaction_items.op.join('+') || '–'} / ${o.transaction_items.raw.join('+') || '–'}`
        : '',
    ]),
  );
  const words = r.operations.map((o) => `  ${o.operation}: raw = ${o.raw_includes}`).join('\n');
  return [main, '', calls, '', words, '', ...r.notes.map((n) => `  note: ${n}`)].join('\n');
}
