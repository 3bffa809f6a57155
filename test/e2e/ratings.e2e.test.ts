/**
 * 好差评 through the HTTP API: a final case is rated once by its applicant on the five-level scale;
 * a 差评 opens a rectification (整改) for the lead department (overall) and for each department
 * rated 不满意 or worse, in the same transaction; each department sees its own, completes it once
 * with the 回访 result; supervision shows the open ones and flags the overdue.
 */
import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../core/time/working-days.ts';
import { backdateRectification } from './evaluation-clock.ts';
import {
  applicantAuth,
  buildApplication,
  caseAuth,
  decide,
  departmentAuth,
  eventually,
  getCase,
  pendingTask,
  submit,
} from './portal.ts';
import { call, isLocalTarget } from './target.ts';

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing'];
const LEAD = 'market-regulation';
const POLICE = 'public-security';

/** A case of 企业设立登记 + 公章刻制 by the demo enterprise, driven to `issued` through HTTP. */
async function issuedCase() {
  const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const caseId = submitted.body.id as string;
  await decide((await pendingTask(LEAD, caseId, 'acceptance')).id, LEAD, {
    outcome: 'approve',
    opinion: '予以受理',
  });
  for (const d of [LEAD, POLICE])
    await decide((await pendingTask(d, caseId, 'review')).id, d, { outcome: 'approve', opinion: '同意' });
  await eventually(
    () => getCase(caseId),
    (r) => r.body.status === 'issued',
    'issued',
  );
  return caseId;
}

const rating = (caseId: string) => call('GET', `/v1/cases/${caseId}/rating`, { headers: caseAuth(caseId) });
const rate = (caseId: string, body: unknown) =>
  call('POST', `/v1/cases/${caseId}/rating`, { headers: caseAuth(caseId), body });
const rectifications = (departmentId: string) =>
  call('GET', `/v1/departments/${departmentId}/rectifications?limit=100`, {
    headers: departmentAuth(departmentId),
  });
const supervision = (departmentId: string) =>
  call('GET', '/v1/supervision', { headers: departmentAuth(departmentId) });
const complete = (id: string, departmentId: string) =>
  call('POST', `/v1/rectifications/${encodeURIComponent(id)}/completion`, {
    headers: departmentAuth(departmentId),
    body: {
      action: '增设自助取号机，缩短窗口等候',
      followUp: { contacted: true, satisfied: true, note: '电话回访' },
    },
  });

