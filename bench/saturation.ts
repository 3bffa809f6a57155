/**
 * Saturation (issue 14). The stack runs in this process (as `npm start`: dev server, handlers,
 * s3rver, the Step Functions runtime; DynamoDB Local's Java beside it); the LOAD runs in
 * `loadProcesses` forked processes of its own (bench/lib/load-process.ts): portals submitting cases
 * of the five detailed bundles (uploading their materials) and one push-path department worker per
 * department, all over HTTP. After a warm-up (`warmupS` at the first step's portals, not measured),
 * concurrency is ramped (`steps` portals, `stepS` seconds each) until completed cases/s gains less
 * than `gain` over the step before; that step before is the knee.
 *
 * Per step: completed cases/s (executions ending SUCCEEDED inside the step's window, whichever step
 * submitted them), p50/p95 submit → issued of the cases submitted in the step, errors, CPU of each
 * process (this one by process.cpuUsage, DynamoDB Local by /proc/<pid>/stat, each load process by
 * its own process.cpuUsage; DynamoDB Local's also by JVM thread, lib/jvm-threads.ts), storage calls
 * (lib/meters.ts) per completed case. Then a drain and a
 * reconciliation: every 201 reached `issued` (by its execution and through the API), or it is listed.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { streamPollerCalls } from '../local/stream-poller.ts';
import type { BenchStack, Progress } from './lib/env.ts';
import { addJvmThreadCpu, type JvmThreadCpu, jvmThreadCpu, jvmThreadCpuSince } from './lib/jvm-threads.ts';
import type { FromLoad, LoadErrors, ToLoad } from './lib/load-process.ts';
import { prepareLoad } from './lib/load-setup.ts';
import { bearer, portalHeaders } from './lib/portal.ts';
import { fmt, pool, round, type Summary, sleep, summarize, table } from './lib/stats.ts';
import { DETAILED_BUNDLES } from './throughput.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface SaturationOptions {
  /** Portals (concurrent submitters) per step, ascending. */
  steps: number[];
  stepS: number;
  /**
   * Seconds of load at the first step's portals before the ramp, not measured (its cases are
   * reconciled): DynamoDB Local's JVM spends most of its first minute compiling (its JIT threads), the
   * stack's V8 too; AWS has no such warm-up. 0 = none.
   */
  warmupS: number;
  /** Forked load processes; portals and departments are dealt out among them round robin. */
  loadProcesses: number;
  /** The ramp stops at the first step whose completed cases/s gains less than this over the step before. */
  gain: number;
  /** Longest wait after the last step for the accepted cases to finish. */
  drainS: number;
  /** Longest the status reads of the reconciliation may take. */
  reconcileS: number;
  bundles: string[];
}

export const saturationDefaults: SaturationOptions = {
  steps: [2, 4, 8, 16, 32],
  stepS: 20,
  warmupS: 30,
  loadProcesses: 2,
  gain: 0.1,
  drainS: 120,
  reconcileS: 60,
  bundles: DETAILED_BUNDLES,
};

export interface ProcessCpu {
  /** stack (this process: dev server, handlers, s3rver, Step Functions runtime), dynamodb-local, load-<i>. */
  process: string;
  pid: number;
  /** CPU time ÷ wall time of the step; 100 % = one core. */
  percent: number;
}

