/**
 * `npm run demo:month [-- --cases 60 --seed 1 --concurrency 4] [--live]`: a synthetic month of
 * work, through the HTTP API only, as portals, applicants and departments would: cases of many
 * bundles, accepted online or at the places' counters, most approved, some after one correction
 * round, some refused at acceptance, some withdrawn; and — where the stack has the routes — 好差评
 * ratings of the final cases and 12345 inquiries answered by the departments. Then
 * `npm start -- --persist` and `npm run reform:report` (GET /v1/statistics).
 *
 * Default: the month really spans a month. The script starts ITS OWN local stack in this process
 * on the data `npm start -- --persist` keeps (.local/data/<city>; it refuses while that stack
 * runs), with a simulated clock (local/clock.ts) installed before the stack starts, and walks the
 * calendar from 30 days ago to today: on working days it submits a few cases, and each case moves
 * on over the following simulated days — accepted the next working day, reviewed within the
 * committed days, a correction answered 1–3 days later, a withdrawal a few days in, rated and asked
 * about once final, inquiries and 差评 rectifications answered the next working day. Whatever is
 * still open on the last day (today) is finished today. Every case ends final; the stack stops and
 * its data is kept.
 *
 * `--live`: drives the running stack (`npm start`; its .local/credentials.json) instead. The API
 * takes no backdated submissions, so there the month's volume lands on today's China date, with
 * the working days the cases really took (none).
 *
 * Seeded (`--seed`): the same seed makes the same choices.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../local/lambda-registry.ts';
import type { DemoCredentials } from '../local/setup/demo-credentials.ts';

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
};
const CASES = Number(arg('--cases', '60'));
const SEED = Number(arg('--seed', '1'));
const CONCURRENCY = Number(arg('--concurrency', '4'));
const LIVE = process.argv.includes('--live');

const localDir = process.env.LOCAL_DIR ?? join(repoRoot, '.local');
const city = process.env.CITY ?? 'changzhou';
/** The stack's credentials: read from the running stack's file (`--live`) or made in this process. */
let creds: DemoCredentials;
const placeIds = (() => {
  try {
    const file = JSON.parse(readFileSync(join(repoRoot, 'cities', city, 'places.json'), 'utf8')) as {
      places: { id: string; kind: string }[];
    };
    return file.places.filter((p) => p.kind !== 'city' && p.kind !== 'authority').map((p) => p.id);
  } catch {
    return [];
  }
})();