describe('rating a case (好差评)', () => {
  it('refuses to rate a case that is not final, with case_not_final, and says it is not ratable yet', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
    const caseId = submitted.body.id as string;

    const early = await rate(caseId, { overall: 5 });
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('case_not_final');
    const shown = await rating(caseId);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ caseId, rated: false, ratable: false });
    expect(shown.body.scale.map((s: { label: string }) => s.label)).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
    ]);
  });

  it('takes one rating of a final case; a 差评 opens rectifications that the departments complete once, tracked by supervision', async () => {
    const caseId = await issuedCase();
    expect((await rating(caseId)).body).toMatchObject({ rated: false, ratable: true });

    // Only departments that worked on the case may be scored — every wrong one listed.
    const stranger = await rate(caseId, { overall: 3, departments: [{ departmentId: 'tax', score: 1 }] });
    expect(stranger.status).toBe(422);
    expect(stranger.body.errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`)).toEqual([
      '/departments/0/departmentId department_not_involved',
    ]);
    // Another applicant's case is a missing one.
    const other = await call('POST', `/v1/cases/${caseId}/rating`, {
      headers: applicantAuth('yunhe-digital'),
      body: { overall: 1 },
    });
    expect(other.status).toBe(404);

    const before = Date.now();
    const rated = await rate(caseId, {
      overall: 2,
      departments: [
        { departmentId: LEAD, score: 4 },
        { departmentId: POLICE, score: 1 },
      ],
      comment: '公章刻制等候时间过长',
    });
    expect(rated.status, JSON.stringify(rated.body)).toBe(201);
    expect(rated.body).toMatchObject({
      caseId,
      rated: true,
      overall: 2,
      overallLabel: '不满意',
      departments: [
        { departmentId: LEAD, score: 4, label: '满意' },
        { departmentId: POLICE, score: 1, label: '非常不满意' },
      ],
      comment: '公章刻制等候时间过长',
    });
    // The overall 差评 is the lead's to answer for, the police's own score theirs: two rectifications.
    const opened = rated.body.rectifications as {
      id: string;
      departmentId: string;
      status: string;
      dueAt: string;
    }[];
    expect(opened.map((r) => [r.departmentId, r.status]).sort()).toEqual([
      [LEAD, 'open'],
      [POLICE, 'open'],
    ]);
    const dueAt = Date.parse(opened[0]!.dueAt);
    expect(dueAt).toBeGreaterThanOrEqual(addWorkingDays(new Date(before), 5).getTime());
    expect(dueAt).toBeLessThanOrEqual(addWorkingDays(new Date(), 5).getTime());

    // Immutable: a second rating is refused, and the first stands.
    const again = await rate(caseId, { overall: 5 });
    expect(again.status).toBe(409);
    expect((await rating(caseId)).body).toMatchObject({ rated: true, ratable: false, overall: 2 });
    const timeline = (await getCase(caseId)).body.timeline as { event: string }[];
    expect(timeline.filter((e) => e.event === 'rated')).toHaveLength(1);

    // Each department sees its own rectification, open, with the score and reasons behind it.
    const police = opened.find((r) => r.departmentId === POLICE)!;
    const policeList = await rectifications(POLICE);
    expect(policeList.status).toBe(200);
    expect(policeList.body.items.find((r: { id: string }) => r.id === police.id)).toMatchObject({
      caseId,
      reasons: ['department'],
      score: 1,
      scoreLabel: '非常不满意',
      status: 'open',
      overdue: false,
    });
    const leadList = await rectifications(LEAD);
    expect(leadList.body.items.find((r: { caseId: string }) => r.caseId === caseId)).toMatchObject({
      reasons: ['overall'],
      score: 2,
    });
    expect(
      (await call('GET', `/v1/departments/${LEAD}/rectifications`, { headers: departmentAuth(POLICE) }))
        .status,
    ).toBe(403);

    // Supervision: the supervisor sees both open; the police only theirs; an uninvolved department neither.
    const all = await supervision('supervision');
    expect(all.body.rectifications.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(opened.map((r) => r.id)),
    );
    const own = await supervision(POLICE);
    expect(own.body.rectifications.map((r: { id: string }) => r.id)).toContain(police.id);
    expect(own.body.rectifications.every((r: { departmentId: string }) => r.departmentId === POLICE)).toBe(
      true,
    );
    expect(JSON.stringify((await supervision('tax')).body.rectifications)).not.toContain(caseId);

    // Completed once, by its department, with the 回访; then it leaves supervision.
    expect((await complete(police.id, LEAD)).status).toBe(403);
    const done = await complete(police.id, POLICE);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({
      status: 'completed',
      completion: {
        action: '增设自助取号机，缩短窗口等候',
        followUp: { contacted: true, satisfied: true, note: '电话回访' },
      },
    });
    expect((await complete(police.id, POLICE)).status).toBe(409);
    expect(
      (await rating(caseId)).body.rectifications.find((r: { id: string }) => r.id === police.id).status,
    ).toBe('completed');
    expect(
      (await supervision('supervision')).body.rectifications.map((r: { id: string }) => r.id),
    ).not.toContain(police.id);
  });

  it.skipIf(!isLocalTarget())(
    'flags an open rectification past its deadline as overdue in supervision',
    async () => {
      const caseId = await issuedCase();
      const rated = await rate(caseId, { overall: 1 });
      expect(rated.status, JSON.stringify(rated.body)).toBe(201);
      const [rect] = rated.body.rectifications as { id: string; departmentId: string }[];
      expect(rect!.departmentId).toBe(LEAD);
      const fresh = await supervision(LEAD);
      expect(fresh.body.rectifications.find((r: { id: string }) => r.id === rect!.id).overdue).toBe(false);

      await backdateRectification(rect!.id);

      const late = await supervision(LEAD);
      expect(late.body.rectifications.find((r: { id: string }) => r.id === rect!.id)).toMatchObject({
        overdue: true,
      });
      expect(late.body.totals.overdueRectifications).toBeGreaterThanOrEqual(1);
      const listed = await rectifications(LEAD);
      expect(listed.body.items.find((r: { id: string }) => r.id === rect!.id).overdue).toBe(true);
    },
  );
});
