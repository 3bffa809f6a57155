/**
 * Sustained throughput. For `durationS` seconds, `portals` concurrent portals each loop: upload the
 * required materials of the next fully detailed bundle (all services) and submit the case. One
 * worker per involved department polls its inbox and approves every acceptance and review task of
 * those cases. After the window, submissions stop and the departments keep working until every
 * accepted case has finished (or `drainS` passes). Then everything is reconciled: the 201s, the case
 * items in DynamoDB (per portal, by id), the executions in the local Step Functions runtime (by
 * name = case id), and each case's final status through the API.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BenchStack, Progress } from './lib/env.ts';
import { prepareLoad } from './lib/load-setup.ts';
import {
  bearer,
  caseHeaders,
  freshApplication,
  type InboxTask,
  rememberCase,
  submitHeaders,
} from './lib/portal.ts';
import { fmt, pool, round, type Summary, sleep, summarize, table } from './lib/stats.ts';

export const DETAILED_BUNDLES = [
  'enterprise-opening',
  'newborn',
  'second-hand-housing-transfer',
  'restaurant-opening',
  'after-death',
];

export interface ThroughputOptions {
  durationS: number;
  portals: number;
  /** Longest wait after the window for the accepted cases to finish. */
  drainS: number;
  /** A department worker with nothing to do polls again after this long. */
  pollMs: number;
  bundles: string[];
  /** Longest the reconciliation may take; what it could not check by then is reported, not waited for. */
  reconcileS: number;
}

export const throughputDefaults: ThroughputOptions = {
  durationS: 60,
  portals: 6,
  drainS: 120,
  pollMs: 250,
  bundles: DETAILED_BUNDLES,
  reconcileS: 60,
};

export interface ThroughputResult {
  options: ThroughputOptions;
  departments: number;
  window_s: number;
  submissions: number;
  submissions_per_s: number;
  completed_in_window: number;
  completed_per_s_in_window: number;
  completed_total: number;
  /** From the first submission to the last completion (window + drain). */
  completed_per_s_overall: number;
  drain_s: number;
  api_requests: number;
  api_requests_per_s: number;
  /** Of the window's API requests, the departments' inbox reads. */
  inbox_polls_in_window: number;
  /** Inbox reads per submitted case (target ~0: departments are told by webhook). */
  inbox_polls_per_case: number;
  /** CPU time of this process (client, dev server, handlers, s3rver, Step Functions runtime) ÷ wall time, in the window. */
  node_cpu_percent_in_window: number;
  submit_ms: Summary;
  case_duration_ms: Summary;
  errors: { count: number; samples: string[] };
  reconcile: {
    accepted_201: number;
    distinct_case_ids: number;
    case_items_in_dynamodb: number;
    duplicate_case_items: number;
    case_items_not_accepted: number;
    executions_for_accepted_cases: number;
    cases_with_other_than_one_execution: number;
    executions_without_accepted_case: number;
    executions_by_status: Record<string, number>;
    final_status_by_api: Record<string, number>;
    not_final: number;
    /** Accepted cases whose status could not be read before the reconciliation's deadline. */
    unchecked: number;
    /** What did not reconcile, in words (at most a few case ids each). */
    problems: string[];
    ok: boolean;
  };
}

