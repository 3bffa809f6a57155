/**
 * What the chaos test's actors do, through HTTP only, as portals and departments would: one actor
 * per case (the applicant's portal and every department deciding that case's tasks, one step at a
 * time) following a seeded plan — corrections at acceptance or review, refusals, rejections,
 * withdrawals at a chosen status — and one actor sending client mistakes that must be answered
 * with their 4xx, faults or not.
 */
import { createHash } from 'node:crypto';
import { idNumberCheckCharacter } from '../../core/shared/identifiers.ts';
import type { Actor, Answer } from './client.ts';
import type { Prng } from './faults.ts';

export interface Credentials {
  portals: { id: string; apiKey: string }[];
  departments: { id: string; token: string }[];
  /** Demo applicants with their tokens (the case routes act for an applicant). */
  applicants?: {
    id: string;
    kind: 'person' | 'organisation';
    name: string;
    idNumber?: string;
    uscc?: string;
    token: string;
  }[];
}

/** Who the chaos bundles are for (the catalog's `audience`): cases apply as a demo applicant of that kind. */
const ORGANISATION_BUNDLES = new Set(['enterprise-opening', 'restaurant-opening']);

/** The demo applicant applying for `bundleId`, its application `applicant`, and its headers through portal `i`. */
export function applicantFor(creds: Credentials, bundleId: string, i = 0) {
  const kind = ORGANISATION_BUNDLES.has(bundleId) ? 'organisation' : 'person';
  const a = creds.applicants?.find((x) => x.kind === kind);
  if (!a) throw new Error(`the credentials hold no demo applicant of kind ${kind}`);
  return {
    headers: { 'x-api-key': creds.portals[i]!.apiKey, authorization: `Bearer ${a.token}` },
    applicant:
      a.kind === 'organisation'
        ? { kind: 'organisation', name: a.name, uscc: a.uscc, phone: '13812345678' }
        : { kind: 'person', name: a.name, idNumber: a.idNumber, phone: '13812345678' },
  };
}

/** The five detailed Changzhou bundles, each with the services a case applies for. */
export const BUNDLES: readonly { bundleId: string; services: readonly (readonly string[])[] }[] = [
  {
    bundleId: 'enterprise-opening',
    services: [
      ['enterprise-establishment-registration', 'company-seal-filing'],
      ['enterprise-establishment-registration'],
    ],
  },
  {
    bundleId: 'newborn',
    services: [
      ['birth-medical-certificate-issuance', 'birth-household-registration'],
      ['birth-medical-certificate-issuance'],
    ],
  },
  {
    bundleId: 'second-hand-housing-transfer',
    services: [['housing-contract-filing', 'electricity-account-transfer'], ['housing-contract-filing']],
  },
  {
    bundleId: 'restaurant-opening',
    services: [['food-business-license', 'restaurant-signboard'], ['food-business-license']],
  },
  {
    bundleId: 'after-death',
    services: [['death-medical-certificate', 'death-household-cancellation'], ['death-medical-certificate']],
  },
];

export const FINAL = new Set(['issued', 'rejected', 'withdrawn']);

export interface CasePlan {
  readonly index: number;
  readonly bundleId: string;
  readonly services: readonly string[];
  /** The lead department's first answer. */
  readonly acceptance: 'approve' | 'correct' | 'refuse';
  /** How many review rounds end with one department asking for a correction. */
  readonly reviewCorrections: number;
  /** Every reviewer rejects (after the corrections). */
  readonly rejectAll: boolean;
  /** The applicant withdraws when the case is first seen in this status. */
  readonly withdrawAt?: 'submitted' | 'in_review' | 'awaiting_correction';
}

export function planCase(index: number, prng: Prng): CasePlan {
  const bundle = BUNDLES[index % BUNDLES.length]!;
  const a = prng.next();
  const r = prng.next();
  const w = prng.next();
  return {
    index,
    bundleId: bundle.bundleId,
    services: prng.pick(bundle.services),
    acceptance: a < 0.7 ? 'approve' : a < 0.9 ? 'correct' : 'refuse',
    reviewCorrections: r < 0.5 ? 0 : r < 0.85 ? 1 : 2,
    rejectAll: prng.chance(0.15),
    ...(w < 0.3 ? { withdrawAt: prng.pick(['submitted', 'in_review', 'awaiting_correction'] as const) } : {}),
  };
}

