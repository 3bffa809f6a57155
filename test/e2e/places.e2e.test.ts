/**
 * 通办 — "通办地受理、归属地审批" through HTTP: a bundle accepted at one place's counter is accepted
 * (受理) there and decided by the competent place's departments; each department's inbox shows only
 * its own place's tasks.
 */
import { describe, expect, it } from 'vitest';
import { buildApplication, decide, departmentAuth, eventually, getCase, submit } from './portal.ts';
import { call } from './target.ts';

type Task = { id: string; kind: string; departmentId: string; status: string; caseId: string };

async function inbox(departmentId: string, caseId: string): Promise<Task[]> {
  const r = await call('GET', `/v1/departments/${departmentId}/tasks?status=pending&limit=100`, {
    headers: departmentAuth(departmentId),
  });
  expect(r.status).toBe(200);
  return (r.body.items as Task[]).filter((t) => t.caseId === caseId);
}

/** Every department approves what it has pending on the case until it ends; returns the deciders. */
async function approveAll(caseId: string) {
  const deciders: string[] = [];
  const decided = new Set<string>();
  const done = await eventually(
    async () => {
      const c = await getCase(caseId);
      for (const t of c.body.tasks as Task[]) {
        if (t.status !== 'pending' || t.kind === 'supplement' || decided.has(t.id)) continue;
        decided.add(t.id);
        expect((await inbox(t.departmentId, caseId)).map((x) => x.id)).toContain(t.id);
        expect((await decide(t.id, t.departmentId, { outcome: 'approve', opinion: '同意' })).status).toBe(
          200,
        );
        deciders.push(t.departmentId);
      }
      return c;
    },
    (c) => ['issued', 'rejected'].includes(c.body.status),
    `case ${caseId} ended`,
  );
  return { done, deciders };
}

describe('通办: accept anywhere, approve at home', () => {
  it('decides a 金坛 bundle accepted at a 天宁 counter by 金坛’s departments', async () => {
    const application = {
      ...(await buildApplication('off-campus-training-approval')),
      acceptedAt: 'tianning',
    };
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;

    const { done, deciders } = await approveAll(caseId);
    expect(done.body.status).toBe('issued');
    expect(done.body.places).toEqual({ acceptedAt: 'tianning', decidedAt: 'jintan' });
    expect(deciders.length).toBeGreaterThan(1);
    for (const d of deciders) expect(d.startsWith('jintan-')).toBe(true);
  });

  it('routes a store to the premises’ district: 金坛’s market regulation and city management, the city’s tobacco office', async () => {
    const base = await buildApplication('convenience-store-opening');
    const application = {
      ...base,
      acceptedAt: 'tianning',
      form: { ...base.form, premisesAddress: '常州市金坛区华城路88号1层' },
    };
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;

    // 通办地受理: the 天宁 counter's market regulation accepts it; neither the city's nor 金坛's sees
    // the acceptance.
    const acceptance = await eventually(
      () => inbox('tianning-market-regulation', caseId),
      (items) => items.some((t) => t.kind === 'acceptance'),
      'acceptance at 天宁',
    );
    expect(acceptance).toHaveLength(1);
    expect(await inbox('market-regulation', caseId)).toEqual([]);
    expect(await inbox('jintan-market-regulation', caseId)).toEqual([]);
    // Supervision per place: the acceptance (due within a working day) is at risk at 天宁.
    const supervision = await call('GET', '/v1/supervision', { headers: departmentAuth('supervision') });
    expect(supervision.status).toBe(200);
    const tianning = supervision.body.places.find((p: { placeId: string }) => p.placeId === 'tianning');
    expect(tianning).toMatchObject({ placeName: '天宁区' });
    expect(tianning.atRisk + tianning.overdue).toBeGreaterThanOrEqual(1);
    const own = await call('GET', '/v1/supervision', {
      headers: departmentAuth('tianning-market-regulation'),
    });
    expect(own.body.places.map((p: { placeId: string }) => p.placeId)).toEqual(['tianning']);

    const { done, deciders } = await approveAll(caseId);
    expect(done.body.status).toBe('issued');
    expect(done.body.places).toEqual({ acceptedAt: 'tianning', decidedAt: 'jintan' });
    // Accepted at 天宁, reviewed by 金坛's departments (and the city-level ones without a counterpart).
    expect(deciders[0]).toBe('tianning-market-regulation');
    expect(new Set(deciders.slice(1))).toEqual(
      new Set(['jintan-market-regulation', 'jintan-city-management', 'press-publication', 'tobacco']),
    );
    const names = (done.body.tasks as { departmentId: string; departmentName: string }[]).find(
      (t) => t.departmentId === 'jintan-city-management',
    );
    expect(names?.departmentName).toBe('金坛区城管局');
  });

  it('refuses an unknown accepting place together with every other problem', async () => {
    const application = await buildApplication('convenience-store-opening');
    const r = await submit({
      ...application,
      acceptedAt: 'atlantis',
      form: { ...application.form, contactPhone: '123' },
    });
    expect(r.status).toBe(422);
    const paths = (r.body.errors as { path: string; code: string }[]).map((e) => `${e.path} ${e.code}`);
    expect(paths).toContain('/acceptedAt unknown_place');
    expect(paths.some((p) => p.startsWith('/form/contactPhone'))).toBe(true);
  });

  it('records the city as the accepting place by default and the 海事局 as competent for ships', async () => {
    const submitted = await submit(await buildApplication('ship-joint-inspection'));
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const { done } = await approveAll(submitted.body.id as string);
    expect(done.body.status).toBe('issued');
    expect(done.body.places).toEqual({ acceptedAt: 'changzhou', decidedAt: 'changzhou-msa' });
  });
});
