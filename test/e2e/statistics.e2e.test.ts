/**
 * GET /v1/statistics equals a recount from the cases themselves. Four cases are driven through
 * HTTP — issued first time, issued after one correction round, refused at acceptance, withdrawn —
 * then recounted here from GET /v1/cases/{id} with the KPIs' definitions, and compared with what
 * the statistics gained meanwhile. Other tests run on the same stack at the same time, so the
 * cases are accepted at a place no other test uses (溧阳市) and the comparison is of the deltas of
 * that place's statistics (and of the city's breakdown by place). Ratings of two of them are
 * recounted likewise, for the department that accepted them at that place's counter.
 */
import { describe, expect, it } from 'vitest';
import { chinaDate, workingDaysBetween } from '../../core/time/working-days.ts';
import {
  buildApplication,
  caseAuth,
  decide,
  departmentAuth,
  eventually,
  getCase,
  pendingTask,
  submit,
} from './portal.ts';
import { call } from './target.ts';

/** No other test accepts cases here: its statistics move only with this file's cases. */
const PLACE = 'liyang';
const BUNDLE = 'enterprise-opening';
const SERVICE = 'enterprise-establishment-registration';
const LEAD = 'market-regulation';

const day = (offset: number) => chinaDate(new Date(Date.now() + offset * 86_400_000));
/** Yesterday to tomorrow (China dates): the cases' days whatever the time of the run. */
const PERIOD = { from: day(-1), to: day(1) };

type Stats = Record<string, unknown> & { byPlace?: ({ placeId: string } & Record<string, unknown>)[] };

