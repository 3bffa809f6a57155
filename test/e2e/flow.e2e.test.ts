/**
 * The heart, end to end through HTTP with the demo credentials, as portals and departments use it:
 * acceptance → 企业设立登记 reviewed first (staged dispatch) → the departments after it review at
 * once, each seeing the new credit code → two departments ask for corrections → ONE combined
 * request → one supplement → only those two re-review → approved → licenses listed and verifiable
 * → status issued, with the full timeline.
 */

import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { printedCode, verifyLicense } from './licenses.ts';
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
import { call, isLocalTarget } from './target.ts';

/** Billed state transitions (every *StateEntered event) and task Lambda invocations of a case's execution. */
async function executionCost(caseId: string) {
  const client = new SFNClient({});
  const arn = `${process.env.STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:')}:${caseId}`;
  const { events = [] } = await client.send(
    new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }),
  );
  const entered = events.filter((e) => e.type?.endsWith('StateEntered'));
  const transitions = entered.length;
  const taskCalls = events.filter((e) => e.type === 'TaskScheduled').length;
  if (process.env.PRINT_COST)
    process.stdout.write(`case ${caseId}: ${transitions} transitions, ${taskCalls} task invocations\n`);
  return { transitions, taskCalls, states: entered.map((e) => e.stateEnteredEventDetails?.name) };
}

const BUNDLE = 'enterprise-opening';
const SERVICES = [
  'enterprise-establishment-registration',
  'company-seal-filing',
  'bank-account-booking',
  'invoice-type-approval',
];
const LEAD = 'market-regulation';

