/**
 * No half-done case (issue 10): a submission or a supplement that is refused writes nothing, and
 * says why in the one 422; a corrected retry then works. Problem lists stay small however many
 * problems a body has.
 */
import { randomUUID } from 'node:crypto';
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

/**
 * Whether no case holds this Idempotency-Key (ids are random: nothing to compute). Another body
 * under a key that created a case is refused as `idempotency_key_reused`; under a free key it is
 * simply checked (and `{}` is invalid).
 */
async function keyIsFree(key: string): Promise<boolean> {
  const res = await submit({}, key);
  return res.status === 422 && res.body.code !== 'idempotency_key_reused';
}

const BUNDLE = 'enterprise-opening';
const SERVICES = ['enterprise-establishment-registration'];
const LEAD = 'market-regulation';

type Problem = { path: string; code: string };
type Application = Awaited<ReturnType<typeof buildApplication>>;

/** The application with its first material replaced by `materialId`. */
const citing = (app: Application, materialId: string): Application => ({
  ...app,
  materials: app.materials.map((m, i) => (i === 0 ? { ...m, materialId } : m)),
});

describe('a submission citing a material of another case', () => {
  it('answers one 422 naming material_in_use among every other problem, and writes no case', async () => {
    // Prepare: case A holds its materials.
    const first = await buildApplication(BUNDLE, SERVICES);
    const a = await submit(first);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const taken = first.materials[0]!.materialId;

    // Act: B cites A's material and has another mistake besides.
    const key = randomUUID();
    const second = await buildApplication(BUNDLE, SERVICES);
    const broken = { ...citing(second, taken), form: { ...second.form, contactPhone: '12345' } };
    const res = await submit(broken, key);

    // Assess: every problem in one 422, and nothing of B exists.
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((res.body.errors as Problem[]).map((e) => `${e.code} ${e.path}`).sort()).toEqual(
      ['invalid_phone /form/contactPhone', 'material_in_use /materials/0/materialId'].sort(),
    );
    expect(await keyIsFree(key)).toBe(true);
    // A keeps its material and its flow.
    expect((await getCase(a.body.id)).body.materials).toContainEqual(
      expect.objectContaining({ materialId: taken }),
    );

    // The same Idempotency-Key with a corrected body creates the case, and its flow runs.
    const fixed = await submit(second, key);
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBe('false');
    await pendingTask(LEAD, fixed.body.id, 'acceptance');
  });

  it('lets exactly one of two concurrent cases citing the same material exist, every time', async () => {
    for (let round = 0; round < 8; round++) {
      // Prepare: two applications sharing one material.
      const one = await buildApplication(BUNDLE, SERVICES);
      const other = citing(await buildApplication(BUNDLE, SERVICES), one.materials[0]!.materialId);
      const keys = [randomUUID(), randomUUID()];

      // Act: both at once.
      const results = await Promise.all([submit(one, keys[0]), submit(other, keys[1])]);

      // Assess: one 201, one 422 material_in_use; the refused case does not exist at all.
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([
        201, 422,
      ]);
      const lost = results.findIndex((r) => r.status === 422);
      expect((results[lost]!.body.errors as Problem[]).map((e) => e.code)).toEqual(['material_in_use']);
      expect(await keyIsFree(keys[lost]!)).toBe(true);
      expect((await getCase(results[1 - lost]!.body.id)).status).toBe(200);
    }
  });
});

describe('a supplement citing a material of another case', () => {
  it('changes nothing: the correction stays open, its task pending, and a corrected supplement works', async () => {
    // Prepare: case B awaits a correction at acceptance; case A holds a material of the same type.
    const holder = await buildApplication(BUNDLE, SERVICES);
    expect((await submit(holder)).status).toBe(201);
    const taken = holder.materials[0]!;
    const submitted = await submit(await buildApplication(BUNDLE, SERVICES));
    const caseId = submitted.body.id as string;
    const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
    const asked = await decide(acceptance.id, LEAD, {
      outcome: 'correct',
      opinion: '请补正',
      corrections: [{ materialType: taken.type, message: '请重新上传' }],
    });
    expect(asked.status).toBe(200);
    const waiting = await eventually(
      () => getCase(caseId),
      (r) =>
        r.body.status === 'awaiting_correction' &&
        r.body.tasks.some(
          (t: { kind: string; status: string }) => t.kind === 'supplement' && t.status === 'pending',
        ),
      'awaiting_correction with a pending supplement task',
    );

    // Act: the supplement cites A's material.
    const refused = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { materials: [taken] },
    });

    // Assess: 422 material_in_use, and the case exactly as it was.
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect((refused.body.errors as Problem[]).map((e) => `${e.code} ${e.path}`)).toEqual([
      'material_in_use /materials/0/materialId',
    ]);
    const after = await getCase(caseId);
    expect(after.body.status).toBe('awaiting_correction');
    expect(after.body.correction).toEqual(waiting.body.correction);
    expect(after.body.tasks).toEqual(waiting.body.tasks);
    expect(after.body.timeline).toEqual(waiting.body.timeline);

    // A corrected supplement (a fresh upload) is accepted and the flow resumes.
    const fresh = await uploadMaterial(BUNDLE, taken.type);
    const accepted = await call('POST', `/v1/cases/${caseId}/supplements`, {
      headers: caseAuth(caseId),
      body: { materials: [{ type: taken.type, materialId: fresh }] },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    await pendingTask(LEAD, caseId, 'acceptance', 1);
    const resumed = await getCase(caseId);
    expect(resumed.body.materials).toContainEqual({ type: taken.type, materialId: fresh });
    expect(
      resumed.body.tasks.filter((t: { kind: string; status: string }) => t.kind === 'supplement'),
    ).toEqual([expect.objectContaining({ status: 'approved' })]);
  });
});

describe('a body with very many problems', () => {
  it('lists at most 100 problems and counts the rest, quickly and in a small answer', async () => {
    // Prepare: 60,000 service names in a 240 KB body.
    const app = await buildApplication(BUNDLE, SERVICES);
    const body = { ...app, services: Array.from({ length: 60_000 }, () => 'a') };
    expect(JSON.stringify(body).length).toBeLessThan(256 * 1024);

    // Act
    const res = await submit(body);

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(100);
    expect(res.body.omittedErrors).toBeGreaterThan(0);
    expect(JSON.stringify(res.body).length).toBeLessThan(64 * 1024);
  });

  it('caps 20,000 unknown form keys the same way, with an exact count of those left out', async () => {
    const app = await buildApplication(BUNDLE, SERVICES);
    const form = {
      ...app.form,
      ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`x${i}`, 1])),
    };
    const res = await submit({ ...app, form });
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(100);
    expect(res.body.errors.every((e: Problem) => e.code === 'unknown_field')).toBe(true);
    expect(res.body.omittedErrors).toBe(20_000 - 100);
    expect(JSON.stringify(res.body).length).toBeLessThan(64 * 1024);
  });
});
