/**
 * Staged dispatch opens a review the moment ITS prerequisites are approved, not when its whole
 * stage is decided (issue 15). 结婚登记 (civil affairs) is the only prerequisite of 户籍婚姻状况变更
 * (public security); health's 婚前检查 and 生育登记 are in the same first stage but are not its
 * prerequisites — so public security must not wait for health.
 */
import { describe, expect, it } from 'vitest';
import {
  buildApplication,
  decide,
  departmentAuth,
  eventually,
  getCase,
  pendingTask,
  submit,
} from './portal.ts';
import { call } from './target.ts';

const BUNDLE = 'marriage';
const LEAD = 'civil-affairs';

type Task = {
  id: string;
  kind: string;
  departmentId: string;
  status: string;
  services: string[];
  stage?: number;
};

async function inbox(departmentId: string, caseId: string): Promise<Task[]> {
  const res = await call('GET', `/v1/departments/${departmentId}/tasks?status=pending&limit=100`, {
    headers: departmentAuth(departmentId),
  });
  expect(res.status).toBe(200);
  return (res.body.items as (Task & { caseId: string })[]).filter((t) => t.caseId === caseId);
}

describe('a review opens the moment its own prerequisites are approved', () => {
  it('opens 户籍婚姻状况变更 on 结婚登记’s approval while health still reviews; decided early, the case still issues', async () => {
    const submitted = await submit(await buildApplication(BUNDLE));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    expect((await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' })).status).toBe(200);

    const registration = await pendingTask(LEAD, caseId, 'review');
    expect(registration.services).toEqual(['mar-marriage-registration']);
    const health = await pendingTask('health', caseId, 'review');
    expect(health.services.sort()).toEqual(['mar-birth-registration', 'mar-premarital-check']);
    // Before the registration is approved, public security has nothing.
    expect(await inbox('public-security', caseId)).toEqual([]);

    expect((await decide(registration.id, LEAD, { outcome: 'approve', opinion: '准予登记' })).status).toBe(
      200,
    );
    // Opened by the approval itself: in the inbox as soon as the decision is answered, while
    // health's review — same stage, not a prerequisite — is still pending.
    const [household] = await inbox('public-security', caseId);
    expect(household?.services).toEqual(['mar-household-update']);
    expect(household?.stage).toBe(1);
    expect((await inbox('health', caseId)).map((t) => t.id)).toEqual([health.id]);
    const detail = await call('GET', `/v1/tasks/${household!.id}`, {
      headers: departmentAuth('public-security'),
    });
    expect(detail.status).toBe(200);
    expect(detail.body.prerequisites).toEqual([
      expect.objectContaining({ serviceId: 'mar-marriage-registration', departmentId: LEAD }),
    ]);

    // Decided before the state machine reached its stage: the flow picks the decision up.
    expect(
      (await decide(household!.id, 'public-security', { outcome: 'approve', opinion: '已变更' })).status,
    ).toBe(200);
    expect((await decide(health.id, 'health', { outcome: 'approve', opinion: '同意' })).status).toBe(200);
    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );
    expect(done.body.services.map((s: { result: string }) => s.result)).toEqual([
      'approved',
      'approved',
      'approved',
      'approved',
    ]);
    // One task per department and stage: the early task was not opened a second time.
    const reviews = (done.body.tasks as Task[]).filter((t) => t.kind === 'review');
    expect(reviews.filter((t) => t.departmentId === 'public-security')).toHaveLength(1);
  });
});
