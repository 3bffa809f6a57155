/**
 * 12345 through the HTTP API: a complaint about a case reaches the department holding its current
 * task, with a deadline of 5 working days; the department answers it once and the applicant reads
 * the answer; an overdue one shows in supervision — to its department and to supervisors only. The
 * hotline (a caller kind of its own) files calls for the applicant named, who sees them too.
 */
import { describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../core/time/working-days.ts';
import { backdateInquiry } from './evaluation-clock.ts';
import {
  applicantAuth,
  buildApplication,
  caseAuth,
  DEFAULT_ORGANISATION,
  DEFAULT_PERSON,
  decide,
  demoApplicant,
  departmentAuth,
  pendingTask,
  portalKey,
  submit,
} from './portal.ts';
import { call, isLocalTarget, target } from './target.ts';

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration', 'company-seal-filing'];
const LEAD = 'market-regulation';
const POLICE = 'public-security';

const hotlineAuth = () => ({ authorization: `Bearer ${target().credentials.hotline!.token}` });

/** A 企业开办 case whose registration is approved: the seal filing (the police's) is its open task. */
async function caseAtThePolice() {
  const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const caseId = submitted.body.id as string;
  await decide((await pendingTask(LEAD, caseId, 'acceptance')).id, LEAD, {
    outcome: 'approve',
    opinion: '予以受理',
  });
  await decide((await pendingTask(LEAD, caseId, 'review')).id, LEAD, { outcome: 'approve', opinion: '同意' });
  await pendingTask(POLICE, caseId, 'review');
  return caseId;
}

const ask = (caseId: string, body: Record<string, unknown>) =>
  call('POST', '/v1/inquiries', { headers: caseAuth(caseId), body: { caseId, ...body } });
const inquiryOf = (id: string, headers: Record<string, string>) =>
  call('GET', `/v1/inquiries/${id}`, { headers });
const supervision = (departmentId: string) =>
  call('GET', '/v1/supervision', { headers: departmentAuth(departmentId) });
const answer = (id: string, departmentId: string, text = '已督促办理，今日出件。') =>
  call('POST', `/v1/inquiries/${id}/answer`, { headers: departmentAuth(departmentId), body: { text } });

describe('12345 inquiries', () => {
  it('routes a complaint about a case to the department holding it, which answers it once for the applicant to read', async () => {
    const caseId = await caseAtThePolice();
    const before = Date.now();
    const filed = await ask(caseId, { kind: 'complaint', text: '公章刻制迟迟未办' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body).toMatchObject({ kind: 'complaint', status: 'open', departmentId: POLICE });
    const dueAt = Date.parse(filed.body.dueAt);
    expect(dueAt).toBeGreaterThanOrEqual(addWorkingDays(new Date(before), 5).getTime());
    expect(dueAt).toBeLessThanOrEqual(addWorkingDays(new Date(), 5).getTime());
    const id = filed.body.id as string;

    // The applicant follows it; anyone else — another applicant, or through another portal — cannot.
    const mine = await inquiryOf(id, caseAuth(caseId));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      id,
      caseId,
      bundleId: BUNDLE,
      status: 'open',
      overdue: false,
      channel: 'portal',
    });
    expect((await inquiryOf(id, applicantAuth('yunhe-digital'))).status).toBe(404);
    expect((await inquiryOf(id, applicantAuth(DEFAULT_ORGANISATION, 1))).status).toBe(404);
    const listed = await call('GET', '/v1/me/inquiries', { headers: caseAuth(caseId) });
    expect(listed.body.items[0]).toMatchObject({ id, status: 'open' });

    // In the police's list, open ones first; not the lead's to see or answer.
    const inbox = await call('GET', `/v1/departments/${POLICE}/inquiries?limit=100`, {
      headers: departmentAuth(POLICE),
    });
    expect(inbox.status).toBe(200);
    const statuses = (inbox.body.items as { status: string }[]).map((q) => q.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => (a === b ? 0 : a === 'open' ? -1 : 1)));
    expect(inbox.body.items.find((q: { id: string }) => q.id === id)).toMatchObject({
      text: '公章刻制迟迟未办',
    });
    expect(
      (await call('GET', `/v1/departments/${POLICE}/inquiries`, { headers: departmentAuth(LEAD) })).status,
    ).toBe(403);
    expect((await answer(id, LEAD)).status).toBe(403);

    const answered = await answer(id, POLICE);
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', answer: { text: '已督促办理，今日出件。' } });
    expect((await answer(id, POLICE, '再答一次')).status).toBe(409);
    expect((await inquiryOf(id, caseAuth(caseId))).body).toMatchObject({
      status: 'answered',
      answer: { text: '已督促办理，今日出件。' },
    });
  });

  it.skipIf(!isLocalTarget())(
    'shows an open inquiry past its deadline in supervision, until it is answered',
    async () => {
      const caseId = await caseAtThePolice();
      const filed = await ask(caseId, { kind: 'complaint', text: '超过承诺时限' });
      expect(filed.status).toBe(201);
      const id = filed.body.id as string;
      const ids = (r: Awaited<ReturnType<typeof supervision>>) =>
        (r.body.overdueInquiries as { id: string }[]).map((q) => q.id);
      expect(ids(await supervision(POLICE))).not.toContain(id);

      await backdateInquiry(id);

      const police = await supervision(POLICE);
      expect(police.body.overdueInquiries.find((q: { id: string }) => q.id === id)).toMatchObject({
        caseId,
        kind: 'complaint',
        departmentId: POLICE,
        overdue: true,
      });
      expect(police.body.totals.overdueInquiries).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(police.body)).not.toContain('超过承诺时限'); // supervision sees no texts
      expect(ids(await supervision('supervision'))).toContain(id);
      expect(ids(await supervision(LEAD))).not.toContain(id);
      expect((await inquiryOf(id, caseAuth(caseId))).body.overdue).toBe(true);

      expect((await answer(id, POLICE)).status).toBe(200);
      expect(ids(await supervision('supervision'))).not.toContain(id);
    },
  );

  it('files a hotline call for the applicant named, routed to the bundle’s lead; the applicant sees it in any portal', async () => {
    const person = demoApplicant(DEFAULT_PERSON);
    const filed = await call('POST', '/v1/hotline/inquiries', {
      headers: hotlineAuth(),
      body: {
        kind: 'consultation',
        text: '新生儿落户需要哪些材料？',
        bundleId: 'newborn',
        applicant: { kind: 'person', name: person.name, idNumber: person.idNumber },
      },
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const lead = (await call('GET', '/v1/bundles/newborn')).body.leadDepartment.id;
    expect(filed.body).toMatchObject({ kind: 'consultation', status: 'open', departmentId: lead });
    const id = filed.body.id as string;

    for (const portal of [0, 1]) {
      const listed = await call('GET', '/v1/me/inquiries?limit=100', {
        headers: applicantAuth(DEFAULT_PERSON, portal),
      });
      expect(listed.body.items.find((q: { id: string }) => q.id === id)).toMatchObject({
        channel: 'hotline',
      });
    }
    expect((await inquiryOf(id, applicantAuth(DEFAULT_PERSON))).status).toBe(200);
    expect((await inquiryOf(id, applicantAuth('liu-yang'))).status).toBe(404);
    const followed = await call('GET', `/v1/hotline/inquiries/${id}`, { headers: hotlineAuth() });
    expect(followed.body).toMatchObject({ id, bundleId: 'newborn', status: 'open' });

    // The hotline's token is no department's, and a department's is not the hotline's.
    expect((await call('GET', `/v1/departments/${lead}/inquiries`, { headers: hotlineAuth() })).status).toBe(
      401,
    );
    expect((await call('GET', `/v1/hotline/inquiries/${id}`, { headers: departmentAuth(lead) })).status).toBe(
      401,
    );
    expect((await call('GET', `/v1/hotline/inquiries/${id}`, { headers: portalKey() })).status).toBe(401);
  });

  it('files nothing about another applicant’s case, nor without a subject', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
    const caseId = submitted.body.id as string;
    const stranger = await call('POST', '/v1/inquiries', {
      headers: applicantAuth('yunhe-digital'),
      body: { kind: 'complaint', text: '…', caseId },
    });
    expect(stranger.status).toBe(404);
    const viaHotline = await call('POST', '/v1/hotline/inquiries', {
      headers: hotlineAuth(),
      body: {
        kind: 'complaint',
        text: '…',
        caseId,
        applicant: { kind: 'organisation', name: '某公司', uscc: demoApplicant('yunhe-digital').uscc },
      },
    });
    expect(viaHotline.status).toBe(404);
    const aboutNothing = await call('POST', '/v1/inquiries', {
      headers: applicantAuth(),
      body: { kind: 'suggestion', text: '建议增加夜间窗口' },
    });
    expect(aboutNothing.status).toBe(422);
    expect(aboutNothing.body.errors.map((e: { code: string }) => e.code)).toEqual(['subject_required']);
  });
});
