/**
 * One wait through the whole review (core/flow/steps.ts answerWait), end to end: the acceptance's
 * token carries on through every opening of 身后一件事, including one that mixes stage numbers —
 * what became ready together — which the saturation bench found stuck (2026-12-02): decided in
 * this order, the last first-stage review opens 丧葬费减免 (stage 1, opened early), 公积金继承提取
 * (stage 1) and 养老待遇停发 (stage 2, opened early) as one opening.
 */
import { describe, expect, it } from 'vitest';
import { buildApplication, decide, eventually, getCase, pendingTask, submit } from './portal.ts';

const BUNDLE = 'after-death';
const LEAD = 'civil-affairs';
const approve = { outcome: 'approve', opinion: '同意' };

async function approveReview(departmentId: string, caseId: string, service: string) {
  const task = await eventually(
    () => pendingTask(departmentId, caseId, 'review'),
    (t) => t.services.includes(service),
    `${departmentId}'s review of ${service}`,
  );
  const r = await decide(task.id, departmentId, approve);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

describe('one wait through the whole review', () => {
  it('issues 身后一件事 when one opening mixes a stage-1 and a stage-2 review', async () => {
    const submitted = await submit(await buildApplication(BUNDLE));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    expect((await decide(acceptance.id, LEAD, approve)).status).toBe(200);

    // 死亡医学证明 first: 户口注销 and 丧葬费减免 open early; 户口注销 approved opens 养老待遇停发 early.
    await approveReview('health', caseId, 'death-medical-certificate');
    await approveReview('public-security', caseId, 'death-household-cancellation');
    for (const [d, s] of [
      ['veterans-affairs', 'veteran-death-benefits'],
      ['healthcare-security', 'medical-insurance-termination'],
      ['disabled-persons-federation', 'disability-certificate-cancellation'],
      // The last of the first stage: the next opening is 丧葬费减免, 公积金继承提取 and 养老待遇停发.
      ['justice', 'inheritance-notarization'],
    ] as const)
      await approveReview(d, caseId, s);
    await approveReview('civil-affairs', caseId, 'funeral-service-fee-waiver');
    await approveReview('hrss', caseId, 'pension-death-benefits');
    await approveReview('housing-fund', caseId, 'housing-fund-inheritance-withdrawal');

    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );
    expect(done.body.status).toBe('issued');
  });
});