async function statistics(query: Record<string, string>): Promise<Stats> {
  const r = await call('GET', `/v1/statistics?${new URLSearchParams({ ...PERIOD, ...query })}`, {
    headers: departmentAuth('supervision'),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Stats;
}

/** The enterprise name each case applied with (the correction asks to change it). */
const names = new Map<string, string>();

async function submitted(): Promise<string> {
  const application = { ...(await buildApplication(BUNDLE, [SERVICE])), acceptedAt: PLACE };
  const res = await submit(application);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  names.set(res.body.id, String(application.form.enterpriseName));
  return res.body.id as string;
}

/**
 * The case's pending task of `kind` and round, whoever holds it (通办: the accepting place's
 * counterpart accepts, the deciding place reviews): read from the case, then decided by its holder.
 */
async function decidePending(caseId: string, kind: string, decision: Record<string, unknown>, round = 0) {
  type Task = { id: string; kind: string; round: number; status: string; departmentId: string };
  const find = (tasks: Task[]) =>
    tasks.find((t) => t.kind === kind && t.round === round && t.status === 'pending');
  const c = await eventually(
    () => getCase(caseId),
    (r) => find(r.body.tasks ?? []) !== undefined,
    `${kind} task of ${caseId}`,
  );
  const task = find(c.body.tasks)!;
  await pendingTask(task.departmentId, caseId, kind as 'acceptance' | 'review', round); // in its inbox
  const res = await decide(task.id, task.departmentId, decision);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const ended = (caseId: string, status: string) =>
  eventually(
    () => getCase(caseId),
    (r) => r.body.status === status,
    `${caseId} ${status}`,
  );

async function issuedFirstTime(): Promise<string> {
  const caseId = await submitted();
  await decidePending(caseId, 'acceptance', { outcome: 'approve' });
  await decidePending(caseId, 'review', { outcome: 'approve' });
  await ended(caseId, 'issued');
  return caseId;
}

async function issuedAfterOneCorrection(): Promise<string> {
  const caseId = await submitted();
  await decidePending(caseId, 'acceptance', { outcome: 'approve' });
  await decidePending(caseId, 'review', {
    outcome: 'correct',
    opinion: '企业名称不规范',
    corrections: [{ path: '/form/enterpriseName', message: '企业名称须与名称自主申报结果一致' }],
  });
  await ended(caseId, 'awaiting_correction');
  const supplement = await call('POST', `/v1/cases/${caseId}/supplements`, {
    headers: caseAuth(caseId),
    body: { form: { enterpriseName: `${names.get(caseId)}（已更正）` } },
  });
  expect(supplement.status, JSON.stringify(supplement.body)).toBe(202);
  await decidePending(caseId, 'review', { outcome: 'approve' }, 1);
  await ended(caseId, 'issued');
  return caseId;
}

async function refused(): Promise<string> {
  const caseId = await submitted();
  await decidePending(caseId, 'acceptance', {
    outcome: 'reject',
    opinion: '不属于本部门受理范围',
  });
  await ended(caseId, 'rejected');
  return caseId;
}

async function withdrawn(): Promise<string> {
  const caseId = await submitted();
  const res = await call('POST', `/v1/cases/${caseId}/withdrawal`, { headers: caseAuth(caseId), body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  await ended(caseId, 'withdrawn');
  return caseId;
}

type CaseBody = {
  status: string;
  createdAt: string;
  updatedAt: string;
  dueAt: string;
  correctionRound: number;
  delivery: string;
  materials: { materialId?: string; sharedData?: boolean }[];
};

/** The KPIs' counts, recounted from the cases as GET /v1/cases/{id} shows them. */
function recount(cases: readonly CaseBody[]) {
  const issued = cases.filter((c) => c.status === 'issued');
  const decided = cases.filter((c) => c.status === 'issued' || c.status === 'rejected');
  const final = cases.filter((c) => ['issued', 'rejected', 'withdrawn'].includes(c.status));
  // A final case changes no more: its last update is the moment it became final.
  const finalAt = (c: CaseBody) => new Date(c.updatedAt);
  return {
    cases: cases.length,
    finals: final.length,
    issued: issued.length,
    rejected: cases.filter((c) => c.status === 'rejected').length,
    withdrawn: cases.filter((c) => c.status === 'withdrawn').length,
    issuedFirstTime: issued.filter((c) => c.correctionRound === 0).length,
    decided: decided.length,
    overdue: decided.filter((c) => finalAt(c).getTime() > Date.parse(c.dueAt)).length,
    correctionRounds: final.reduce((n, c) => n + c.correctionRound, 0),
    visits: issued.filter((c) => c.delivery !== 'electronic').length, // no inspections in this bundle's service
    electronicDeliveries: issued.filter((c) => c.delivery === 'electronic').length,
    materialsUploaded: cases.reduce(
      (n, c) => n + c.materials.filter((m) => m.materialId && !m.sharedData).length,
      0,
    ),
    materialsReused: cases.reduce((n, c) => n + c.materials.filter((m) => m.sharedData).length, 0),
    workingDays: decided.reduce((n, c) => n + workingDaysBetween(new Date(c.createdAt), finalAt(c)), 0),
  };
}

const COUNTED = [
  'cases',
  'finals',
  'issued',
  'rejected',
  'withdrawn',
  'issuedFirstTime',
  'decided',
  'overdue',
  'correctionRounds',
  'visits',
  'electronicDeliveries',
  'materialsUploaded',
  'materialsReused',
] as const;

const num = (s: Record<string, unknown> | undefined, k: string) =>
  typeof s?.[k] === 'number' ? (s[k] as number) : 0;
const deltas = (before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined) =>
  Object.fromEntries(COUNTED.map((k) => [k, num(after, k) - num(before, k)]));

describe('GET /v1/statistics against a recount of the cases', () => {
  it('a case with one correction round counts against 一次办成率', async () => {
    // Prepare: what the place and the city's breakdown say now.
    const [placeBefore, cityBefore] = await Promise.all([statistics({ placeId: PLACE }), statistics({})]);

    // Act: four cases, each to its end.
    const ids = await Promise.all([issuedFirstTime(), issuedAfterOneCorrection(), refused(), withdrawn()]);

    // Assess: the statistics gained exactly what the cases themselves add up to.
    const cases = await Promise.all(ids.map(async (id) => (await getCase(id)).body as CaseBody));
    expect(cases.map((c) => [c.status, c.correctionRound])).toEqual([
      ['issued', 0],
      ['issued', 1],
      ['rejected', 0],
      ['withdrawn', 0],
    ]);
    const expected = recount(cases);
    const [placeAfter, cityAfter] = await Promise.all([statistics({ placeId: PLACE }), statistics({})]);
    const { workingDays, ...counted } = expected;
    expect(deltas(placeBefore, placeAfter)).toEqual(counted);
    const inBreakdown = (s: Stats) => s.byPlace?.find((p) => p.placeId === PLACE);
    expect(deltas(inBreakdown(cityBefore), inBreakdown(cityAfter))).toEqual(counted);

    // Two issued, one of them after a correction round: 一次办成 is one in two.
    expect(counted.issued).toBe(2);
    expect(counted.issuedFirstTime).toBe(1);
    // Average working days: the decided cases' sum, as the place's average says.
    const decidedAfter = num(placeAfter, 'decided');
    const daysBefore = num(placeBefore, 'averageWorkingDays') * num(placeBefore, 'decided');
    expect(num(placeAfter, 'averageWorkingDays') * decidedAfter - daysBefore).toBeCloseTo(workingDays, 1);
    expect(placeAfter.firstTimeSuccessRate).toBe(
      Math.round((num(placeAfter, 'issuedFirstTime') / num(placeAfter, 'issued')) * 10_000) / 10_000,
    );
  });

  it('counts 好差评 and 差评整改 as the ratings and rectifications themselves say', async () => {
    // The acceptance at 溧阳's counter makes 溧阳's market regulation the department answerable for
    // a rating's overall score: its cell moves with this file's cases only.
    const caseIds = await Promise.all([issuedFirstTime(), refused()]);
    const acceptedBy = (await getCase(caseIds[0]!)).body.tasks.find(
      (t: { kind: string }) => t.kind === 'acceptance',
    ).departmentId as string;
    expect(acceptedBy).toBe(`${PLACE}-${LEAD}`);
    const before = await statistics({ departmentId: acceptedBy });

    const scores = [5, 1];
    const rated = await Promise.all(
      caseIds.map((caseId, i) =>
        call('POST', `/v1/cases/${caseId}/rating`, {
          headers: caseAuth(caseId),
          body: { overall: scores[i] },
        }),
      ),
    );
    for (const r of rated) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const rectifications = rated.flatMap(
      (r) => r.body.rectifications as { id: string; departmentId: string }[],
    );
    const own = rectifications.filter((r) => r.departmentId === acceptedBy);
    for (const r of own) {
      const done = await call('POST', `/v1/rectifications/${r.id}/completion`, {
        headers: departmentAuth(acceptedBy),
        body: { action: '已约谈窗口人员', followUp: { contacted: true, satisfied: true } },
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    const after = await statistics({ departmentId: acceptedBy });

    // Recount from the ratings as GET /v1/cases/{id}/rating shows them.
    const shown = await Promise.all(
      caseIds.map(
        async (caseId) =>
          (await call('GET', `/v1/cases/${caseId}/rating`, { headers: caseAuth(caseId) })).body,
      ),
    );
    const overall = shown.map((r) => r.overall as number);
    const d = (k: string) => num(after, k) - num(before, k);
    expect(d('ratings')).toBe(overall.length);
    expect(d('badRatings')).toBe(overall.filter((x) => x <= 2).length);
    expect(d('rectificationsOpened')).toBe(own.length);
    expect(d('rectificationsCompleted')).toBe(own.length);
    expect(own.length).toBeGreaterThan(0);
    expect(d('satisfiedRatings')).toBe(overall.filter((x) => x >= 4).length);
    expect(after.satisfactionRate).toBe(
      Math.round((num(after, 'satisfiedRatings') / num(after, 'ratings')) * 10_000) / 10_000,
    );
  });

  it('refuses a reversed or too long period, and another department’s figures', async () => {
    const q = (query: string, who = 'supervision') =>
      call('GET', `/v1/statistics?${query}`, { headers: departmentAuth(who) });
    const reversed = await q('from=2026-12-02&to=2026-12-01');
    expect(reversed.status).toBe(422);
    expect(reversed.body.errors.map((e: { code: string }) => e.code)).toEqual(['invalid_range']);
    expect((await q('from=2024-01-01&to=2025-06-30')).body.errors[0].code).toBe('range_too_long');
    expect((await q('departmentId=tax', LEAD)).status).toBe(403);
    const own = await q('', LEAD);
    expect(own.status).toBe(200);
    expect(own.body.filter).toEqual({ departmentId: LEAD });
  });
});