export async function runThroughput(
  b: BenchStack,
  options: ThroughputOptions,
  progress: Progress,
): Promise<ThroughputResult> {
  const { dynamo } = await import('#adapters/dynamodb/client.ts');
  const { keys } = await import('#adapters/dynamodb/keys.ts');
  const { isFinal } = await import('#core/case/lifecycle.ts');

  const { portals, templates, departments } = await prepareLoad(b.api, {
    portals: options.portals,
    idPrefix: `bench-${randomUUID().slice(0, 6)}`,
    label: 'benchmark portal',
    bundles: options.bundles,
  });

  const accepted = new Map<string, { submittedAt: number; bundleId: string; apiKey: string }>();
  const ended = new Map<string, { status: string; at: number }>();
  const submitMs: number[] = [];
  const errors: string[] = [];
  let errorCount = 0;
  const fail = (where: string, err: unknown) => {
    errorCount++;
    if (errors.length < 10)
      errors.push(`${where}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400));
  };
  let apiRequests = 0;
  let apiInWindow = 0;
  let pollsInWindow = 0;
  let inWindow = true;
  const stopListening = b.onApiRequest((r) => {
    apiRequests++;
    if (!inWindow) return;
    apiInWindow++;
    if (/^\/v1\/departments\/[^/]+\/tasks$/.test(r.path)) pollsInWindow++;
  });
  const onEnded = (e: { name: string; status: string }) =>
    ended.set(e.name, { status: e.status, at: performance.now() });
  b.stack.stepFunctions.on('executionEnded', onEnded);

  // ── portals ─────────────────────────────────────────────────────────────────────────────────────
  const t0 = performance.now();
  const startedAt = Date.now();
  const cpu0 = process.cpuUsage();
  const stopAt = t0 + options.durationS * 1000;
  const portalWorker = async (p: { id: string; apiKey: string }, i: number) => {
    for (let k = i; performance.now() < stopAt; k++) {
      const template = templates[k % templates.length]!;
      try {
        const app = await freshApplication(b.api, p.apiKey, template);
        if (performance.now() >= stopAt) return;
        const r = await b.api.call('POST', '/v1/cases', {
          headers: { ...submitHeaders(p.apiKey, app), 'idempotency-key': randomUUID() },
          body: app,
        });
        if (r.status !== 201)
          throw new Error(`submit → ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
        submitMs.push(r.ms);
        rememberCase(r.body.id as string, app);
        accepted.set(r.body.id as string, {
          submittedAt: performance.now(),
          bundleId: template.bundleId,
          apiKey: p.apiKey,
        });
      } catch (err) {
        fail(`portal ${p.id}`, err);
        await sleep(100);
      }
    }
  };

  // ── departments ─────────────────────────────────────────────────────────────────────────────────
  let departmentsStop = false;
  const decided = new Set<string>();
  const departmentWorker = async (departmentId: string) => {
    const auth = bearer(b.departmentToken(departmentId));
    while (!departmentsStop) {
      let worked = 0;
      try {
        const inbox = await b.api.call(
          'GET',
          `/v1/departments/${departmentId}/tasks?status=pending&limit=100`,
          {
            headers: auth,
          },
        );
        if (inbox.status !== 200) throw new Error(`inbox → ${inbox.status}`);
        for (const t of inbox.body.items as InboxTask[]) {
          // Only this run's cases; a task whose case's 201 has not been read yet waits a poll.
          if (!accepted.has(t.caseId) || decided.has(t.id)) continue;
          decided.add(t.id);
          const r = await b.api.call('POST', `/v1/tasks/${t.id}/decision`, {
            headers: auth,
            body: { outcome: 'approve', opinion: t.kind === 'acceptance' ? '予以受理' : '同意' },
          });
          if (r.status !== 200)
            fail(`decision ${t.id}`, new Error(`→ ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`));
          worked++;
        }
      } catch (err) {
        fail(`department ${departmentId}`, err);
      }
      if (!worked) await sleep(options.pollMs);
    }
  };

  // The push path (issue 14): each department is told of its tasks by webhook and decides them;
  // the inbox is read only by the polling worker below, kept for BENCH_DEPARTMENTS=poll.
  const { startPushWorker } = await import('./lib/department-worker.ts');
  const push = process.env.BENCH_DEPARTMENTS !== 'poll';
  const pushWorkers = push
    ? await Promise.all(
        departments.map((d) =>
          startPushWorker(b.api, d, b.departmentToken(d), async (t) => {
            // Only this run's cases (the 201 may still be on its way: wait for it briefly).
            for (let i = 0; i < 50 && !accepted.has(t.caseId); i++) await sleep(20);
            if (!accepted.has(t.caseId) || decided.has(t.taskId)) return;
            decided.add(t.taskId);
            const r = await b.api.call('POST', `/v1/tasks/${t.taskId}/decision`, {
              headers: bearer(b.departmentToken(d)),
              body: { outcome: 'approve', opinion: t.kind === 'acceptance' ? '予以受理' : '同意' },
            });
            if (r.status !== 200)
              fail(
                `decision ${t.taskId}`,
                new Error(`→ ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`),
              );
          }),
        ),
      )
    : [];

  const ticker = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    const done = [...ended.keys()].filter((id) => accepted.has(id)).length;
    progress(
      `throughput: ${s.toFixed(0)} s, ${accepted.size} submitted, ${done} completed, ${errorCount} errors`,
    );
  }, 10_000);
  const deptRuns = push ? [] : departments.map((d) => departmentWorker(d));
  await Promise.all(portals.map(portalWorker));
  const windowEnd = performance.now();
  const cpu = process.cpuUsage(cpu0);
  inWindow = false;
  const windowS = (windowEnd - t0) / 1000;

  // ── drain ──────────────────────────────────────────────────────────────────────────────────────
  progress(`throughput: window over (${windowS.toFixed(1)} s, ${accepted.size} submitted); draining…`);
  const drainDeadline = performance.now() + options.drainS * 1000;
  while (performance.now() < drainDeadline && [...accepted.keys()].some((id) => !ended.has(id)))
    await sleep(200);
  const drainS = (performance.now() - windowEnd) / 1000;
  departmentsStop = true;
  await Promise.all(deptRuns);
  await Promise.all(pushWorkers.map((w) => w.stop()));
  clearInterval(ticker);
  stopListening();
  b.stack.stepFunctions.off('executionEnded', onEnded);
  await b.meters.idle(50);

  // ── reconcile ──────────────────────────────────────────────────────────────────────────────────
  // Bounded: every read has a deadline, and what could not be read by then is reported as such.
  progress('throughput: reconciling…');
  const reconcileDeadline = performance.now() + options.reconcileS * 1000;
  const remainingMs = () => Math.max(1, Math.ceil(reconcileDeadline - performance.now()));
  const problems: string[] = [];
  const some = (ids: readonly string[]) =>
    `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}`;
  const acceptedIds = new Set(accepted.keys());
  const caseItems: string[] = [];
  try {
    for (const p of portals) {
      let start: Record<string, unknown> | undefined;
      do {
        const r = await dynamo.send(
          new QueryCommand({
            TableName: b.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.portalCases(p.id, '', '').gsi1pk },
            ExclusiveStartKey: start,
          }),
          { abortSignal: AbortSignal.timeout(remainingMs()) },
        );
        for (const item of r.Items ?? []) if (item.type === 'case') caseItems.push(item.caseId as string);
        start = r.LastEvaluatedKey;
      } while (start);
    }
  } catch (err) {
    problems.push(`the case items could not be listed from DynamoDB in time: ${(err as Error).message}`);
  }
  const executions: { name: string; status: string; startDate: Date }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await b.stack.stepFunctions.listExecutions({
      stateMachineArn: b.stack.stateMachineArn,
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
    executions.push(
      ...page.executions.map((e) => ({ name: e.name, status: e.status, startDate: e.startDate })),
    );
    nextToken = page.nextToken;
  } while (nextToken);
  const perCase = new Map<string, number>();
  for (const e of executions)
    if (acceptedIds.has(e.name)) perCase.set(e.name, (perCase.get(e.name) ?? 0) + 1);
  const executionsByStatus: Record<string, number> = {};
  for (const e of executions)
    if (acceptedIds.has(e.name)) executionsByStatus[e.status] = (executionsByStatus[e.status] ?? 0) + 1;
  // Executions started during this run that belong to no accepted case (there should be none).
  const otherExecutions = executions.filter(
    (e) => !acceptedIds.has(e.name) && e.startDate.getTime() >= startedAt,
  );
  const finalStatus: Record<string, number> = {};
  const notFinalIds: string[] = [];
  const unchecked: string[] = [];
  await pool([...accepted], 4, async ([id, { apiKey }]) => {
    if (performance.now() >= reconcileDeadline) {
      unchecked.push(id);
      return;
    }
    let status: string;
    try {
      const r = await b.api.call('GET', `/v1/cases/${id}`, {
        headers: caseHeaders(apiKey, id),
        timeoutMs: remainingMs(),
      });
      status = r.status === 200 ? (r.body.status as string) : `HTTP ${r.status}`;
    } catch {
      unchecked.push(id);
      return;
    }
    finalStatus[status] = (finalStatus[status] ?? 0) + 1;
    if (!isFinal(status as Parameters<typeof isFinal>[0])) notFinalIds.push(`${id} (${status})`);
  });

  const distinct = new Set(caseItems);
  const completedIds = [...acceptedIds].filter((id) => ended.get(id)?.status === 'SUCCEEDED');
  const completedInWindow = completedIds.filter((id) => ended.get(id)!.at <= windowEnd).length;
  const lastEnd = Math.max(t0, ...completedIds.map((id) => ended.get(id)!.at));
  const caseDurations = completedIds.map((id) => ended.get(id)!.at - accepted.get(id)!.submittedAt);
  const notAccepted = [...distinct].filter((id) => !acceptedIds.has(id));
  const notOneExecution = [...acceptedIds].filter((id) => perCase.get(id) !== 1);
  if (errorCount) problems.push(`${errorCount} request(s) failed during the run (see errors)`);
  if (submitMs.length !== acceptedIds.size)
    problems.push(`${submitMs.length} 201 answers for ${acceptedIds.size} distinct case ids`);
  if (caseItems.length !== distinct.size)
    problems.push(`${caseItems.length - distinct.size} duplicate case item(s) in DynamoDB`);
  const missingItems = [...acceptedIds].filter((id) => !distinct.has(id));
  if (missingItems.length && caseItems.length)
    problems.push(`accepted but not in DynamoDB: ${some(missingItems)}`);
  if (notAccepted.length) problems.push(`in DynamoDB but never accepted: ${some(notAccepted)}`);
  if (notOneExecution.length)
    problems.push(
      `not exactly one execution: ${some(notOneExecution.map((id) => `${id} (${perCase.get(id) ?? 0})`))}`,
    );
  if (otherExecutions.length)
    problems.push(`executions of no accepted case: ${some(otherExecutions.map((e) => e.name))}`);
  if (notFinalIds.length) problems.push(`not in a final status: ${some(notFinalIds)}`);
  if (unchecked.length)
    problems.push(`status not read within the ${options.reconcileS} s reconciliation: ${some(unchecked)}`);
  const reconcile = {
    accepted_201: submitMs.length,
    distinct_case_ids: acceptedIds.size,
    case_items_in_dynamodb: caseItems.length,
    duplicate_case_items: caseItems.length - distinct.size,
    case_items_not_accepted: notAccepted.length,
    executions_for_accepted_cases: [...perCase.values()].reduce((sum, n) => sum + n, 0),
    cases_with_other_than_one_execution: notOneExecution.length,
    executions_without_accepted_case: otherExecutions.length,
    executions_by_status: executionsByStatus,
    final_status_by_api: finalStatus,
    not_final: notFinalIds.length,
    unchecked: unchecked.length,
    problems,
    ok: problems.length === 0,
  };
  if (problems.length) progress(`throughput: reconciliation FAILED — ${problems.join('; ')}`);

  return {
    options,
    departments: departments.length,
    window_s: round(windowS, 1),
    submissions: acceptedIds.size,
    submissions_per_s: round(acceptedIds.size / windowS),
    completed_in_window: completedInWindow,
    completed_per_s_in_window: round(completedInWindow / windowS),
    completed_total: completedIds.length,
    completed_per_s_overall: round(completedIds.length / ((lastEnd - t0) / 1000 || 1)),
    drain_s: round(drainS, 1),
    api_requests: apiRequests,
    api_requests_per_s: round(apiInWindow / windowS, 1),
    inbox_polls_in_window: pollsInWindow,
    inbox_polls_per_case: round(pollsInWindow / Math.max(1, acceptedIds.size), 2),
    node_cpu_percent_in_window: round(((cpu.user + cpu.system) / 1000 / (windowEnd - t0)) * 100, 0),
    submit_ms: summarize(submitMs),
    case_duration_ms: summarize(caseDurations),
    errors: { count: errorCount, samples: errors },
    reconcile,
  };
}