/** mulberry32: a small seeded generator, so a seed replays the same month. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

async function api(method: string, path: string, headers: Record<string, string> = {}, json?: unknown) {
  const res = await fetch(`${creds.baseUrl}${path}`, {
    method,
    headers: { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field as the API documents it
  const body: any = text ? JSON.parse(text) : {};
  return { status: res.status, body };
}

const portal = () => ({ 'x-api-key': creds.portals[0]!.apiKey });
const applicant = (id: string) => {
  const a = creds.applicants?.find((x) => x.id === id);
  if (!a) throw new Error(`no demo applicant ${id} in ${localDir}/credentials.json`);
  return a;
};
const asApplicant = (id: string) => ({ ...portal(), authorization: `Bearer ${applicant(id).token}` });
const asDepartment = (id: string) => {
  const d = creds.departments.find((x) => x.id === id);
  if (!d) throw new Error(`no demo token for department ${id}`);
  return { authorization: `Bearer ${d.token}` };
};
const PERSON = 'chen-jing';
const ORGANISATION = 'qingguoxiang-catering';

async function upload(bundleId: string, type: string): Promise<string> {
  const bytes = Buffer.from(
    `%PDF-1.4\n% ${randomUUID()}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
  const declared = await api('POST', '/v1/materials', portal(), {
    bundleId,
    type,
    fileName: `${type}.pdf`,
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  if (declared.status !== 201) throw new Error(`material ${type}: ${JSON.stringify(declared.body)}`);
  const put = await fetch(declared.body.upload.url, {
    method: 'PUT',
    headers: declared.body.upload.headers ?? { 'content-type': 'application/pdf' },
    body: bytes,
  });
  if (!put.ok) throw new Error(`upload of ${type}: ${put.status}`);
  for (let i = 0; i < 100; i++) {
    const m = await api('GET', `/v1/materials/${declared.body.id}`, portal());
    if (m.body.status === 'verified') return declared.body.id as string;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`material ${declared.body.id} was not verified`);
}

type Fate = 'approve' | 'correct' | 'refuse' | 'withdraw';
const fateOf = (r: number): Fate =>
  r < 0.08 ? 'refuse' : r < 0.14 ? 'withdraw' : r < 0.34 ? 'correct' : 'approve';

interface Outcome {
  caseId: string;
  bundleId: string;
  status: string;
  corrections: number;
}

type Bundle = { id: string; audience?: string };
const applicantFor = (bundle: Bundle) => (bundle.audience === 'organisation' ? ORGANISATION : PERSON);

/** Uploads the bundle's required materials and submits its application: the case's id and form. */
async function submitCase(bundle: Bundle): Promise<{ caseId: string; values: Record<string, unknown> }> {
  const who = applicantFor(bundle);
  const [guide, form] = await Promise.all([
    api('GET', `/v1/bundles/${bundle.id}/guide`),
    api('GET', `/v1/bundles/${bundle.id}/form`),
  ]);
  const values = Object.fromEntries(
    Object.entries(form.body.schema.properties as Record<string, { examples: unknown[] }>).map(([k, p]) => [
      k,
      p.examples[0],
    ]),
  );
  const materials = [];
  for (const m of guide.body.materials as {
    type: string;
    required: boolean;
    perParty?: { countField: string };
  }[]) {
    if (!m.required) continue;
    const copies = m.perParty ? Number(values[m.perParty.countField]) || 1 : 1;
    for (let i = 0; i < copies; i++)
      materials.push({ type: m.type, materialId: await upload(bundle.id, m.type) });
  }
  const a = applicant(who);
  const methods = (guide.body.delivery as string[]).length
    ? (guide.body.delivery as string[])
    : ['electronic'];
  const method = methods.includes('electronic') && random() < 0.8 ? 'electronic' : pick(methods);
  const application = {
    bundleId: bundle.id,
    applicant:
      a.kind === 'organisation'
        ? { kind: 'organisation', name: a.name, uscc: a.uscc, phone: '13812345678' }
        : { kind: 'person', name: a.name, idNumber: a.idNumber, phone: '13812345678' },
    form: values,
    materials,
    delivery:
      method === 'courier'
        ? {
            method,
            address: { recipient: a.name, phone: '13812345678', city: '常州市', line: '天宁区延陵西路1号' },
          }
        : { method },
    ...(placeIds.length && random() < 0.4 ? { acceptedAt: pick(placeIds) } : {}),
  };
  const submitted = await api(
    'POST',
    '/v1/cases',
    { ...asApplicant(who), 'idempotency-key': randomUUID() },
    application,
  );
  if (submitted.status !== 201)
    throw new Error(`${bundle.id}: ${JSON.stringify(submitted.body).slice(0, 500)}`);
  return { caseId: submitted.body.id as string, values };
}

/** The supplement answering a correction: the form's first field, as it was. */
const supplementOf = (values: Record<string, unknown>) => {
  const field = Object.keys(values)[0];
  return { form: field ? { [field]: values[field] } : {} };
};

/** The department's decision on a task, by the case's fate (a correction only once per case). */
const decisionFor = (fate: Fate, kind: string, corrected: boolean) =>
  fate === 'refuse' && kind === 'acceptance'
    ? { outcome: 'reject', opinion: '不符合受理条件' }
    : fate === 'correct' && kind === 'review' && !corrected
      ? { outcome: 'correct', opinion: '材料需补正', corrections: [{ message: '请补充或更正申请信息' }] }
      : { outcome: 'approve', opinion: '同意' };