describe('one case through the whole flow', () => {
  it('goes from submission through one correction round to issued licenses', async () => {
    // Prepare: a portal submits a subset of 企业开办.
    const application = await buildApplication(BUNDLE, SERVICES);
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;

    // Acceptance (受理) by the lead department.
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    expect(
      (await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '材料齐全，予以受理' })).status,
    ).toBe(200);

    // One dispatch, staged: 企业设立登记 first — the others need the enterprise it creates.
    const registration = await pendingTask(LEAD, caseId, 'review');
    const progress = await getCase(caseId);
    expect(progress.body.status).toBe('in_review');
    expect(
      progress.body.tasks
        .filter((t: { kind: string }) => t.kind === 'review')
        .map((t: { id: string }) => t.id),
    ).toEqual([registration.id]);
    await decide(registration.id, LEAD, { outcome: 'approve', opinion: '同意' });

    // Then the departments after it, all open at once.
    const departments = ['public-security', 'pboc-changzhou', 'tax'];
    const reviews = Object.fromEntries(
      await Promise.all(departments.map(async (d) => [d, await pendingTask(d, caseId, 'review')] as const)),
    );

    // Two departments ask for corrections, one approves.
    await decide(reviews['pboc-changzhou'].id, 'pboc-changzhou', { outcome: 'approve', opinion: '同意' });
    await decide(reviews['public-security'].id, 'public-security', {
      outcome: 'correct',
      opinion: '印章样式信息不全',
      corrections: [{ path: '/form/enterpriseName', message: '企业名称须与营业执照一致' }],
    });
    await decide(reviews.tax.id, 'tax', {
      outcome: 'correct',
      opinion: '经营场所信息有误',
      corrections: [{ message: '请补充经营场所详细地址' }],
    });

    // The applicant receives ONE combined request listing both departments' items.
    const waiting = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'awaiting_correction',
      'awaiting_correction',
    );
    expect(waiting.body.correction.departments.sort()).toEqual(['public-security', 'tax']);
    expect(waiting.body.correction.items).toHaveLength(2);

    // A second decision on a decided task is refused.
    const again = await decide(reviews.tax.id, 'tax', { outcome: 'approve', opinion: '改判' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');

    // The applicant supplements once.
    const name = application.form.enterpriseName as string;
    const supplemented = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { form: { enterpriseName: `${name}（已更正）` } },
    });
    expect(supplemented.status, JSON.stringify(supplemented.body)).toBe(202);

    // Only the two departments that asked review again.
    const reReviews = await Promise.all(
      ['public-security', 'tax'].map((d) => pendingTask(d, caseId, 'review', 1)),
    );
    for (const t of reReviews)
      expect(
        (await decide(t.id, t.departmentId, { outcome: 'approve', opinion: '已补正，同意' })).status,
      ).toBe(200);

    // Issued: every approved service has its license, listed and verifiable.
    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );
    const tasks = done.body.tasks as { kind: string; round: number; departmentId: string }[];
    expect(
      tasks
        .filter((t) => t.kind === 'review' && t.round === 1)
        .map((t) => t.departmentId)
        .sort(),
    ).toEqual(['public-security', 'tax']);
    const events = (done.body.timeline as { event: string }[]).map((e) => e.event);
    // Merged, then issued — recorded by one write, in that order.
    expect(events.slice(-2)).toEqual(['merged', 'issued']);
    expect(events).toEqual(
      expect.arrayContaining([
        'submitted',
        'accepted',
        'correction_requested',
        'supplemented',
        'merged',
        'issued',
      ]),
    );
    const licenses = await call('GET', `/v1/cases/${caseId}/licenses`, { headers: caseAuth(caseId) });
    expect(licenses.status).toBe(200);
    expect(licenses.body.items.map((l: { serviceId: string }) => l.serviceId).sort()).toEqual(
      [...SERVICES].sort(),
    );
    for (const l of licenses.body.items) {
      const v = await verifyLicense(l.id, await printedCode(l.downloadUrl));
      expect(v.body.valid).toBe(true);
    }
    // The case view gives the same licenses with working links: the outcome and its licenses in one read.
    const shown = done.body.licenses as { id: string; serviceId: string; downloadUrl: string }[];
    expect(shown.map((l) => l.id).sort()).toEqual(
      licenses.body.items.map((l: { id: string }) => l.id).sort(),
    );
    for (const l of shown) {
      const v = await verifyLicense(l.id, await printedCode(l.downloadUrl));
      expect(v.body.valid).toBe(true);
    }
    expect(done.headers.get('cache-control')).toBe('no-store');

    // Step Functions transitions are most of the cost: keep them few (one correction round here).
    if (isLocalTarget()) {
      const { transitions, taskCalls, states } = await executionCost(caseId);
      expect(transitions).toBeLessThanOrEqual(30);
      expect(taskCalls).toBeLessThanOrEqual(20);
      // The last decision issued the licenses itself: nothing was left to Issue And Deliver Licenses.
      expect(states.at(-1)).toBe('Case Issued');
      expect(states).not.toContain('Issue And Deliver Licenses');
    }
  });

  it('keeps department B away from department A tasks', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    const asTax = { headers: departmentAuth('tax') };
    expect((await call('GET', `/v1/tasks/${acceptance.id}`, asTax)).status).toBe(404);
    expect(
      (
        await call('POST', `/v1/tasks/${acceptance.id}/decision`, {
          ...asTax,
          body: { outcome: 'approve', opinion: '' },
        })
      ).status,
    ).toBe(404);
    expect((await call('GET', `/v1/departments/${LEAD}/tasks`, asTax)).status).toBe(403);
    // The lead department itself sees the application it must accept.
    const detail = await call('GET', `/v1/tasks/${acceptance.id}`, { headers: departmentAuth(LEAD) });
    expect(detail.status).toBe(200);
    expect(detail.body.form.enterpriseName.value).toBeTruthy();
    expect(detail.body.materials.some((m: { downloadUrl?: string }) => m.downloadUrl)).toBe(true);
  });

  it('ends the case rejected when the lead department refuses, with the reason', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    await decide(acceptance.id, LEAD, { outcome: 'reject', opinion: '不属于本机关职权范围' });
    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'rejected',
      'rejected',
    );
    expect(done.body.refusal.opinion).toBe('不属于本机关职权范围');
  });

  it('lets exactly one of two concurrent, different decisions on a task win', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const acceptance = await pendingTask(LEAD, submitted.body.id, 'acceptance');
    const [a, b] = await Promise.all([
      decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' }),
      decide(acceptance.id, LEAD, { outcome: 'reject', opinion: '不予受理' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'in_review' : 'rejected';
    await eventually(
      () => getCase(submitted.body.id),
      (r) => r.body.status === winner,
      winner,
    );
  });

  it('answers a retried identical decision as the first, without deciding twice', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const acceptance = await pendingTask(LEAD, submitted.body.id, 'acceptance');
    const decision = { outcome: 'approve', opinion: '予以受理' };
    const first = await decide(acceptance.id, LEAD, decision);
    const retry = await decide(acceptance.id, LEAD, decision);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body.replayed).toBe(true);
    const shown = await eventually(
      () => getCase(submitted.body.id),
      (r) => r.body.status === 'in_review',
      'in_review',
    );
    expect(
      shown.body.timeline.filter((e: { event: string }) => e.event === 'acceptance_decided'),
    ).toHaveLength(1);
  });
});

describe('withdrawing a case', () => {
  it('withdraws a case under review, closes its tasks and refuses later decisions', async () => {
    const submitted = await submit(await buildApplication(BUNDLE, ['enterprise-establishment-registration']));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    const res = await call('POST', `/v1/cases/${caseId}/withdrawal`, {
      headers: caseAuth(caseId),
      body: { reason: '不再需要' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('withdrawn');
    const shown = await getCase(caseId);
    expect(shown.body.status).toBe('withdrawn');
    expect(shown.body.tasks.every((t: { status: string }) => t.status !== 'pending')).toBe(true);
    expect((await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '' })).status).toBe(409);
    const again = await call('POST', `/v1/cases/${caseId}/withdrawal`, {
      headers: caseAuth(caseId),
      body: {},
    });
    expect(again.status).toBe(200);
    expect(
      (await call('POST', `/v1/cases/${caseId}/withdrawal`, { headers: caseAuth(caseId, 1), body: {} }))
        .status,
    ).toBe(404);
  });
});