export const planSummary = (p: CasePlan) =>
  `${p.index}:${p.bundleId}[${p.services.length}] accept=${p.acceptance} corrections=${p.reviewCorrections}` +
  `${p.rejectAll ? ' reject' : ''}${p.withdrawAt ? ` withdraw@${p.withdrawAt}` : ''}`;

function pdf(label: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );
}

function idNumber(prng: Prng): string {
  const first17 = `3204021990010${prng.int(1000, 9999)}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** What the case actors publish for the mistakes actor (ids to aim mistakes at). */
export interface Registry {
  readonly cases: {
    caseId: string;
    key: string;
    bundleId: string;
    application: Record<string, unknown>;
    status?: string;
  }[];
}

export interface CaseRun {
  readonly plan: CasePlan;
  caseId?: string;
  /** The submission was answered 2xx: the system accepted the case. */
  accepted: boolean;
  status?: string;
  /** Tasks the actor saw pending when it withdrew: each must now refuse a decision. */
  readonly notes: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Declares a material and PUTs its bytes; again from the start if the upload URL died with a restart. */
async function material(actor: Actor, portal: Record<string, string>, bundleId: string, type: string) {
  for (let i = 0; i < 5; i++) {
    const bytes = pdf(`${actor.name}-${type}-${i}`);
    const created = await actor.send('declare material', 'POST', '/v1/materials', {
      headers: portal,
      body: {
        bundleId,
        type,
        fileName: `${type}.pdf`,
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    });
    if (created.status !== 201)
      throw new Error(`declare ${type}: ${created.status} ${JSON.stringify(created.body)}`);
    const { url, method, headers } = created.body.upload;
    try {
      const put = await fetch(url, { method, headers, body: bytes, signal: AbortSignal.timeout(10_000) });
      if (put.status < 300) {
        // As a portal does before submitting: is it verified? (S3 is read in this request's path.)
        const id = created.body.id as string;
        const shown = await actor.send('verify material', 'GET', `/v1/materials/${id}`, {
          headers: portal,
          calls: ['ddb', 's3', 's3'],
        });
        if (shown.status !== 200 || shown.body.status !== 'verified')
          throw new Error(
            `material ${id} after its upload: ${shown.status} ${String(JSON.stringify(shown.body)).slice(0, 200)}`,
          );
        return id;
      }
    } catch {
      /* s3rver restarting: declare again */
    }
    await sleep(200);
  }
  throw new Error(`could not upload ${type}`);
}

/**
 * One case from application to a final status. Stops when the case is final or `stop()` says so
 * (the settle deadline passed); every request goes through the actor (faults, retries, records).
 */
export async function runCase(
  actor: Actor,
  run: CaseRun,
  creds: Credentials,
  seed: string,
  registry: Registry,
  stop: () => boolean,
): Promise<void> {
  const { plan } = run;
  // The portal's key and the applicant's token: materials take the key, the case routes both.
  const { headers: portal, applicant } = applicantFor(creds, plan.bundleId);
  const dept = (id: string) => ({
    authorization: `Bearer ${creds.departments.find((d) => d.id === id)!.token}`,
  });
  const q = `?services=${plan.services.join(',')}`;
  const guide = await actor.send('guide', 'GET', `/v1/bundles/${plan.bundleId}/guide${q}`, { calls: [] });
  const form = await actor.send('form', 'GET', `/v1/bundles/${plan.bundleId}/form${q}`, { calls: [] });
  if (guide.status !== 200 || form.status !== 200)
    throw new Error(`guide/form of ${plan.bundleId}: ${guide.status}/${form.status}`);
  const examples = Object.entries(
    form.body.schema.properties as Record<string, { examples?: unknown[] }>,
  ).map(([k, p]) => [k, p.examples?.[0]] as const);
  const materials = [];
  for (const m of guide.body.materials as { type: string; required: boolean }[])
    if (m.required)
      materials.push({ type: m.type, materialId: await material(actor, portal, plan.bundleId, m.type) });
  const application = {
    bundleId: plan.bundleId,
    services: plan.services,
    applicant,
    form: Object.fromEntries(examples),
    materials,
    delivery: { method: 'electronic' },
  };
  const key = `chaos-${seed}-${plan.index}`;
  const submitted = await actor.send('submit', 'POST', '/v1/cases', {
    headers: { ...portal, 'idempotency-key': key },
    body: application,
    calls: ['ddb', 'ddb', 'sfn'],
  });
  if (submitted.status !== 201 && submitted.status !== 200) {
    run.notes.push(
      `submit answered ${submitted.status}: ${String(JSON.stringify(submitted.body)).slice(0, 300)}`,
    );
    return;
  }
  run.accepted = true;
  const caseId = submitted.body.id as string;
  run.caseId = caseId;
  const entry: Registry['cases'][number] = { caseId, key, bundleId: plan.bundleId, application };
  registry.cases.push(entry);

  let withdrawn = false;
  const supplementField = examples.find(([, v]) => v !== undefined);
  while (!stop()) {
    const view = await actor.send('read case', 'GET', `/v1/cases/${caseId}`, { headers: portal });
    if (view.status !== 200) {
      run.notes.push(`read case answered ${view.status}`);
      await sleep(100);
      continue;
    }
    const status = view.body.status as string;
    run.status = status;
    entry.status = status;
    if (FINAL.has(status)) return;
    type TaskView = { id: string; kind: string; status: string; round: number; departmentId: string };
    const tasks = view.body.tasks as TaskView[];
    const pending = tasks.filter((t) => t.status === 'pending' && t.kind !== 'supplement');

    if (!withdrawn && plan.withdrawAt === status) {
      withdrawn = true;
      const w = await actor.send('withdraw', 'POST', `/v1/cases/${caseId}/withdrawal`, {
        headers: portal,
        body: { reason: '申请人撤回' },
        calls: ['ddb', 'ddb', 'sfn'],
      });
      if (w.status !== 200) run.notes.push(`withdrawal answered ${w.status}`);
      // A closed task refuses decisions: try one that was pending before the withdrawal.
      const t = pending[0];
      if (w.status === 200 && t) {
        const late = await actor.send('decide after withdrawal', 'POST', `/v1/tasks/${t.id}/decision`, {
          headers: dept(t.departmentId),
          body: { outcome: 'approve', opinion: '同意' },
          calls: ['ddb', 'sfn'],
        });
        if (late.status !== 409)
          run.notes.push(
            `decision on ${t.id} after the withdrawal answered ${late.status} (a closed task must refuse: 409)`,
          );
      }
      continue;
    }
    if (status === 'awaiting_correction' && view.body.correction && supplementField) {
      const s = await actor.send('supplement', 'POST', `/v1/cases/${caseId}/supplements`, {
        headers: portal,
        body: { form: { [supplementField[0]]: supplementField[1] } },
        calls: ['ddb', 'ddb', 'sfn'],
      });
      if (s.status !== 202)
        run.notes.push(`supplement answered ${s.status}: ${String(JSON.stringify(s.body)).slice(0, 200)}`);
      continue;
    }
    if (!pending.length) {
      await sleep(150);
      continue;
    }
    const firstReviewer = pending
      .filter((t) => t.kind === 'review')
      .map((t) => t.departmentId)
      .sort()[0];
    for (const t of pending) {
      const decision = decide(plan, t, firstReviewer);
      const d = await actor.send(`decide ${t.kind}`, 'POST', `/v1/tasks/${t.id}/decision`, {
        headers: dept(t.departmentId),
        body: decision,
        calls: ['ddb', 'ddb', 'sfn'],
      });
      if (d.status !== 200)
        run.notes.push(
          `decision on ${t.id} answered ${d.status}: ${String(JSON.stringify(d.body)).slice(0, 200)}`,
        );
    }
  }
}

function decide(
  plan: CasePlan,
  t: { kind: string; round: number; departmentId: string },
  firstReviewer: string | undefined,
): Record<string, unknown> {
  if (t.kind === 'acceptance') {
    if (t.round === 0 && plan.acceptance === 'correct')
      return { outcome: 'correct', opinion: '材料不全', corrections: [{ message: '请补充申请材料' }] };
    if (plan.acceptance === 'refuse') return { outcome: 'reject', opinion: '不属于本机关职权范围' };
    return { outcome: 'approve', opinion: '予以受理' };
  }
  if (t.round < plan.reviewCorrections && t.departmentId === firstReviewer)
    return { outcome: 'correct', opinion: '信息有误', corrections: [{ message: '请核对申请信息' }] };
  if (plan.rejectAll) return { outcome: 'reject', opinion: '不符合条件' };
  return { outcome: 'approve', opinion: '同意' };
}

/** Client mistakes: each must get exactly these statuses (a 503 only when a fault hit its path). */
export async function sendMistake(actor: Actor, creds: Credentials, registry: Registry): Promise<Answer> {
  // Portal A as a demo person; for a known case, its own applicant through portal A or B.
  const a = applicantFor(creds, 'newborn', 0).headers;
  const ofCase = (c: { bundleId: string }, i: number) => applicantFor(creds, c.bundleId, i).headers;
  const lead = {
    authorization: `Bearer ${creds.departments.find((d) => d.id === 'market-regulation')!.token}`,
  };
  const known = registry.cases.length ? actor.prng.pick(registry.cases) : undefined;
  const withMaterials = registry.cases.filter((c) =>
    (c.application.materials as { materialId?: string }[]).some((m) => m.materialId),
  );
  const attached = withMaterials.length ? actor.prng.pick(withMaterials) : undefined;
  const finalCase = registry.cases.find((c) => c.status && FINAL.has(c.status));
  const key = () => `mistake-${actor.name}-${actor.prng.int(0, 1e9)}`;
  const unknownCase = `c-${'abcdefghijklmnopqrstuvwx'
    .split('')
    .map(() => actor.prng.pick([...'abcdefghijklmnopqrstuvwxyz234567']))
    .join('')}`;
  const mistakes: (() => Promise<Answer>)[] = [
    () =>
      actor.send('mistake: incomplete application', 'POST', '/v1/cases', {
        headers: { ...a, 'idempotency-key': key() },
        body: { bundleId: 'enterprise-opening', services: ['nope'], form: { contactPhone: '123' } },
        mistake: [422],
      }),
    () =>
      actor.send('mistake: no Idempotency-Key', 'POST', '/v1/cases', {
        headers: a,
        body: { bundleId: 'enterprise-opening' },
        mistake: [400],
      }),
    () =>
      actor.send('mistake: malformed JSON', 'POST', '/v1/cases', {
        headers: { ...a, 'idempotency-key': key(), 'content-type': 'application/json' },
        rawBody: '{"bundleId":',
        mistake: [400],
      }),
    () =>
      actor.send('mistake: wrong content type', 'POST', '/v1/cases', {
        headers: { ...a, 'idempotency-key': key(), 'content-type': 'text/plain' },
        rawBody: 'bundleId=enterprise-opening',
        mistake: [415],
      }),
    () =>
      actor.send('mistake: unknown case', 'GET', `/v1/cases/${unknownCase}`, { headers: a, mistake: [404] }),
    () =>
      actor.send('mistake: bad API key', 'GET', `/v1/cases/${unknownCase}`, {
        headers: { 'x-api-key': 'yjs_not-a-key-of-anyone' },
        mistake: [401],
        validCredentials: false,
      }),
    () =>
      actor.send(
        'mistake: decision on an unknown task',
        'POST',
        `/v1/tasks/${unknownCase}.r0.acceptance/decision`,
        {
          headers: lead,
          body: { outcome: 'approve', opinion: '' },
          mistake: [404],
        },
      ),
    () =>
      actor.send('mistake: invalid decision', 'POST', `/v1/tasks/${unknownCase}.r0.acceptance/decision`, {
        headers: lead,
        body: { outcome: 'maybe' },
        mistake: [422],
      }),
  ];
  if (known)
    mistakes.push(
      () =>
        actor.send("mistake: another portal's case", 'GET', `/v1/cases/${known.caseId}`, {
          headers: ofCase(known, 1),
          mistake: [404],
        }),
      () =>
        actor.send(
          "mistake: withdrawing another portal's case",
          'POST',
          `/v1/cases/${known.caseId}/withdrawal`,
          {
            headers: ofCase(known, 1),
            body: { reason: 'x' },
            mistake: [404],
          },
        ),
      () =>
        actor.send('mistake: Idempotency-Key reused with another body', 'POST', '/v1/cases', {
          headers: { ...ofCase(known, 0), 'idempotency-key': known.key },
          body: { bundleId: known.bundleId, other: true },
          mistake: [422],
        }),
    );
  if (attached)
    mistakes.push(
      // Defect 1: a material already attached to another case is a problem of the application (422).
      () =>
        actor.send('mistake: material already in another case', 'POST', '/v1/cases', {
          headers: { ...ofCase(attached, 0), 'idempotency-key': key() },
          body: {
            ...attached.application,
            applicant: { kind: 'person', name: '李四', idNumber: idNumber(actor.prng), phone: '13812345678' },
          },
          mistake: [422],
        }),
    );
  if (finalCase)
    mistakes.push(() =>
      actor.send('mistake: supplement to a final case', 'POST', `/v1/cases/${finalCase.caseId}/supplements`, {
        headers: ofCase(finalCase, 0),
        body: { form: { x: 1 } },
        mistake: [409],
      }),
    );
  return actor.prng.pick(mistakes)();
}
