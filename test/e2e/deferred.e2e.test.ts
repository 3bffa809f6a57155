/**
 * 容缺受理 and 告知承诺: a restaurant opening accepted with a non-key material promised for later
 * and a signed commitment; reviews approve, but nothing is issued until the deferred material
 * arrives — asked for once, supplied once, then every license is issued together.
 */
import { describe, expect, it } from 'vitest';
import {
  buildApplication,
  caseAuth,
  decide,
  eventually,
  getCase,
  pendingTask,
  submit,
  uploadMaterial,
} from './portal.ts';
import { call } from './target.ts';

const BUNDLE = 'restaurant-opening';
const SERVICES = ['food-business-license', 'restaurant-signboard'];

describe('a case with a deferred material (容缺受理)', () => {
  it('is accepted now and issued only after the deferred material arrives', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const application = {
      ...app,
      materials: [
        ...app.materials.filter((m) => m.type !== 'food-safety-rules'),
        { type: 'food-safety-rules', deferred: true },
      ],
      commitments: [{ serviceId: 'food-business-license', accepted: true }],
    };
    const submitted = await submit(application);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const caseId = submitted.body.id as string;
    const shown = await getCase(caseId);
    const deferred = shown.body.materials.find((m: { type: string }) => m.type === 'food-safety-rules');
    expect(deferred.deferredUntil).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    await decide((await pendingTask('market-regulation', caseId, 'acceptance')).id, 'market-regulation', {
      outcome: 'approve',
      opinion: '容缺受理',
    });
    for (const d of ['market-regulation', 'city-management'])
      await decide((await pendingTask(d, caseId, 'review')).id, d, { outcome: 'approve', opinion: '同意' });

    // Approved, but held back: one request for the owed material.
    const waiting = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'awaiting_correction',
      'awaiting the deferred material',
    );
    expect(waiting.body.correction.items).toEqual([
      expect.objectContaining({ materialType: 'food-safety-rules' }),
    ]);
    expect(
      (await call('GET', `/v1/cases/${caseId}/licenses`, { headers: caseAuth(caseId) })).body.items,
    ).toEqual([]);

    const materialId = await uploadMaterial(BUNDLE, 'food-safety-rules');
    const supplied = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { materials: [{ type: 'food-safety-rules', materialId }] },
    });
    expect(supplied.status, JSON.stringify(supplied.body)).toBe(202);

    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );
    expect(done.body.licenses.map((l: { serviceId: string }) => l.serviceId).sort()).toEqual(
      [...SERVICES].sort(),
    );
  });

  it('refuses to defer a key material', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const res = await submit({
      ...app,
      materials: [
        ...app.materials.filter((m) => m.type !== 'premises-layout-plan'),
        { type: 'premises-layout-plan', deferred: true },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['material_not_deferrable']);
  });
});