export interface SaturationStep {
  portals: number;
  window_s: number;
  submitted: number;
  completed: number;
  completed_per_s: number;
  /** Gain of completed_per_s over the step before (undefined for the first). */
  gain?: number;
  submit_ms: Summary;
  /** Of the cases submitted in this step (completed at any time before the drain ended). */
  submit_to_issued_ms: Summary;
  errors: number;
  cpu: ProcessCpu[];
  storage_calls: { dynamodb: number; s3: number; sfn: number };
  storage_calls_per_case: number;
  dynamodb_calls_per_case: number;
  /** CPU each process spent per completed case in this step, ms (its CPU time ÷ completed cases). */
  cpu_ms_per_case: Record<string, number>;
  /** DynamoDB Local's CPU per DynamoDB call of the step, ms. */
  dynamodb_local_ms_per_call: number;
  /**
   * DynamoDB Local's CPU per completed case by JVM thread (lib/jvm-threads.ts), ms; absent where
   * /proc cannot tell. Its `sqlite queue` is one thread: DynamoDB Local completes at most
   * 1000 ÷ that many cases a second, whatever the cores.
   */
  dynamodb_local_threads_ms_per_case?: JvmThreadCpu;
  /**
   * The local stream poller's own calls of DynamoDB Local per completed case (GetRecords and the
   * few describes: in AWS the Lambda service's, not the table's), and the records one GetRecords
   * brought on average. DynamoDB Local serves them too: its CPU per case includes them.
   */
  stream_poller_calls_per_case?: number;
  stream_records_per_get?: number;
}

export interface SaturationResult {
  options: SaturationOptions;
  departments: number;
  cores: number;
  steps: SaturationStep[];
  /** Index into steps: the last step whose completed cases/s still rose by ≥ gain (or the best step). */
  knee: number;
  knee_portals: number;
  knee_completed_per_s: number;
  /** The ramp stopped because completed cases/s stopped rising (else: the steps ran out). */
  saturated: boolean;
  /**
   * Storage calls of the whole run (every step and the drain) ÷ the cases issued: exact per case
   * once everything has drained, where a step's figure is skewed by the cases still in flight.
   */
  storage_calls_per_issued_case: { all: number; dynamodb: number; s3: number; sfn: number };
  /** The process with the highest CPU at the knee (100 % = one core). */
  busiest_at_knee: ProcessCpu | undefined;
  /**
   * What the machine could do at best with the CPU one case costs at the knee: every core busy,
   * nothing idle — `cores` × 1000 ÷ the CPU ms per case of all processes together.
   */
  ceiling_at_knee?: { cpu_ms_per_case: number; completed_per_s_on_all_cores: number };
  drain_s: number;
  errors: { count: number; samples: string[] };
  webhook_deliveries_refused: number;
  reconcile: {
    accepted_201: number;
    issued_by_execution: number;
    issued_by_api: number;
    /** Accepted cases that had not reached issued (execution or API) by the end of the drain. */
    not_issued: string[];
    unchecked: number;
    problems: string[];
    ok: boolean;
  };
}

/** A process's parent pid and utime + stime in ms, from /proc/<pid>/stat (Linux); undefined once gone. */
function procStat(pid: number, tickMs: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * tickMs };
  } catch {
    return undefined;
  }
}

/**
 * CPU ms of `pid` and all its descendants (the stack's pid for DynamoDB Local is the shell that
 * runs `java`: the JVM is its child), with the pids seen.
 */
function treeCpuMs(pid: number, tickMs: number): { cpuMs: number; pids: number[] } | undefined {
  const all = new Map<number, { ppid: number; cpuMs: number }>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const st = procStat(Number(name), tickMs);
      if (st) all.set(Number(name), st);
    }
  } catch {
    return undefined;
  }
  if (!all.has(pid)) return undefined;
  const pids = [pid];
  for (let i = 0; i < pids.length; i++)
    for (const [p, st] of all) if (st.ppid === pids[i] && !pids.includes(p)) pids.push(p);
  return { cpuMs: pids.reduce((sum, p) => sum + all.get(p)!.cpuMs, 0), pids };
}

function clockTickMs(): number {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
}

interface LoadChild {
  index: number;
  proc: ChildProcess;
  next(type: FromLoad['type']): Promise<FromLoad>;
}