export function throughputTables(r: ThroughputResult): string {
  const o = r.options;
  const main = table(
    `Throughput: ${o.portals} portals × ${o.durationS} s, ${r.departments} department workers approving everything; bundles: ${o.bundles.join(', ')} (all services)`,
    ['measure', 'value'],
    [
      ['submissions (201)', String(r.submissions)],
      ['submissions/s', fmt(r.submissions_per_s, 2)],
      ['completed cases in the window', String(r.completed_in_window)],
      ['completed cases/s in the window', fmt(r.completed_per_s_in_window, 2)],
      ['completed cases in total (after drain)', String(r.completed_total)],
      ['completed cases/s, first submit → last completion', fmt(r.completed_per_s_overall, 2)],
      ['drain time after the window, s', fmt(r.drain_s, 1)],
      ['API requests (all), per s in the window', `${r.api_requests}, ${fmt(r.api_requests_per_s, 1)}/s`],
      ['of which inbox polls in the window', String(r.inbox_polls_in_window)],
      ['inbox polls per case (departments told by webhook)', fmt(r.inbox_polls_per_case, 2)],
      ['Node process CPU in the window (100 % = one core)', `${r.node_cpu_percent_in_window} %`],
      ['POST /v1/cases under load p50 / p95, ms', `${fmt(r.submit_ms.p50)} / ${fmt(r.submit_ms.p95)}`],
      [
        'submit → issued p50 / p95, ms',
        `${fmt(r.case_duration_ms.p50, 0)} / ${fmt(r.case_duration_ms.p95, 0)}`,
      ],
      ['errors', String(r.errors.count)],
    ],
  );
  const c = r.reconcile;
  const rec = table(
    `Reconciliation: ${c.ok ? 'OK' : 'FAILED'}`,
    ['check', 'value'],
    [
      ['201 responses / distinct case ids', `${c.accepted_201} / ${c.distinct_case_ids}`],
      [
        'case items in DynamoDB (per portal, GSI) / duplicates / unknown',
        `${c.case_items_in_dynamodb} / ${c.duplicate_case_items} / ${c.case_items_not_accepted}`,
      ],
      [
        'executions for accepted cases / cases without exactly one',
        `${c.executions_for_accepted_cases} / ${c.cases_with_other_than_one_execution}`,
      ],
      ['executions with no accepted case', String(c.executions_without_accepted_case)],
      ['executions by status', JSON.stringify(c.executions_by_status)],
      ['final status through the API', JSON.stringify(c.final_status_by_api)],
      ['cases not in a final status', String(c.not_final)],
      ['cases whose status could not be read in time', String(c.unchecked)],
    ],
  );
  const errs = r.errors.samples.map((e) => `  error: ${e}`);
  const unreconciled = c.problems.map((p) => `  not reconciled: ${p}`);
  return [main, '', rec, ...unreconciled, ...errs].join('\n');
}
