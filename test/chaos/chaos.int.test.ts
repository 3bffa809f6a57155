/**
 * Chaos: no half-done case under faults (issue 10). A seeded schedule injects faults at the
 * adapters — DynamoDB, S3 and Step Functions calls failing as the SDK fails (TimeoutError,
 * ThrottlingException/SlowDown, ServiceUnavailable/InternalServerError, ECONNRESET) or timing out
 * after the service did the work (LostResponse) — while cases of the five detailed Changzhou bundles
 * run with corrections, refusals, rejections and withdrawals, client mistakes are sent, and the
 * stack (`--persist`) is stopped and started again: once gracefully (SIGINT to its process group,
 * as Ctrl-C) and once with SIGKILL. Clients retry 5xx and dropped connections as a portal would
 * (same body, same Idempotency-Key, backoff). Then the faults stop, the departments keep deciding
 * until every case is final (bounded), and the invariants of invariants.ts are checked.
 *
 * How the faults reach the calls: the stack runs in its own process (stack-process.ts), which
 * wraps the adapters' SDK clients — the ones its handlers and its Step Functions task Lambdas use.
 * A request's fault is named by the client in a header and reported back on the response, so a
 * 503 is allowed exactly where a fault was injected (or while the stack is being stopped: Ctrl-C
 * takes DynamoDB Local down first); background faults (task Lambdas, dispatcher) come from the
 * stack's own seeded stream, within the state machine's retry budget.
 *
 * Time: about 40 s on an idle 2-core machine (the stack starts in ~5 s, each restart costs ~6 s);
 * the fault phase ends once CHAOS_FAULTS injections happened and both restarts are done (at most
 * 70 s, for a machine so busy that DynamoDB Local takes 10 s and more to start). The report gives
 * the time, the faults by path, service and kind, the cases by final status and each invariant; on
 * failure also the seed, every violation grouped by invariant, the schedule and a JSON dump.
 *
 * Replay: CHAOS_SEED=<n> npx vitest run test/chaos. The per-request faults, case plans and restart
 * points are functions of the seed (per actor stream); the interleaving of concurrent actors and the
 * background faults depend on timing, so a replay reproduces the schedule, not every interleaving.
 * Knobs: CHAOS_FAULTS (target number of injections, default 240), CHAOS_CONCURRENCY (cases at
 * once, default 8).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/emulators/ports.ts';
import { repoRoot } from '../../local/lambda-registry.ts';
import { isLocalTarget } from '../e2e/target.ts';
import { Actor, type World } from './client.ts';
import { Prng, seedOf } from './faults.ts';
import { checkAnswers, checkState, collect, INVARIANTS, type Violation } from './invariants.ts';
import {
  type CaseRun,
  type Credentials,
  planCase,
  planSummary,
  type Registry,
  runCase,
  sendMistake,
} from './scenario.ts';
import type { FromStack, ToStack } from './stack-process.ts';

const SEED = process.env.CHAOS_SEED ?? '20261201';
const FAULT_TARGET = Number(process.env.CHAOS_FAULTS ?? 240);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 8);
const REQUEST_FAULT_RATE = 0.7;
const BACKGROUND_FAULT_RATE = 0.05;
const FAULT_PHASE_CAP_MS = 70_000;
const SETTLE_MS = 20_000;
const GRACEFUL_STOP_MS = 15_000;

const dir = mkdtempSync(join(tmpdir(), 'yjs-chaos-'));

/** The stack process: started, stopped (gracefully or killed) and started again on the same data. */
class Stack {
  private child: ChildProcess | undefined;
  private output = '';
  generation = -1;
  ready: Extract<FromStack, { t: 'ready' }> | undefined;
  background = 0;

  constructor(
    private readonly port: number,
    private readonly onFault: (m: Extract<FromStack, { t: 'fault' }>) => void,
  ) {}