async function oneCase(bundle: Bundle, fate: Fate): Promise<Outcome> {
  const who = applicantFor(bundle);
  const { caseId, values } = await submitCase(bundle);

  let corrected = false;
  const decided = new Set<string>();
  for (let i = 0; i < 1200; i++) {
    const c = await api('GET', `/v1/cases/${caseId}`, asApplicant(who));
    const status = c.body.status as string;
    if (['issued', 'rejected', 'withdrawn'].includes(status))
      return { caseId, bundleId: bundle.id, status, corrections: c.body.correctionRound as number };
    if (status === 'awaiting_correction') {
      const r = await api('POST', `/v1/cases/${caseId}/supplements`, asApplicant(who), supplementOf(values));
      if (r.status !== 202) throw new Error(`supplement of ${caseId}: ${JSON.stringify(r.body)}`);
    }
    if (fate === 'withdraw' && (status === 'in_review' || random() < 0.3)) {
      await api('POST', `/v1/cases/${caseId}/withdrawal`, asApplicant(who), {});
      continue;
    }
    for (const t of c.body.tasks as { id: string; kind: string; status: string; departmentId: string }[]) {
      if (t.status !== 'pending' || t.kind === 'supplement' || decided.has(t.id)) continue;
      const decision = decisionFor(fate, t.kind, corrected);
      if (decision.outcome === 'correct') corrected = true;
      const r = await api('POST', `/v1/tasks/${t.id}/decision`, asDepartment(t.departmentId), decision);
      if (r.status === 200) decided.add(t.id);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} did not end`);
}

/**
 * 好差评 and 12345, where this stack has the routes (API contract, "Evaluation"): the applicant
 * rates the final case and sometimes asks about it; what the departments then do (rectify a 差评
 * and call back, answer the inquiry) is handed back, to run now (`--live`) or a day later.
 */
async function evaluate(o: Outcome, routes: Set<string>): Promise<(() => Promise<unknown>)[]> {
  const who = applicantOf.get(o.caseId)!;
  const followUps: (() => Promise<unknown>)[] = [];
  if (routes.has('/v1/cases/{caseId}/rating')) {
    const overall = pick([5, 5, 5, 5, 4, 4, 3, 2, 1]);
    const rated = await api('POST', `/v1/cases/${o.caseId}/rating`, asApplicant(who), {
      overall,
      ...(overall <= 2 ? { comment: '等待时间较长' } : {}),
    });
    // 整改: most departments rated 差评 rectify, and call the applicant back (回访).
    for (const r of (rated.body.rectifications ?? []) as { id: string; departmentId: string }[])
      if (routes.has('/v1/rectifications/{rectificationId}/completion') && random() < 0.7) {
        const satisfied = random() < 0.8;
        followUps.push(() =>
          api('POST', `/v1/rectifications/${r.id}/completion`, asDepartment(r.departmentId), {
            action: '已约谈窗口人员并优化预约时段',
            followUp: { contacted: true, satisfied },
          }),
        );
      }
  }
  if (routes.has('/v1/inquiries') && random() < 0.25) {
    const q = await api('POST', '/v1/inquiries', asApplicant(who), {
      kind: pick(['consultation', 'consultation', 'complaint', 'suggestion']),
      text: '请问办理进度和结果领取方式？',
      caseId: o.caseId,
    });
    if (q.status === 201 && routes.has('/v1/inquiries/{inquiryId}/answer') && random() < 0.85)
      followUps.push(() =>
        api('POST', `/v1/inquiries/${q.body.id}/answer`, asDepartment(q.body.departmentId), {
          text: '已办结，结果已推送至您的账户。',
        }),
      );
  }
  return followUps;
}

const applicantOf = new Map<string, string>();

/** `--live`: the running stack (`npm start`); everything lands on today. */
async function live() {
  creds = JSON.parse(readFileSync(join(localDir, 'credentials.json'), 'utf8')) as DemoCredentials;
  const [bundles, openapi] = await Promise.all([api('GET', '/v1/bundles'), api('GET', '/v1/openapi.json')]);
  if (bundles.status !== 200)
    throw new Error(`is the stack running at ${creds.baseUrl}? (${bundles.status})`);
  const routes = new Set(Object.keys(openapi.body.paths ?? {}));
  const items = bundles.body.items as { id: string; audience?: string }[];
  const plan = Array.from({ length: CASES }, () => ({ bundle: pick(items), fate: fateOf(random()) }));
  process.stdout.write(
    `A synthetic month on ${creds.baseUrl}: ${CASES} cases of ${new Set(plan.map((p) => p.bundle.id)).size} bundles (seed ${SEED}).\n`,
  );
  let next = 0;
  let done = 0;
  const outcomes: Outcome[] = [];
  const worker = async () => {
    while (next < plan.length) {
      const { bundle, fate } = plan[next++]!;
      try {
        const o = await oneCase(bundle, fate);
        applicantOf.set(o.caseId, bundle.audience === 'organisation' ? ORGANISATION : PERSON);
        for (const followUp of await evaluate(o, routes)) await followUp();
        outcomes.push(o);
        process.stdout.write(
          `[${++done}/${CASES}] ${o.bundleId.padEnd(38)} ${o.status}${o.corrections ? ` after ${o.corrections} correction round` : ''}\n`,
        );
      } catch (err) {
        process.stdout.write(`[${++done}/${CASES}] ${bundle.id}: failed — ${(err as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  process.stdout.write(`Done: ${summary(outcomes)}. Now: npm run reform:report\n`);
}

// ——— The simulated month (default) ———

const DAY_MS = 86_400_000;
const nextDay = (day: string, n = 1) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
/** An instant of a China date: `hour` o'clock CST. */
const atChina = (day: string, hour: number) =>
  Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);

type Task = { id: string; kind: string; status: string; departmentId: string; dueAt?: string };

/** One case over the month: what is due on which simulated day. */
interface Agent {
  readonly bundle: Bundle;
  readonly fate: Fate;
  readonly submitOn: string;
  caseId?: string;
  values?: Record<string, unknown>;
  /** Task id → the China date its department decides it. */
  readonly decideOn: Map<string, string>;
  readonly decided: Set<string>;
  corrected: boolean;
  answerCorrectionOn?: string;
  withdrawOn?: string;
  outcome?: Outcome;
  /** The departments' answers to the rating and inquiry, due the next working day. */
  followUps?: { on: string; run: (() => Promise<unknown>)[] };
  failed?: string;
}

/** Refuses to run on data a running `npm start -- --persist` holds, or another run of this script. */
async function refuseIfInUse(persistDir: string): Promise<() => void> {
  const urls = new Set([`http://127.0.0.1:${process.env.PORT ?? 3000}`]);
  try {
    const stack = JSON.parse(readFileSync(join(localDir, 'stack.json'), 'utf8')) as { baseUrl?: string };
    if (stack.baseUrl) urls.add(stack.baseUrl);
  } catch {
    // no stack.json: never started
  }
  for (const url of urls) {
    const answered = await fetch(`${url}/v1/bundles`, { signal: AbortSignal.timeout(1500) }).then(
      () => true,
      () => false,
    );
    if (answered)
      throw new Error(
        `a local stack answers at ${url}: stop it (Ctrl-C) first — this script starts its own on ${persistDir} (or use --live to fill the running one, all on today)`,
      );
  }
  mkdirSync(persistDir, { recursive: true });
  const lock = join(persistDir, 'demo-month.lock');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    const alive = (() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    if (alive) throw new Error(`${persistDir} is locked by a running demo:month (pid ${pid}, ${lock})`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

async function simulatedMonth() {
  const persistDir = join(localDir, 'data', city);
  const unlock = await refuseIfInUse(persistDir);
  // The clock first: everything the stack starts reads the simulated time.
  const clock = await import('../local/clock.ts');
  const { chinaDate, isWorkday, addWorkingDays, workingDaysBetween } = await import(
    '../core/time/working-days.ts'
  );
  const today = chinaDate(new Date());
  const first = nextDay(today, -30);
  // The stack starts "on" the first day: its records (portal keys, the web portal's) carry that date.
  clock.installSimulatedClock(atChina(first, 8));

  const { startLocalStack } = await import('../local/stack.ts');
  const { createDemoCredentials } = await import('../local/setup/demo-credentials.ts');
  const { signDepartmentToken } = await import('../core/credentials/tokens.ts');
  const { applicantCredentials } = await import('../local/identity/credentials.ts');
  process.stdout.write(`• starting a local stack on ${persistDir}, its clock at ${first} (simulated)…\n`);
  const stack = await startLocalStack({ city, port: 0, persistDir });
  try {
    creds = await createDemoCredentials(stack);
    /** Tokens of the simulated day (a token signed a month ago would have expired by the end). */
    const freshTokens = async () => {
      creds.departments = await Promise.all(
        creds.departments.map(async (d) => ({
          ...d,
          token: (
            await signDepartmentToken(stack.env.TOKEN_SECRET!, {
              departmentId: d.id,
              city,
              ttlSeconds: 2 * 24 * 3600,
            })
          ).token,
        })),
      );
      creds.applicants = await applicantCredentials(stack.identityProvider);
    };

    const [bundles, openapi] = await Promise.all([api('GET', '/v1/bundles'), api('GET', '/v1/openapi.json')]);
    if (bundles.status !== 200) throw new Error(`GET /v1/bundles: ${bundles.status}`);
    const routes = new Set(Object.keys(openapi.body.paths ?? {}));
    const items = bundles.body.items as Bundle[];
    const days: string[] = [];
    for (let d = first; d <= today; d = nextDay(d)) days.push(d);
    // Submissions on the working days before today (today only finishes what is open).
    const submitDays = days.filter((d) => d < today && isWorkday(d));
    const agents: Agent[] = Array.from({ length: CASES }, () => ({
      bundle: pick(items),
      fate: fateOf(random()),
      submitOn: pick(submitDays),
      decideOn: new Map<string, string>(),
      decided: new Set<string>(),
      corrected: false,
    })).sort((a, b) => a.submitOn.localeCompare(b.submitOn));
    process.stdout.write(
      `A synthetic month ${first} … ${today}: ${CASES} cases of ${new Set(agents.map((a) => a.bundle.id)).size} bundles (seed ${SEED}).\n`,
    );

    const pool = async <T>(xs: readonly T[], f: (x: T) => Promise<void>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < xs.length) await f(xs[next++]!);
        }),
      );
    };
    const nextWorkday = (day: string) => chinaDate(addWorkingDays(new Date(atChina(day, 12)), 1));

    /** Polls the case until the flow rests: final, waiting for the applicant, or a task to decide. */
    const settle = async (a: Agent) => {
      const who = applicantFor(a.bundle);
      for (let i = 0; i < 600; i++) {
        const c = await api('GET', `/v1/cases/${a.caseId}`, asApplicant(who));
        const status = c.body.status as string;
        const open = (c.body.tasks as Task[]).filter(
          (t) => t.status === 'pending' && t.kind !== 'supplement' && !a.decided.has(t.id),
        );
        if (
          ['issued', 'rejected', 'withdrawn'].includes(status) ||
          status === 'awaiting_correction' ||
          open.length
        )
          return { status, open, body: c.body };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`case ${a.caseId} did not come to rest`);
    };

    /** What agent `a` does on `day`; true when it did something (the day goes round again). */
    const act = async (a: Agent, day: string, last: boolean): Promise<boolean> => {
      if (a.failed || a.followUps?.run.length === 0) return false;
      const due = (on: string | undefined) => on !== undefined && (last || on <= day);
      const who = applicantFor(a.bundle);
      if (a.outcome) {
        if (!a.followUps || !due(a.followUps.on) || !(last || isWorkday(day))) return false;
        for (const f of a.followUps.run.splice(0)) await f();
        return true;
      }
      if (!a.caseId) {
        if (a.submitOn !== day) return false;
        const s = await submitCase(a.bundle);
        a.caseId = s.caseId;
        a.values = s.values;
        applicantOf.set(a.caseId, who);
        if (a.fate === 'withdraw') a.withdrawOn = nextDay(day, 1 + Math.floor(random() * 4));
      }
      const rest = await settle(a);
      if (['issued', 'rejected', 'withdrawn'].includes(rest.status)) {
        a.outcome = {
          caseId: a.caseId,
          bundleId: a.bundle.id,
          status: rest.status,
          corrections: rest.body.correctionRound as number,
        };
        const run = await evaluate(a.outcome, routes);
        a.followUps = { on: nextWorkday(day), run };
        process.stdout.write(
          `  ${day} ${a.bundle.id.padEnd(38)} ${rest.status}${a.outcome.corrections ? ` after ${a.outcome.corrections} correction round` : ''} (submitted ${a.submitOn})\n`,
        );
        return true;
      }
      if (due(a.withdrawOn)) {
        a.withdrawOn = undefined;
        const r = await api('POST', `/v1/cases/${a.caseId}/withdrawal`, asApplicant(who), {});
        return r.status < 300;
      }
      if (rest.status === 'awaiting_correction') {
        a.answerCorrectionOn ??= nextDay(day, 1 + Math.floor(random() * 3));
        if (!due(a.answerCorrectionOn)) return false;
        a.answerCorrectionOn = undefined;
        const r = await api(
          'POST',
          `/v1/cases/${a.caseId}/supplements`,
          asApplicant(who),
          supplementOf(a.values!),
        );
        if (r.status !== 202) throw new Error(`supplement of ${a.caseId}: ${JSON.stringify(r.body)}`);
        return true;
      }
      let acted = false;
      for (const t of rest.open) {
        if (!a.decideOn.has(t.id)) {
          // Acceptance the next working day; a review on a working day within its committed days.
          const room = t.dueAt ? workingDaysBetween(new Date(atChina(day, 12)), new Date(t.dueAt)) : 1;
          const after = t.kind === 'acceptance' ? 1 : Math.floor(random() * Math.min(Math.max(room, 1), 4));
          a.decideOn.set(
            t.id,
            after === 0 && isWorkday(day)
              ? day
              : chinaDate(addWorkingDays(new Date(atChina(day, 12)), Math.max(after, 1))),
          );
        }
        if (!due(a.decideOn.get(t.id)) || !(last || isWorkday(day))) continue;
        const decision = decisionFor(a.fate, t.kind, a.corrected);
        if (decision.outcome === 'correct') a.corrected = true;
        const r = await api('POST', `/v1/tasks/${t.id}/decision`, asDepartment(t.departmentId), decision);
        if (r.status === 200) {
          a.decided.add(t.id);
          acted = true;
        }
      }
      return acted;
    };

    for (const day of days) {
      const last = day === today;
      // 09:00 CST of the day (today: now, if earlier), the time then running on.
      clock.setSimulatedNow(last ? Math.min(atChina(day, 9), clock.realNow()) : atChina(day, 9));
      await freshTokens();
      const busy = agents.filter((a) => !a.failed && (a.caseId || a.submitOn === day));
      for (let round = 0; round < 20; round++) {
        let acted = false;
        await pool(busy, async (a) => {
          try {
            if (await act(a, day, last)) acted = true;
          } catch (err) {
            a.failed = (err as Error).message;
            process.stdout.write(`  ${day} ${a.bundle.id}: failed — ${a.failed}\n`);
          }
        });
        if (!acted) break;
      }
    }
    const outcomes = agents.flatMap((a) => (a.outcome ? [a.outcome] : []));
    const open = agents.filter((a) => a.caseId && !a.outcome).length;
    const failed = agents.filter((a) => a.failed).length;
    process.stdout.write(
      `Done: ${summary(outcomes)}${open ? `; ${open} still open` : ''}${failed ? `; ${failed} failed` : ''}.\n`,
    );
  } finally {
    await stack.stop();
    unlock();
  }
  process.stdout.write(
    `The data is kept in ${persistDir}. Next:\n  npm start -- --persist      (the stack on that data)\n  npm run reform:report       (in another terminal: the last 30 days measured)\n`,
  );
  process.exit(0);
}

const summary = (outcomes: readonly Outcome[]) => {
  const by = (s: string) => outcomes.filter((o) => o.status === s).length;
  return `${by('issued')} issued (${outcomes.filter((o) => o.status === 'issued' && o.corrections === 0).length} first time), ${by('rejected')} rejected, ${by('withdrawn')} withdrawn`;
};

(LIVE ? live() : simulatedMonth()).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
