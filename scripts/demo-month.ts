/**
 * `npm run demo:month [-- --cases 60 --seed 1 --concurrency 4]`: fills the running local stack
 * (`npm start`; its .local/credentials.json) with a synthetic month of work through the HTTP API
 * only, as portals, applicants and departments would: cases of many bundles, accepted online or at
 * the places' counters, most approved at once, some after one correction round, some refused at
 * acceptance, some withdrawn; and — where the stack has the routes — 好差评 ratings of the final
 * cases and 12345 inquiries answered by the departments. Then `npm run reform:report` reads
 * GET /v1/statistics.
 *
 * The API takes no backdated submissions, so the month's volume lands on today's China date: the
 * statistics count it today, with the working days the cases really took (none, on a demo stack).
 * Seeded (`--seed`): the same seed makes the same choices.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

const localDir = process.env.LOCAL_DIR ?? join(repoRoot, '.local');
const creds = JSON.parse(readFileSync(join(localDir, 'credentials.json'), 'utf8')) as DemoCredentials;
const city = process.env.CITY ?? 'changzhou';
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

async function oneCase(bundle: { id: string; audience?: string }, fate: Fate): Promise<Outcome> {
  const who = bundle.audience === 'organisation' ? ORGANISATION : PERSON;
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
  const caseId = submitted.body.id as string;

  let corrected = false;
  const decided = new Set<string>();
  for (let i = 0; i < 1200; i++) {
    const c = await api('GET', `/v1/cases/${caseId}`, asApplicant(who));
    const status = c.body.status as string;
    if (['issued', 'rejected', 'withdrawn'].includes(status))
      return { caseId, bundleId: bundle.id, status, corrections: c.body.correctionRound as number };
    if (status === 'awaiting_correction') {
      const field = Object.keys(values)[0];
      const r = await api('POST', `/v1/cases/${caseId}/supplements`, asApplicant(who), {
        form: field ? { [field]: values[field] } : {},
      });
      if (r.status !== 202) throw new Error(`supplement of ${caseId}: ${JSON.stringify(r.body)}`);
    }
    if (fate === 'withdraw' && (status === 'in_review' || random() < 0.3)) {
      await api('POST', `/v1/cases/${caseId}/withdrawal`, asApplicant(who), {});
      continue;
    }
    for (const t of c.body.tasks as { id: string; kind: string; status: string; departmentId: string }[]) {
      if (t.status !== 'pending' || t.kind === 'supplement' || decided.has(t.id)) continue;
      const decision =
        fate === 'refuse' && t.kind === 'acceptance'
          ? { outcome: 'reject', opinion: '不符合受理条件' }
          : fate === 'correct' && t.kind === 'review' && !corrected
            ? {
                outcome: 'correct',
                opinion: '材料需补正',
                corrections: [{ message: '请补充或更正申请信息' }],
              }
            : { outcome: 'approve', opinion: '同意' };
      if (decision.outcome === 'correct') corrected = true;
      const r = await api('POST', `/v1/tasks/${t.id}/decision`, asDepartment(t.departmentId), decision);
      if (r.status === 200) decided.add(t.id);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} did not end`);
}

/** 好差评 and 12345, where this stack has the routes (API contract, "Evaluation"). */
async function evaluate(o: Outcome, routes: Set<string>) {
  const who = applicantOf.get(o.caseId)!;
  if (routes.has('/v1/cases/{caseId}/rating')) {
    const overall = pick([5, 5, 5, 5, 4, 4, 3, 2, 1]);
    const rated = await api('POST', `/v1/cases/${o.caseId}/rating`, asApplicant(who), {
      overall,
      ...(overall <= 2 ? { comment: '等待时间较长' } : {}),
    });
    // 整改: most departments rated 差评 rectify, and call the applicant back (回访).
    for (const r of (rated.body.rectifications ?? []) as { id: string; departmentId: string }[])
      if (routes.has('/v1/rectifications/{rectificationId}/completion') && random() < 0.7)
        await api('POST', `/v1/rectifications/${r.id}/completion`, asDepartment(r.departmentId), {
          action: '已约谈窗口人员并优化预约时段',
          followUp: { contacted: true, satisfied: random() < 0.8 },
        });
  }
  if (routes.has('/v1/inquiries') && random() < 0.25) {
    const q = await api('POST', '/v1/inquiries', asApplicant(who), {
      kind: pick(['consultation', 'consultation', 'complaint', 'suggestion']),
      text: '请问办理进度和结果领取方式？',
      caseId: o.caseId,
    });
    if (q.status === 201 && routes.has('/v1/inquiries/{inquiryId}/answer') && random() < 0.85)
      await api('POST', `/v1/inquiries/${q.body.id}/answer`, asDepartment(q.body.departmentId), {
        text: '已办结，结果已推送至您的账户。',
      });
  }
}

const applicantOf = new Map<string, string>();

async function main() {
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
        await evaluate(o, routes);
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
  const by = (s: string) => outcomes.filter((o) => o.status === s).length;
  process.stdout.write(
    `Done: ${by('issued')} issued (${outcomes.filter((o) => o.status === 'issued' && o.corrections === 0).length} first time), ${by('rejected')} rejected, ${by('withdrawn')} withdrawn. Now: npm run reform:report\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
