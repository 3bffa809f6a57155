/**
 * 联合勘验 through HTTP: in 餐饮店准营 the food business license and the fire safety inspection each
 * need an on-site inspection; ONE joint inspection task replaces a visit each, and the two reviews
 * open after it, carrying its findings. The guide's metrics count one visit for it.
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

const BUNDLE = 'restaurant-opening';
const LEAD = 'market-regulation';
type Task = { id: string; kind: string; departmentId: string; status: string; services: string[] };

describe('联合勘验 (餐饮店准营)', () => {
  it('has one joint inspection shared by market regulation and fire rescue, before their reviews', async () => {
    const submitted = await submit(await buildApplication(BUNDLE));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' });

    const inspection = await eventually(
      () => getCase(caseId),
      // The first stage: the joint inspection, the signboard and the sewage permit, opened together.
      (r) => (r.body.tasks as Task[]).filter((t) => t.kind !== 'acceptance').length === 3,
      'first stage opened',
    );
    const tasks = inspection.body.tasks as Task[];
    const joint = tasks.filter((t) => t.kind === 'inspection');
    expect(joint).toHaveLength(1);
    expect(joint[0]!.departmentId).toBe(LEAD);
    expect(joint[0]!.services).toEqual(['food-business-license', 'restaurant-fire-safety-inspection']);
    // The inspected services wait for it; the others are reviewed meanwhile.
    const reviewing = tasks.filter((t) => t.kind === 'review').flatMap((t) => t.services);
    expect(reviewing).not.toContain('food-business-license');
    expect(reviewing).not.toContain('restaurant-fire-safety-inspection');

    const detail = await call('GET', `/v1/tasks/${joint[0]!.id}`, { headers: departmentAuth(LEAD) });
    expect(detail.status).toBe(200);
    expect(detail.body.inspection.departments.map((d: { id: string }) => d.id)).toEqual([
      LEAD,
      'fire-rescue',
    ]);
    await decide(joint[0]!.id, LEAD, {
      outcome: 'approve',
      opinion: '现场核查合格：后厨布局、消防通道符合要求',
    });
    // The stage ends with its last decision: the signboard and sewage reviews of the same stage.
    for (const t of tasks.filter((x) => x.kind === 'review'))
      await decide(t.id, t.departmentId, { outcome: 'approve', opinion: '同意' });

    const fire = await pendingTask('fire-rescue', caseId, 'review');
    const fireDetail = await call('GET', `/v1/tasks/${fire.id}`, { headers: departmentAuth('fire-rescue') });
    expect(fireDetail.body.inspection).toMatchObject({
      taskId: joint[0]!.id,
      status: 'approved',
      findings: '现场核查合格：后厨布局、消防通道符合要求',
    });

    const decided = new Set<string>([acceptance.id, joint[0]!.id, ...tasks.map((t) => t.id)]);
    const done = await eventually(
      async () => {
        const c = await getCase(caseId);
        for (const t of c.body.tasks as Task[])
          if (t.status === 'pending' && !decided.has(t.id) && t.kind !== 'supplement') {
            decided.add(t.id);
            await decide(t.id, t.departmentId, { outcome: 'approve', opinion: '同意' });
          }
        return c;
      },
      (c) => c.body.status === 'issued',
      'issued',
    );
    expect((done.body.tasks as Task[]).filter((t) => t.kind === 'inspection')).toHaveLength(1);

    const guide = await call('GET', `/v1/bundles/${BUNDLE}/guide`);
    expect(guide.body.metrics.inspections).toEqual({ services: 2, visits: 1 });
  });

  it('ends the inspected services rejected when the joint inspection fails, the others still issued', async () => {
    const submitted = await submit(await buildApplication(BUNDLE));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' });
    const decided = new Set<string>([acceptance.id]);
    const done = await eventually(
      async () => {
        const c = await getCase(caseId);
        for (const t of c.body.tasks as Task[])
          if (t.status === 'pending' && !decided.has(t.id) && t.kind !== 'supplement') {
            decided.add(t.id);
            await decide(
              t.id,
              t.departmentId,
              t.kind === 'inspection'
                ? { outcome: 'reject', opinion: '现场无独立消防通道' }
                : { outcome: 'approve', opinion: '同意' },
            );
          }
        return c;
      },
      (c) => ['issued', 'rejected'].includes(c.body.status),
      'ended',
    );
    expect(done.body.status).toBe('issued');
    const result = Object.fromEntries(
      (done.body.services as { id: string; result: string }[]).map((s) => [s.id, s.result]),
    );
    expect(result).toEqual({
      'food-business-license': 'rejected',
      'restaurant-signboard': 'approved',
      'restaurant-fire-safety-inspection': 'rejected',
      'restaurant-sewage-discharge-permit': 'approved',
    });
  });
});