function forkLoad(
  index: number,
  onAccepted: (m: Extract<FromLoad, { type: 'accepted' }>, from: number) => void,
) {
  const proc = fork(join(here, 'lib', 'load-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, { resolve: (m: FromLoad) => void; reject: (e: Error) => void }>();
  const early = new Map<string, FromLoad>();
  proc.on('message', (m: FromLoad) => {
    if (m.type === 'accepted') return onAccepted(m, index);
    const w = waiting.get(m.type);
    if (w) {
      waiting.delete(m.type);
      w.resolve(m);
    } else early.set(m.type, m);
  });
  proc.on('exit', (code, signal) => {
    for (const w of waiting.values())
      w.reject(new Error(`load process ${index} exited with ${signal ?? code}`));
    waiting.clear();
  });
  const child: LoadChild = {
    index,
    proc,
    next(type) {
      const got = early.get(type);
      if (got) {
        early.delete(type);
        return Promise.resolve(got);
      }
      return new Promise((resolve, reject) => waiting.set(type, { resolve, reject }));
    },
  };
  return child;
}

export async function runSaturation(
  b: BenchStack,
  options: SaturationOptions,
  progress: Progress,
): Promise<SaturationResult> {
  const tickMs = clockTickMs();
  const steps = [...options.steps].sort((x, y) => x - y);
  const maxPortals = steps[steps.length - 1] ?? 1;
  const nLoad = Math.max(1, Math.min(options.loadProcesses, maxPortals));
  /** Of a step's n portals, how many load process `index` runs (portal k → process k mod nLoad). */
  const portalsOf = (n: number, index: number) =>
    Array.from({ length: n }, (_, k) => k).filter((k) => k % nLoad === index).length;

  // Portals of their own, dealt out among the load processes (portal i → process i mod n).
  const { portals, templates, departments } = await prepareLoad(b.api, {
    portals: maxPortals,
    idPrefix: `bench-sat-${Math.random().toString(36).slice(2, 8)}`,
    label: 'saturation portal',
    bundles: options.bundles,
  });

  // ── what the stack sees ──────────────────────────────────────────────────────────────────────────
  const accepted = new Map<
    string,
    { step: number; submittedAt: number; portalIndex: number; applicantKind: string; submitMs: number }
  >();
  const ended = new Map<string, { status: string; at: number }>();
  const onEnded = (e: { name: string; status: string }) =>
    ended.set(e.name, { status: e.status, at: Date.now() });
  b.stack.stepFunctions.on('executionEnded', onEnded);
  let storage = { dynamodb: 0, s3: 0, sfn: 0 };
  const whole = { dynamodb: 0, s3: 0, sfn: 0 };
  const stopMeter = b.meters.subscribe((r) => {
    if (r.presigned) return; // made locally, not a round trip
    storage[r.service]++;
    whole[r.service]++;
  });

  const children: LoadChild[] = [];
  const onAccepted = (m: Extract<FromLoad, { type: 'accepted' }>, from: number) => {
    accepted.set(m.caseId, {
      step: m.step,
      submittedAt: m.submittedAt,
      portalIndex: m.portalIndex * nLoad + from,
      applicantKind: m.applicantKind,
      submitMs: m.submitMs,
    });
    // The department worker deciding this case's tasks may live in another load process.
    for (const c of children)
      if (c.index !== from && c.proc.connected)
        c.proc.send({ type: 'known', caseId: m.caseId } satisfies ToLoad);
  };
  const errorSamples: string[] = [];
  let errorCount = 0;
  const addErrors = (e: LoadErrors) => {
    errorCount += e.count;
    for (const s of e.samples) if (errorSamples.length < 10) errorSamples.push(s);
  };

  const result: SaturationStep[] = [];
  let saturated = false;
  let refused = 0;
  let drainS = 0;
  try {
    for (let i = 0; i < nLoad; i++) children.push(forkLoad(i, onAccepted));
    await Promise.all(
      children.map((c) => {
        const ready = c.next('ready');
        c.proc.send({
          type: 'init',
          baseUrl: b.stack.baseUrl,
          applicants: b.creds.applicants,
          portals: portals.filter((_, k) => k % nLoad === c.index),
          departments: departments
            .filter((_, k) => k % nLoad === c.index)
            .map((id) => ({ id, token: b.departmentToken(id) })),
          templates,
        } satisfies ToLoad);
        return ready;
      }),
    );
    progress(`saturation: ${nLoad} load process(es) ready, ${departments.length} department workers`);

    // ── the warm-up: load, not measured ────────────────────────────────────────────────────────────
    if (options.warmupS > 0 && steps.length) {
      const until = Date.now() + options.warmupS * 1000;
      const done = children.map((c) => c.next('stepDone'));
      for (const c of children) {
        const mine = portalsOf(steps[0]!, c.index);
        c.proc.send({ type: 'step', step: WARM_UP, portals: mine, until } satisfies ToLoad);
      }
      for (const r of (await Promise.all(done)) as Extract<FromLoad, { type: 'stepDone' }>[])
        addErrors(r.errors);
      progress(`saturation: warmed up for ${options.warmupS} s at ${steps[0]} portals (not measured)`);
    }

    // ── the ramp ─────────────────────────────────────────────────────────────────────────────────
    for (const [s, n] of steps.entries()) {
      const cpu0 = process.cpuUsage();
      const poller0 = { ...streamPollerCalls };
      const java0 = b.stack.pids.map((pid) => treeCpuMs(pid, tickMs));
      const threads0 = java0.map((t) => threadsOf(t?.pids ?? [], tickMs));
      storage = { dynamodb: 0, s3: 0, sfn: 0 };
      const start = Date.now();
      const until = start + options.stepS * 1000;
      const done = children.map((c) => c.next('stepDone'));
      for (const c of children) {
        c.proc.send({ type: 'step', step: s, portals: portalsOf(n, c.index), until } satisfies ToLoad);
      }
      await sleep(Math.max(0, until - Date.now()));
      const wallMs = Date.now() - start;
      const cpu = process.cpuUsage(cpu0);
      const java1 = b.stack.pids.map((pid) => treeCpuMs(pid, tickMs));
      const threads1 = java1.map((t) => threadsOf(t?.pids ?? [], tickMs));
      const calls = { ...storage };
      const poller = {
        getRecords: streamPollerCalls.getRecords - poller0.getRecords,
        records: streamPollerCalls.records - poller0.records,
        other: streamPollerCalls.other - poller0.other,
      };
      const completed = [...ended].filter(
        ([id, e]) => accepted.has(id) && e.status === 'SUCCEEDED' && e.at >= start && e.at <= until,
      ).length;
      const reports = (await Promise.all(done)) as Extract<FromLoad, { type: 'stepDone' }>[];
      let stepErrors = 0;
      for (const r of reports) {
        addErrors(r.errors);
        stepErrors += r.errors.count;
      }
      const percent = (ms: number, wall: number) => round((ms / wall) * 100, 0);
      const cpuRows: ProcessCpu[] = [
        {
          process: 'stack (node)',
          pid: process.pid,
          percent: percent((cpu.user + cpu.system) / 1000, wallMs),
        },
        ...b.stack.pids.map((pid, k) => ({
          process: 'dynamodb-local (java)',
          pid: java1[k]?.pids.at(-1) ?? pid,
          percent: java0[k] && java1[k] ? percent(java1[k]!.cpuMs - java0[k]!.cpuMs, wallMs) : Number.NaN,
        })),
        ...reports.map((r, k) => ({
          process: `load-${k}`,
          pid: children[k]!.proc.pid ?? 0,
          percent: percent(r.cpuMs, r.wallMs),
        })),
      ];
      const submittedHere = [...accepted.values()].filter((a) => a.step === s);
      const rate = completed / (wallMs / 1000);
      const before = result[result.length - 1];
      const stepGain = before && before.completed_per_s > 0 ? rate / before.completed_per_s - 1 : undefined;
      const totalCalls = calls.dynamodb + calls.s3 + calls.sfn;
      const cpuMsPerCase: Record<string, number> = {};
      for (const row of cpuRows)
        cpuMsPerCase[row.process] = round(((row.percent / 100) * wallMs) / Math.max(1, completed), 0);
      const javaMs = cpuRows
        .filter((row) => row.process.startsWith('dynamodb-local'))
        .reduce((sum, row) => sum + (row.percent / 100) * wallMs, 0);
      result.push({
        portals: n,
        window_s: round(wallMs / 1000, 1),
        submitted: submittedHere.length,
        completed,
        completed_per_s: round(rate),
        ...(stepGain !== undefined ? { gain: round(stepGain, 3) } : {}),
        submit_ms: summarize(submittedHere.map((a) => a.submitMs)),
        submit_to_issued_ms: summarize([]), // filled in after the drain
        errors: stepErrors,
        cpu: cpuRows,
        storage_calls: calls,
        storage_calls_per_case: round(totalCalls / Math.max(1, completed), 1),
        dynamodb_calls_per_case: round(calls.dynamodb / Math.max(1, completed), 1),
        cpu_ms_per_case: cpuMsPerCase,
        dynamodb_local_ms_per_call: round(javaMs / Math.max(1, calls.dynamodb), 2),
        ...perCaseThreads(threads0, threads1, completed),
        stream_poller_calls_per_case: round((poller.getRecords + poller.other) / Math.max(1, completed), 1),
        stream_records_per_get: round(poller.records / Math.max(1, poller.getRecords), 1),
      });
      progress(
        `saturation: ${n} portals → ${fmt(rate, 2)} completed/s (${submittedHere.length} submitted, ${stepErrors} errors; CPU ${cpuRows.map((c) => `${c.process} ${c.percent} %`).join(', ')})`,
      );
      if (stepGain !== undefined && stepGain < options.gain) {
        saturated = true;
        break;
      }
    }

    // ── drain ─────────────────────────────────────────────────────────────────────────────────────
    const drainStart = Date.now();
    const notEnded = () => [...accepted.keys()].some((id) => !ended.has(id));
    while (Date.now() - drainStart < options.drainS * 1000 && notEnded()) await sleep(200);
    drainS = (Date.now() - drainStart) / 1000;
    progress(`saturation: drained in ${drainS.toFixed(1)} s`);
  } finally {
    // Unsubscribe the department workers, then let the load processes go.
    await Promise.all(
      children.map(async (c) => {
        if (!c.proc.connected) return;
        const stopped = c.next('stopped');
        c.proc.send({ type: 'stop' } satisfies ToLoad);
        const m = (await Promise.race([stopped, sleep(10_000).then(() => undefined)])) as
          | Extract<FromLoad, { type: 'stopped' }>
          | undefined;
        if (m) {
          addErrors(m.errors);
          refused += m.refused;
        } else c.proc.kill();
      }),
    );
    stopMeter();
    b.stack.stepFunctions.off('executionEnded', onEnded);
  }

  // submit → issued per step, now that the drain is over.
  for (const [s, step] of result.entries())
    step.submit_to_issued_ms = summarize(
      [...accepted]
        .filter(([id, a]) => a.step === s && ended.get(id)?.status === 'SUCCEEDED')
        .map(([id, a]) => ended.get(id)!.at - a.submittedAt),
    );

  // ── reconcile ──────────────────────────────────────────────────────────────────────────────────
  progress('saturation: reconciling…');
  const deadline = performance.now() + options.reconcileS * 1000;
  const tokenOf = (kind: string) =>
    b.creds.applicants?.find((a) => a.kind === kind)?.token ?? b.creds.applicants?.[0]?.token ?? '';
  const byApi = new Map<string, string>();
  let unchecked = 0;
  await pool([...accepted], 4, async ([id, a]) => {
    if (performance.now() >= deadline) {
      unchecked++;
      return;
    }
    try {
      const r = await b.api.call('GET', `/v1/cases/${id}`, {
        headers: { ...portalHeaders(portals[a.portalIndex]!.apiKey), ...bearer(tokenOf(a.applicantKind)) },
        timeoutMs: Math.max(1, deadline - performance.now()),
      });
      byApi.set(id, r.status === 200 ? (r.body.status as string) : `HTTP ${r.status}`);
    } catch {
      unchecked++;
    }
  });
  const notIssued = [...accepted.keys()]
    .filter((id) => ended.get(id)?.status !== 'SUCCEEDED' || (byApi.has(id) && byApi.get(id) !== 'issued'))
    .map((id) => `${id} (execution ${ended.get(id)?.status ?? 'running'}, API ${byApi.get(id) ?? 'unread'})`);
  // A case that did not finish: what its tasks, timeline and execution say (up to three), to find why.
  {
    const { caseRepository } = await import('#adapters/dynamodb/case-repository.ts');
    const stuck = [...accepted.keys()].filter((x) => ended.get(x)?.status !== 'SUCCEEDED').slice(0, 3);
    for (const id of stuck) {
      const v = await caseRepository.view(id);
      process.stderr.write(`not issued: ${id} ${v?.record.bundleId} ${v?.record.status}\n`);
      for (const t of v?.tasks ?? [])
        process.stderr.write(
          `  task ${t.taskId} ${t.kind} ${t.status} token=${t.taskToken?.slice(-12)} size=${t.stageSize} decided=${t.decision?.decidedAt ?? '-'} created=${t.createdAt}\n`,
        );
      for (const e of v?.timeline ?? [])
        process.stderr.write(`  event ${e.at} ${e.event} ${JSON.stringify(e.detail ?? {}).slice(0, 160)}\n`);
      const arn = `${b.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
      const h = await b.stack.stepFunctions.getExecutionHistory({ executionArn: arn, maxResults: 1000 });
      for (const e of h.events as {
        type: string;
        timestamp?: Date;
        stateEnteredEventDetails?: { name?: string };
      }[])
        process.stderr.write(`  sfn ${e.type} ${e.stateEnteredEventDetails?.name ?? ''}\n`);
    }
  }
  const issuedByExecution = [...accepted.keys()].filter((id) => ended.get(id)?.status === 'SUCCEEDED').length;
  const problems: string[] = [];
  if (errorCount) problems.push(`${errorCount} request(s) failed (see errors)`);
  if (notIssued.length)
    problems.push(`${notIssued.length} accepted case(s) not issued: ${notIssued.slice(0, 5).join(', ')}`);
  if (unchecked) problems.push(`${unchecked} status(es) not read within ${options.reconcileS} s`);
  if (refused) problems.push(`${refused} webhook deliveries refused by the workers`);
  if (!accepted.size) problems.push('no case was accepted');

  // The knee: the step before the first that gained < gain; if the ramp never saturated, the best step.
  const best = result.reduce(
    (k, st, i) => (st.completed_per_s > (result[k]?.completed_per_s ?? -1) ? i : k),
    0,
  );
  const knee = saturated ? Math.max(0, result.length - 2) : best;
  const kneeStep = result[knee];
  const busiest = kneeStep?.cpu.reduce<ProcessCpu | undefined>(
    (top, c) => (!top || c.percent > top.percent ? c : top),
    undefined,
  );
  const cores = (await import('node:os')).cpus().length;
  const kneeCpuMs = kneeStep ? Object.values(kneeStep.cpu_ms_per_case).reduce((a, v) => a + v, 0) : 0;
  return {
    options,
    ...(kneeStep && kneeStep.completed > 0
      ? {
          ceiling_at_knee: {
            cpu_ms_per_case: round(kneeCpuMs, 0),
            completed_per_s_on_all_cores: round((cores * 1000) / Math.max(1, kneeCpuMs), 1),
          },
        }
      : {}),
    departments: departments.length,
    cores,
    steps: result,
    knee,
    knee_portals: kneeStep?.portals ?? 0,
    knee_completed_per_s: kneeStep?.completed_per_s ?? 0,
    saturated,
    busiest_at_knee: busiest,
    storage_calls_per_issued_case: {
      all: round((whole.dynamodb + whole.s3 + whole.sfn) / Math.max(1, issuedByExecution), 1),
      dynamodb: round(whole.dynamodb / Math.max(1, issuedByExecution), 1),
      s3: round(whole.s3 / Math.max(1, issuedByExecution), 1),
      sfn: round(whole.sfn / Math.max(1, issuedByExecution), 1),
    },
    drain_s: round(drainS, 1),
    errors: { count: errorCount, samples: errorSamples },
    webhook_deliveries_refused: refused,
    reconcile: {
      accepted_201: accepted.size,
      issued_by_execution: issuedByExecution,
      issued_by_api: [...byApi.values()].filter((s) => s === 'issued').length,
      not_issued: notIssued,
      unchecked,
      problems,
      ok: problems.length === 0,
    },
  };
}

/** The step index the warm-up's cases carry: in no step's figures, but reconciled like the others. */
const WARM_UP = -1;

/** CPU by JVM thread group of the processes `pids` (the shell's threads land in `other`). */
function threadsOf(pids: number[], tickMs: number): JvmThreadCpu | undefined {
  let sum: JvmThreadCpu | undefined;
  for (const pid of pids) {
    const t = jvmThreadCpu(pid, tickMs);
    if (!t) continue;
    sum = sum ? addJvmThreadCpu(sum, t) : t;
  }
  return sum;
}

/** DynamoDB Local's CPU by thread group per completed case over a step (every JVM of the stack). */
function perCaseThreads(
  before: (JvmThreadCpu | undefined)[],
  after: (JvmThreadCpu | undefined)[],
  completed: number,
): { dynamodb_local_threads_ms_per_case?: JvmThreadCpu } {
  let spent: JvmThreadCpu | undefined;
  for (const [k, a] of before.entries()) {
    const b = after[k];
    if (!a || !b) return {};
    const d = jvmThreadCpuSince(a, b);
    spent = spent ? addJvmThreadCpu(spent, d) : d;
  }
  if (!spent) return {};
  return {
    dynamodb_local_threads_ms_per_case: Object.fromEntries(
      Object.entries(spent).map(([g, ms]) => [g, round(ms / Math.max(1, completed), 0)]),
    ) as JvmThreadCpu,
  };
}

/** DynamoDB Local's CPU per call of the product and the local stream poller together (it serves both). */
function pollerShare(step: SaturationStep): string {
  const poller = step.stream_poller_calls_per_case;
  const javaMs = Object.entries(step.cpu_ms_per_case)
    .filter(([p]) => p.startsWith('dynamodb-local'))
    .reduce((sum, [, ms]) => sum + ms, 0);
  if (poller === undefined || javaMs === 0) return '';
  const perCall = javaMs / (step.dynamodb_calls_per_case + poller);
  return ` of the product (${fmt(step.dynamodb_calls_per_case, 1)} a case), which also served the local stream poller's ${fmt(poller, 1)} a case (in AWS the Lambda service's, not the table's): ${fmt(perCall, 2)} ms a call of both`;
}

/** At the knee: DynamoDB Local's CPU per case by JVM thread, and the ceiling its one storage thread sets. */
function threadLine(step: SaturationStep | undefined): string[] {
  const t = step?.dynamodb_local_threads_ms_per_case;
  if (!t) return [];
  const queue = t['sqlite queue'];
  return [
    `  DynamoDB Local's CPU per case by thread there: ${Object.entries(t)
      .map(([g, ms]) => `${g} ${ms} ms`)
      .join(
        ', ',
      )}. Its storage runs on ONE thread (sqlite queue): however many cores, it completes at most ${queue > 0 ? fmt(1000 / queue, 1) : '–'} cases/s at that cost per case`,
  ];
}

export function saturationTables(r: SaturationResult): string {
  const o = r.options;
  const names = r.steps[0]?.cpu.map((c) => c.process) ?? [];
  const steps = table(
    `Saturation: ${o.steps.join('/')} portals × ${o.stepS} s in ${o.loadProcesses} load process(es), ${r.departments} push-path department workers; bundles: ${o.bundles.join(', ')}; ${r.cores} cores`,
    [
      'portals',
      'submitted',
      'completed/s',
      'gain',
      'submit→issued p50/p95 ms',
      'errors',
      ...names.map((n) => `CPU ${n}`),
      'storage calls/case',
      'DynamoDB/case',
      'stream poller/case',
    ],
    r.steps.map((s, i) => [
      `${s.portals}${i === r.knee ? ' (knee)' : ''}`,
      String(s.submitted),
      fmt(s.completed_per_s, 2),
      s.gain === undefined ? '–' : `${fmt(s.gain * 100, 0)} %`,
      `${fmt(s.submit_to_issued_ms.p50, 0)} / ${fmt(s.submit_to_issued_ms.p95, 0)}`,
      String(s.errors),
      ...s.cpu.map((c) => `${fmt(c.percent, 0)} %`),
      fmt(s.storage_calls_per_case, 1),
      fmt(s.dynamodb_calls_per_case, 1),
      s.stream_poller_calls_per_case === undefined
        ? '–'
        : `${fmt(s.stream_poller_calls_per_case, 1)} (${fmt(s.stream_records_per_get ?? 0, 1)} rec/get)`,
    ]),
  );
  const c = r.reconcile;
  const summary = [
    `  knee: ${r.knee_portals} portals, ${fmt(r.knee_completed_per_s, 2)} completed cases/s (${r.saturated ? `the next step gained < ${o.gain * 100} %` : 'the steps ran out before it stopped rising'}); busiest process there: ${r.busiest_at_knee ? `${r.busiest_at_knee.process} at ${r.busiest_at_knee.percent} % of a core` : '–'}`,
    ...(r.ceiling_at_knee && r.steps[r.knee]
      ? [
          `  CPU per completed case at the knee: ${Object.entries(r.steps[r.knee]!.cpu_ms_per_case)
            .map(([p, ms]) => `${p} ${ms} ms`)
            .join(
              ', ',
            )} — ${r.ceiling_at_knee.cpu_ms_per_case} ms in all: ${r.cores} cores could complete at most ${fmt(r.ceiling_at_knee.completed_per_s_on_all_cores, 1)} cases/s; DynamoDB Local spent ${fmt(r.steps[r.knee]!.dynamodb_local_ms_per_call, 2)} ms of CPU per DynamoDB call${pollerShare(r.steps[r.knee]!)}`,
        ]
      : []),
    ...threadLine(r.steps[r.knee]),
    `  storage calls per issued case over the whole run: ${fmt(r.storage_calls_per_issued_case.all, 1)} (DynamoDB ${fmt(r.storage_calls_per_issued_case.dynamodb, 1)}, S3 ${fmt(r.storage_calls_per_issued_case.s3, 1)}, Step Functions ${fmt(r.storage_calls_per_issued_case.sfn, 1)}; the portals' presigned PUTs go to S3 directly and are not counted)`,
    `  reconciliation ${c.ok ? 'OK' : 'FAILED'}: ${c.accepted_201} accepted, ${c.issued_by_execution} issued by execution, ${c.issued_by_api} by the API, ${c.not_issued.length} not issued, ${c.unchecked} unchecked; drain ${fmt(r.drain_s, 1)} s`,
    ...c.problems.map((p) => `  not reconciled: ${p}`),
    ...c.not_issued.slice(0, 20).map((id) => `  not issued: ${id}`),
    ...r.errors.samples.map((e) => `  error: ${e}`),
  ];
  return [steps, ...summary].join('\n');
}
