/**
 * One load process of the saturation benchmark (bench/saturation.ts), forked by it: portals and
 * department workers talking HTTP to the stack, which runs in the parent process. Nothing here
 * shares memory with the stack, so its CPU is its own (reported per step with process.cpuUsage).
 *
 * Parent → child messages: `init` (the stack's URL, the demo applicants, this process's portals,
 * departments and application templates), `known` (a case id another load process got a 201 for:
 * its tasks may be decided), `step` (run `portals` portal loops until `until`, wall clock),
 * `stop`. Child → parent: `ready`, `accepted` (a 201), `stepDone` (CPU and errors of the step),
 * `stopped`.
 */
import { randomUUID } from 'node:crypto';
import { type PushWorker, startPushWorker } from './department-worker.ts';
import { Api } from './http.ts';
import {
  type ApplicationTemplate,
  bearer,
  freshApplication,
  submitHeaders,
  useDemoApplicants,
} from './portal.ts';
import { sleep } from './stats.ts';

export interface LoadInit {
  type: 'init';
  baseUrl: string;
  applicants: Parameters<typeof useDemoApplicants>[0];
  portals: { id: string; apiKey: string }[];
  departments: { id: string; token: string }[];
  templates: ApplicationTemplate[];
}
export type ToLoad =
  | LoadInit
  | { type: 'known'; caseId: string }
  | { type: 'step'; step: number; portals: number; until: number }
  | { type: 'stop' };

export interface LoadErrors {
  count: number;
  samples: string[];
}
export type FromLoad =
  | { type: 'ready' }
  | {
      type: 'accepted';
      caseId: string;
      step: number;
      portalIndex: number;
      bundleId: string;
      applicantKind: string;
      submittedAt: number;
      submitMs: number;
    }
  | {
      type: 'stepDone';
      step: number;
      cpuMs: number;
      wallMs: number;
      errors: LoadErrors;
      decisions: number;
    }
  | { type: 'stopped'; errors: LoadErrors; refused: number; decisions: number };

const send = (m: FromLoad) => process.send!(m);

let api: Api;
let init: LoadInit;
const known = new Set<string>();
const decided = new Set<string>();
const workers: PushWorker[] = [];
let errors: LoadErrors = { count: 0, samples: [] };
let decisions = 0;
let step = -1;

function fail(where: string, err: unknown): void {
  errors.count++;
  if (errors.samples.length < 5)
    errors.samples.push(`${where}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
}

async function start(m: LoadInit): Promise<void> {
  init = m;
  api = new Api(m.baseUrl);
  useDemoApplicants(m.applicants);
  for (const d of m.departments)
    workers.push(
      await startPushWorker(api, d.id, d.token, async (t) => {
        // Only this run's cases: the 201 may still be on its way to the parent; wait for it a while.
        for (let i = 0; i < 250 && !known.has(t.caseId); i++) await sleep(20);
        if (!known.has(t.caseId) || decided.has(t.taskId)) return;
        decided.add(t.taskId);
        try {
          const r = await api.call('POST', `/v1/tasks/${t.taskId}/decision`, {
            headers: bearer(d.token),
            body: { outcome: 'approve', opinion: t.kind === 'acceptance' ? '予以受理' : '同意' },
          });
          if (r.status !== 200) throw new Error(`→ ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
          decisions++;
        } catch (err) {
          fail(`decision ${t.taskId}`, err);
        }
      }),
    );
  send({ type: 'ready' });
}

async function portalLoop(portalIndex: number, stepIndex: number, until: number): Promise<void> {
  const p = init.portals[portalIndex]!;
  for (let k = portalIndex; Date.now() < until; k++) {
    const template = init.templates[k % init.templates.length]!;
    try {
      const app = await freshApplication(api, p.apiKey, template);
      if (Date.now() >= until) return;
      const submittedAt = Date.now();
      const r = await api.call('POST', '/v1/cases', {
        headers: { ...submitHeaders(p.apiKey, app), 'idempotency-key': randomUUID() },
        body: app,
      });
      if (r.status !== 201) throw new Error(`submit → ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
      const caseId = r.body.id as string;
      known.add(caseId);
      send({
        type: 'accepted',
        caseId,
        step: stepIndex,
        portalIndex,
        bundleId: template.bundleId,
        applicantKind: template.audience,
        submittedAt,
        submitMs: r.ms,
      });
    } catch (err) {
      fail(`portal ${p.id}`, err);
      await sleep(100);
    }
  }
}

async function runStep(m: { step: number; portals: number; until: number }): Promise<void> {
  step = m.step;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const n = Math.min(m.portals, init.portals.length);
  await Promise.all(Array.from({ length: n }, (_, i) => portalLoop(i, m.step, m.until)));
  const cpu = process.cpuUsage(cpu0);
  send({
    type: 'stepDone',
    step,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: Date.now() - t0,
    errors,
    decisions,
  });
  errors = { count: 0, samples: [] };
  decisions = 0;
}

async function stop(): Promise<void> {
  await Promise.all(workers.map((w) => w.stop().catch((err: unknown) => fail('unsubscribe', err))));
  send({
    type: 'stopped',
    errors,
    refused: workers.reduce((s, w) => s + w.refused(), 0),
    decisions,
  });
  process.disconnect();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('message', (m: ToLoad) => {
  const done = (p: Promise<void>) =>
    p.catch((err: Error) => {
      process.stderr.write(`load process: ${err.stack ?? err.message}\n`);
      process.exit(1);
    });
  if (m.type === 'init') void done(start(m));
  else if (m.type === 'known') known.add(m.caseId);
  else if (m.type === 'step') void done(runStep(m));
  else if (m.type === 'stop') void done(stop());
});
