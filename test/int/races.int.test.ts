/**
 * Races that must not break a rule (issue 10): a material taken by another case between the
 * check and the write leaves nothing behind, the webhook cap holds under concurrent
 * registrations, and no decision lands on a task once its case is final. The handlers and repositories run in
 * this worker against the local stack's DynamoDB Local; each test uses fresh ids.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { catalog } from '#adapters/catalog/file-catalog.ts';
import { caseRepository, taskRepository } from '#adapters/dynamodb/case-repository.ts';
import { attachToCaseItems, materialLookup, materialStore } from '#adapters/dynamodb/material-store.ts';
import { send } from '#adapters/dynamodb/send.ts';
import { webhookRepository } from '#adapters/dynamodb/webhook-store.ts';
import { workflow } from '#adapters/sfn/workflow.ts';
import type { MaterialLookup } from '#core/case/ports.ts';
import { submitCase } from '#core/case/submit-case.ts';
import { submitSupplement } from '#core/case/submit-supplement.ts';
import { ValidationError } from '#core/shared/errors.ts';
import { MAX_WEBHOOKS_PER_PORTAL } from '#core/webhooks/register.ts';
import { handler as createWebhook } from '#functions/create-webhook.handler.ts';
import { handler as decideTask } from '#functions/decide-task.handler.ts';
import { handler as deleteWebhook } from '#functions/delete-webhook.handler.ts';
import { handler as withdrawCase } from '#functions/withdraw-case.handler.ts';
import {
  applicantContext,
  buildApplication,
  DEFAULT_ORGANISATION,
  decide,
  eventually,
  pendingTask,
  submit,
  uploadMaterial,
} from '../e2e/portal.ts';
import { invoke, proxyEvent } from '../support/lambda-events.ts';
import { caseWithReview } from '../support/planted-cases.ts';

const portal = (portalId: string) => ({ callerKind: 'portal', portalId });

const register = (portalId: string, n: number) =>
  invoke(
    createWebhook,
    proxyEvent({
      method: 'POST',
      path: '/v1/webhooks',
      resource: '/v1/webhooks',
      body: { url: `http://127.0.0.1:9/hooks/${n}` },
      authorizer: portal(portalId),
    }),
  );

const unregister = (portalId: string, webhookId: string) =>
  invoke(
    deleteWebhook,
    proxyEvent({
      method: 'DELETE',
      path: `/v1/webhooks/${webhookId}`,
      resource: '/v1/webhooks/{webhookId}',
      pathParameters: { webhookId },
      authorizer: portal(portalId),
    }),
  );

describe('the webhook cap under concurrent registrations', () => {
  it(`stores exactly ${MAX_WEBHOOKS_PER_PORTAL} of 25 simultaneous registrations, every time`, async () => {
    for (let round = 0; round < 3; round++) {
      // Prepare: a portal with no webhooks.
      const portalId = `portal-race-${randomUUID()}`;

      // Act: 25 registrations at once.
      const results = await Promise.all(Array.from({ length: 25 }, (_, n) => register(portalId, n)));

      // Assess: exactly the cap is stored; every other answer is the documented 422.
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_WEBHOOKS_PER_PORTAL);
      expect(statuses.filter((s) => s === 422)).toHaveLength(25 - MAX_WEBHOOKS_PER_PORTAL);
      for (const r of results.filter((x) => x.status === 422))
        expect(r.body.errors.map((e: { code: string }) => e.code)).toEqual(['too_many_webhooks']);
      expect(await webhookRepository.list(portalId)).toHaveLength(MAX_WEBHOOKS_PER_PORTAL);
    }
  });

  it('frees a place for each deletion, even when deletions and registrations race', async () => {
    // Prepare: a full portal.
    const portalId = `portal-race-${randomUUID()}`;
    const full = await Promise.all(
      Array.from({ length: MAX_WEBHOOKS_PER_PORTAL }, (_, n) => register(portalId, n)),
    );
    expect(full.map((r) => r.status)).toEqual(Array(MAX_WEBHOOKS_PER_PORTAL).fill(201));
    expect((await register(portalId, 99)).status).toBe(422);

    // Act: delete three while ten more try to register.
    const [deleted, registered] = await Promise.all([
      Promise.all(full.slice(0, 3).map((r) => unregister(portalId, r.body.id))),
      Promise.all(Array.from({ length: 10 }, (_, n) => register(portalId, 100 + n))),
    ]);

    // Assess: never more than the cap, and exactly the freed places were taken (or are free).
    expect(deleted.map((r) => r.status)).toEqual([200, 200, 200]);
    const stored = await webhookRepository.list(portalId);
    expect(stored.length).toBeLessThanOrEqual(MAX_WEBHOOKS_PER_PORTAL);
    expect(stored.length).toBe(
      MAX_WEBHOOKS_PER_PORTAL - 3 + registered.filter((r) => r.status === 201).length,
    );
    // Whatever is free now can be taken, and no more.
    const free = MAX_WEBHOOKS_PER_PORTAL - stored.length;
    const more = await Promise.all(Array.from({ length: free + 2 }, (_, n) => register(portalId, 200 + n)));
    expect(more.filter((r) => r.status === 201)).toHaveLength(free);
    expect(await webhookRepository.list(portalId)).toHaveLength(MAX_WEBHOOKS_PER_PORTAL);
  });
});

/** The material store, except that right after the check has read the facts, `victim` is attached to another case. */
function takenAfterTheCheck(victim: string): MaterialLookup & { readonly other: string } {
  let first = true;
  const other = `c-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  return {
    other,
    async facts(portalId, ids) {
      const facts = await materialLookup.facts(portalId, ids);
      if (first) {
        first = false;
        await send(
          new TransactWriteCommand({ TransactItems: attachToCaseItems([{ materialId: victim }], other) }),
        );
      }
      return facts;
    },
  };
}

describe('an Idempotency-Key, optimistically', () => {
  it('is looked up only when the submission is a replay: the first reads no key record, the replay answers with its case', async () => {
    const app = await buildApplication('enterprise-opening', ['enterprise-establishment-registration']);
    const lookups: string[] = [];
    const cases = {
      ...caseRepository,
      caseIdForIdempotencyKey: (portalId: string, key: string) => {
        lookups.push(key);
        return caseRepository.caseIdForIdempotencyKey(portalId, key);
      },
    };
    const deps = { cases, materials: materialLookup, workflow, now: () => new Date() };
    const key = randomUUID();
    const submit = (body: unknown) =>
      submitCase(deps, catalog(), { portalId: 'portal-a', idempotencyKey: key, body });

    const first = await submit(app);
    expect(first.created).toBe(true);
    expect(lookups).toEqual([]);

    const again = await submit(app);
    expect(again).toMatchObject({ created: false, record: { caseId: first.record.caseId } });
    expect(lookups).toEqual([key]);
    // The key with another body: refused, whatever that body's own problems.
    await expect(submit({ ...app, form: { ...app.form, extra: 1 } })).rejects.toThrow(/already used/);
    await expect(submit({ ...app, materials: [] })).rejects.toThrow(/already used/);
  });
});

describe('two submissions judging the same new upload at once', () => {
  it('record it verified once, with the case that got it; the other answers 422 material_in_use', async () => {
    // Prepare: every material uploaded and never judged (awaiting upload).
    const app = await buildApplication('enterprise-opening', ['enterprise-establishment-registration']);
    const ids = app.materials.map((m) => m.materialId);
    expect((await materialStore.getMany(ids)).map((m) => m.status)).toEqual(ids.map(() => 'awaiting_upload'));
    const deps = { cases: caseRepository, materials: materialLookup, workflow, now: () => new Date() };

    // Act: both judge the same bytes verified; the verdict is written by each one's case write.
    const results = await Promise.allSettled(
      [randomUUID(), randomUUID()].map((key) =>
        submitCase(deps, catalog(), { portalId: 'portal-a', idempotencyKey: key, body: app }),
      ),
    );

    // Assess: one case, its materials verified (with the judged ETag) and its; the loser's one 422.
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won.map((w) => w.created)).toEqual([true]);
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ValidationError);
    expect(new Set((lost[0] as ValidationError).problems.map((p) => p.code))).toEqual(
      new Set(['material_in_use']),
    );
    for (const m of await materialStore.getMany(ids))
      expect(m).toMatchObject({
        status: 'verified',
        caseId: won[0]!.record.caseId,
        etag: expect.any(String),
      });
  });
});

describe('a material attached to another case between the check and the write', () => {
  it('leaves no case behind: the submission answers 422 material_in_use, and the same key works again', async () => {
    // Prepare
    const app = await buildApplication('enterprise-opening', ['enterprise-establishment-registration']);
    const victim = app.materials[0]!.materialId;
    const materials = takenAfterTheCheck(victim);
    const key = randomUUID();
    const deps = { cases: caseRepository, materials, workflow, now: () => new Date() };

    // Act
    const err = await submitCase(deps, catalog(), {
      portalId: 'portal-a',
      idempotencyKey: key,
      body: app,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess: the one 422, and nothing written for the case.
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => `${p.code} ${p.path}`)).toEqual([
      'material_in_use /materials/0/materialId',
    ]);
    expect(await caseRepository.caseIdForIdempotencyKey('portal-a', key)).toBeUndefined();
    expect((await materialLookup.facts('portal-a', [victim])).get(victim)?.caseId).toBe(materials.other);
    // The same key with another upload creates the case.
    const fixed = {
      ...app,
      materials: [
        {
          type: app.materials[0]!.type,
          materialId: await uploadMaterial('enterprise-opening', app.materials[0]!.type),
        },
        ...app.materials.slice(1),
      ],
    };
    const { created } = await submitCase(deps, catalog(), {
      portalId: 'portal-a',
      idempotencyKey: key,
      body: fixed,
    });
    expect(created).toBe(true);
  });

  it('changes nothing of a supplement: 422 material_in_use, the correction and its task as they were', async () => {
    // Prepare: a case awaiting a correction, its supplement task open.
    const submitted = await submit(
      await buildApplication('enterprise-opening', ['enterprise-establishment-registration']),
    );
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask('market-regulation', caseId, 'acceptance');
    await decide(acceptance.id, 'market-regulation', { outcome: 'correct', opinion: '请补正' });
    const before = await eventually(
      () => caseRepository.view(caseId),
      (v) => v?.record.status === 'awaiting_correction' && v.tasks.some((t) => t.kind === 'supplement'),
      'a pending supplement task',
    );
    const type = 'premises-use-proof';
    const victim = await uploadMaterial('enterprise-opening', type);
    const deps = {
      cases: caseRepository,
      tasks: taskRepository,
      materials: takenAfterTheCheck(victim),
      workflow,
      now: () => new Date(),
    };

    // Act
    const err = await submitSupplement(deps, catalog(), {
      portalId: 'portal-a',
      caseId,
      supplement: { form: {}, materials: [{ type, materialId: victim }] },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.code)).toEqual(['material_in_use']);
    const after = await caseRepository.view(caseId);
    expect(after?.record).toEqual(before?.record);
    expect(after?.tasks).toEqual(before?.tasks);
  });
});

describe('a decision and its stage', () => {
  it('refuses a decision conditional on a sibling still pending once that sibling is decided, writing nothing', async () => {
    // Two reviews of one case; b's decision names a as still pending, as b read it.
    const { caseId, taskId: aId } = await caseWithReview('tax', '2030-01-01T00:00:00.000Z');
    const a = (await taskRepository.get(aId))!;
    const b = { ...a, taskId: `${aId}-b`, departmentId: 'hrss' };
    await taskRepository.open(b, { at: new Date().toISOString(), event: 'review_task_opened' });
    const at = new Date().toISOString();
    const decision = (d: string) => ({
      outcome: 'approve' as const,
      opinion: '',
      corrections: [],
      decidedAt: at,
      decidedBy: `department:${d}`,
    });
    const decide = (t: typeof a, stillPending: (typeof a)[]) =>
      taskRepository.decide(
        t,
        decision(t.departmentId),
        'approved',
        { at, event: 'review_decided' },
        { actor: `department:${t.departmentId}`, action: 'decide_review' },
        stillPending,
      );

    expect(await decide(a, [b])).toEqual({ recorded: true });
    // a is decided now: b's decision, conditional on a pending, is refused — nothing of it written.
    expect(await decide(b, [a])).toEqual({ recorded: false, task: undefined, siblingDecided: true });
    expect((await taskRepository.get(b.taskId))?.status).toBe('pending');
    const timeline = (await caseRepository.view(caseId))?.timeline ?? [];
    expect(timeline.filter((e) => e.event === 'review_decided')).toHaveLength(1);
    // Without the condition it lands.
    expect(await decide(b, [])).toEqual({ recorded: true });
  });
});

describe('a decision and the end of its case', () => {
  it('refuses a decision whose task was read pending when the case became final before the write', async () => {
    // Prepare: a pending acceptance task, read by the department (as decideTask does first).
    const submitted = await submit(
      await buildApplication('enterprise-opening', ['enterprise-establishment-registration']),
    );
    expect(submitted.status).toBe(201);
    const caseId = submitted.body.id as string;
    const { id: taskId } = await pendingTask('market-regulation', caseId, 'acceptance');
    const read = (await taskRepository.get(taskId))!;
    expect(read.status).toBe('pending');

    // The case is withdrawn between that read and the decision's write (its task not yet closed:
    // the window the old withdrawal left between its two writes).
    const at = new Date().toISOString();
    expect(
      await caseRepository.transition(
        caseId,
        ['submitted', 'in_review', 'awaiting_correction'],
        { status: 'withdrawn' },
        { at, event: 'withdrawn' },
        { actor: 'test', action: 'withdraw' },
      ),
    ).toBe(true);

    // Act: the decision's write.
    const result = await taskRepository.decide(
      read,
      {
        outcome: 'approve',
        opinion: '',
        corrections: [],
        decidedAt: at,
        decidedBy: 'department:market-regulation',
      },
      'approved',
      { at, event: 'acceptance_decided' },
      { actor: 'department:market-regulation', action: 'decide_acceptance' },
    );

    // Assess: refused, nothing recorded, and the handler answers 409.
    expect(result).toMatchObject({ recorded: false, caseClosed: true });
    expect((await taskRepository.get(taskId))?.decision).toBeUndefined();
    const res = await invoke(
      decideTask,
      proxyEvent({
        method: 'POST',
        path: `/v1/tasks/${taskId}/decision`,
        resource: '/v1/tasks/{taskId}/decision',
        pathParameters: { taskId },
        body: { outcome: 'approve', opinion: '予以受理' },
        authorizer: { callerKind: 'department', departmentId: 'market-regulation' },
      }),
    );
    expect(res.status).toBe(409);
    expect((await taskRepository.get(taskId))?.decision).toBeUndefined();
  });

  it('never leaves a decision after a withdrawal nor a pending task on a withdrawn case, in repeated races', async () => {
    for (let round = 0; round < 6; round++) {
      // Prepare
      const submitted = await submit(
        await buildApplication('enterprise-opening', ['enterprise-establishment-registration']),
      );
      const caseId = submitted.body.id as string;
      const { id: taskId } = await pendingTask('market-regulation', caseId, 'acceptance');

      // Act: the withdrawal and the decision at once.
      const [withdrawal, decision] = await Promise.all([
        invoke(
          withdrawCase,
          proxyEvent({
            method: 'POST',
            path: `/v1/cases/${caseId}/withdrawal`,
            resource: '/v1/cases/{caseId}/withdrawal',
            pathParameters: { caseId },
            body: {},
            // The applicant who submitted it (buildApplication's organisation for 企业开办).
            authorizer: applicantContext(DEFAULT_ORGANISATION, 'portal-a'),
          }),
        ),
        invoke(
          decideTask,
          proxyEvent({
            method: 'POST',
            path: `/v1/tasks/${taskId}/decision`,
            resource: '/v1/tasks/{taskId}/decision',
            pathParameters: { taskId },
            body: { outcome: 'approve', opinion: '予以受理' },
            authorizer: { callerKind: 'department', departmentId: 'market-regulation' },
          }),
        ),
      ]);

      // Assess: the withdrawal wins or follows; a decision answered 200 is on the task, a refused
      // one (409) left it closed; no task is pending on the withdrawn case.
      expect(withdrawal.status).toBe(200);
      expect([200, 409]).toContain(decision.status);
      const task = (await taskRepository.get(taskId))!;
      if (decision.status === 200) expect(task.status).toBe('approved');
      else expect([task.status, task.decision]).toEqual(['closed', undefined]);
      expect((await caseRepository.get(caseId))?.status).toBe('withdrawn');
      expect((await taskRepository.listForCase(caseId)).filter((t) => t.status === 'pending')).toEqual([]);
    }
  });
});