  async start(): Promise<void> {
    this.generation++;
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !(k in inject('localEnv')) && !k.startsWith('AWS_')),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'chaos', 'stack-process.ts')], {
      cwd: repoRoot,
      env: {
        ...inherited,
        CHAOS_SEED: SEED,
        CHAOS_GENERATION: String(this.generation),
        CHAOS_PERSIST_DIR: join(dir, 'data'),
        CHAOS_LOCAL_DIR: dir,
        PORT: String(this.port),
        LOG_LEVEL: 'ERROR',
        AWS_SUPPRESS_NODE_DEPRECATION_WARNING: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true, // its own process group: a SIGKILL takes DynamoDB Local with it, as a crash would
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the chaos stack did not start in 60 s:\n${this.output}`)),
        60_000,
      );
      child.on('message', (m: FromStack) => {
        if (m.t === 'fault') this.onFault(m);
        if (m.t === 'ready') {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the chaos stack exited (${code ?? signal}) while starting:\n${this.output}`));
      });
    });
    this.setBackground(this.background);
  }

  setBackground(rate: number): void {
    this.background = rate;
    if (this.child?.connected) this.child.send({ t: 'background', rate } satisfies ToStack);
  }

  /** Ctrl-C (SIGINT to the group) or a crash (SIGKILL); resolves false if a graceful stop hung. */
  async stop(how: 'graceful' | 'kill'): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid!, how === 'graceful' ? 'SIGINT' : 'SIGKILL');
    if (how === 'kill') {
      await exited;
      return true;
    }
    const done = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), GRACEFUL_STOP_MS)),
    ]);
    if (!done) {
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    return done;
  }

  get baseUrl(): string {
    return this.ready!.baseUrl;
  }
  get tail(): string {
    return this.output;
  }
}

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop('kill').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

// Local only: it runs, stops and kills its own stack process on this machine.
describe.skipIf(!isLocalTarget())(
  'chaos: faults at the adapters, restarts, corrections and withdrawals',
  () => {
    it(`holds every invariant (seed ${SEED})`, async () => {
      const started = Date.now();
      const schedule = new Prng(seedOf(SEED, 'schedule'));
      const faults = { total: 0, byKind: new Map<string, number>() };
      const count = (key: string) => faults.byKind.set(key, (faults.byKind.get(key) ?? 0) + 1);
      stack = new Stack(await freePort(), (m) => {
        faults.total++;
        count(`${m.path === 'request' ? 'request' : 'background'} ${m.service} ${m.kind}`);
      });
      await stack.start();
      const stackReadyMs = Date.now() - started;
      // A portal's key and a department's token do not change when the system restarts.
      const creds = JSON.parse(readFileSync(stack.ready!.credentialsFile, 'utf8')) as Credentials;

      let phase: 'faults' | 'settle' | 'done' = 'faults';
      const world: World = {
        baseUrl: () => stack!.baseUrl,
        faultsOn: () => phase === 'faults',
        requestFaultRate: REQUEST_FAULT_RATE,
        exchanges: [],
        stops: [],
      };
      const violations: Violation[] = [];
      const events: string[] = [];
      const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

      // The restarts: one graceful, one SIGKILL, in a seeded order, at seeded points of the fault count.
      const restarts = (schedule.chance(0.5) ? ['graceful', 'kill'] : ['kill', 'graceful']).map((how, i) => ({
        how: how as 'graceful' | 'kill',
        atFaults: Math.round(
          FAULT_TARGET * (i === 0 ? 0.2 + 0.15 * schedule.next() : 0.55 + 0.15 * schedule.next()),
        ),
      }));
      const restartsDone: string[] = [];

      stack.setBackground(BACKGROUND_FAULT_RATE);
      const registry: Registry = { cases: [] };
      const runs: CaseRun[] = [];
      let settleDeadline = Number.POSITIVE_INFINITY;
      const stopCases = () => Date.now() > settleDeadline;

      // Cases: CONCURRENCY at a time, new ones while the faults last.
      const caseLoop = async () => {
        const active = new Set<Promise<void>>();
        while (phase === 'faults') {
          if (active.size < CONCURRENCY && runs.length < 60) {
            const index = runs.length;
            const run: CaseRun = {
              plan: planCase(index, new Prng(seedOf(SEED, 'plan', index))),
              accepted: false,
              notes: [],
            };
            runs.push(run);
            const actor = new Actor(`case${index}`, seedOf(SEED, 'case', index), world);
            const p: Promise<void> = runCase(actor, run, creds, SEED, registry, stopCases)
              .catch((err: Error) => {
                run.notes.push(`actor failed: ${err.message}`);
              })
              .finally(() => active.delete(p));
            active.add(p);
          } else await new Promise((r) => setTimeout(r, 20));
        }
        await Promise.all(active);
      };
      // Client mistakes, all through the fault phase.
      const mistakeLoop = async (n: number) => {
        const actor = new Actor(`mistakes${n}`, seedOf(SEED, 'mistakes', n), world);
        while (phase === 'faults') {
          await sendMistake(actor, creds, registry);
          await new Promise((r) => setTimeout(r, 15));
        }
      };
      // The fault phase: until enough faults were injected and both restarts happened (bounded).
      const driver = async () => {
        const phaseStart = Date.now();
        while (Date.now() - phaseStart < FAULT_PHASE_CAP_MS) {
          const next = restarts[restartsDone.length];
          if (next && faults.total >= next.atFaults) {
            events.push(`${at()} ${next.how} stop after ${faults.total} faults`);
            const window = { from: Date.now(), to: Number.POSITIVE_INFINITY };
            world.stops.push(window);
            const clean = await stack!.stop(next.how);
            events.push(`${at()} stopped`);
            if (!clean)
              violations.push({
                invariant: 'a graceful stop completes',
                detail: `SIGINT did not stop the stack in ${GRACEFUL_STOP_MS / 1000} s:\n${stack!.tail}`,
              });
            await stack!.start();
            window.to = Date.now();
            events.push(`${at()} started again (generation ${stack!.generation})`);
            restartsDone.push(next.how);
          } else if (!next && faults.total >= FAULT_TARGET) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        phase = 'settle';
        stack!.setBackground(0);
        settleDeadline = Date.now() + SETTLE_MS;
        events.push(`${at()} faults stop after ${faults.total} injections; settling`);
      };
      await Promise.all([caseLoop(), mistakeLoop(0), mistakeLoop(1), driver()]);
      phase = 'done';
      events.push(`${at()} settled`);

      // Invariants.
      const accepted = new Set(runs.flatMap((r) => (r.accepted && r.caseId ? [r.caseId] : [])));
      const snapshot = await collect(stack.ready!.env, join(dir, 'data', 'executions.json'));
      violations.push(...checkState(snapshot, accepted), ...checkAnswers(world.exchanges, world.stops));
      for (const r of runs)
        for (const note of r.notes)
          violations.push({
            invariant: 'every step of a case is answered as a portal expects',
            detail: `case ${r.plan.index} (${r.caseId}): ${note}`,
          });

      // Report.
      const byStatus = new Map<string, number>();
      for (const c of snapshot.cases) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
      const failed = new Set(violations.map((x) => x.invariant));
      const requests = world.exchanges.reduce((n, e) => n + e.attempts.length, 0);
      const report = [
        `chaos seed ${SEED}: ${faults.total} faults injected in ${((Date.now() - started) / 1000).toFixed(1)} s (stack ready after ${(stackReadyMs / 1000).toFixed(1)} s), ${requests} HTTP attempts, ${runs.length} cases`,
        `faults by kind: ${[...faults.byKind]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join('; ')}`,
        `cases by final status: ${[...byStatus].map(([k, n]) => `${k} ${n}`).join(', ')}`,
        `restarts: ${restarts.map((r) => `${r.how} at ${r.atFaults} faults`).join(', ')}; timeline: ${events.join(' | ')}`,
        ...INVARIANTS.map((i) => `${failed.has(i) ? '✗' : '✓'} ${i}`),
      ];
      if (violations.length) {
        // Everything the clients saw and what was stored, for narrowing a failure down.
        const dump = join(tmpdir(), `yjs-chaos-${SEED}.json`);
        const executions = Object.fromEntries(snapshot.executions);
        writeFileSync(
          dump,
          JSON.stringify({
            seed: SEED,
            violations,
            events,
            runs,
            exchanges: world.exchanges,
            snapshot: { ...snapshot, executions },
          }),
        );
        report.push(`details: ${dump}`);
      }
      process.stdout.write(`${report.join('\n')}\n`);
      if (violations.length) {
        const shown = INVARIANTS.flatMap((i) => {
          const of = violations.filter((x) => x.invariant === i);
          if (!of.length) return [];
          return [
            `  ✗ ${i}: ${of.length}`,
            ...of.slice(0, 6).map((x) => `      ${x.detail}`),
            ...(of.length > 6 ? [`      … and ${of.length - 6} more`] : []),
          ];
        });
        throw new Error(
          [
            `${violations.length} invariant violations — replay with CHAOS_SEED=${SEED} npx vitest run test/chaos`,
            ...shown,
            'schedule:',
            ...runs.map((r) => `  ${planSummary(r.plan)} → ${r.caseId ?? 'not submitted'} ${r.status ?? ''}`),
          ].join('\n'),
        );
      }
      expect(faults.total).toBeGreaterThanOrEqual(200);
      expect(restartsDone).toHaveLength(2);
    }, 150_000);
  },
);
