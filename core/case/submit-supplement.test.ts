/**
 * submitSupplement over in-memory ports: the one answer to the consolidated correction request —
 * where the case returns, what is merged, the paused deadline, the supplement task, and the races
 * (a material taken meanwhile, a concurrent supplement). Pure: no emulators.
 */
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, type StoredMaterial, taskRecord } from '#test/support/in-memory-cases.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { CorrectionStage } from './lifecycle.ts';
import type { CaseRecord } from './model.ts';
import { type Supplement, SupplementSchema, submitSupplement } from './submit-supplement.ts';

const index = indexCatalog(
  CatalogSchema.parse({
    schemaVersion: 1,
    city: { id: 'test', name: '测试市' },
    version: 't',
    departments: [
      { id: 'd', name: '甲部门' },
      { id: 'e', name: '乙部门' },
    ],
    fields: ['name', 'capital'].map((id) => ({ id, title: id, type: 'string', examples: ['x'] })),
    materials: ['id-card', 'lease', 'plan'].map((id) => ({
      id,
      name: id,
      holder: 'any',
      accept: ['application/pdf'],
      maxBytes: 1000,
    })),
    bundles: [
      {
        id: 'b',
        name: 'B',
        audience: 'person',
        detail: 'outline',
        draft: true,
        leadDepartmentId: 'd',
        departmentIds: ['e'],
        services: [
          {
            id: 's0',
            name: 'S0',
            departmentId: 'd',
            fields: [{ fieldId: 'name', required: true }],
            materials: [{ typeId: 'id-card', required: true }],
            timeLimit: { legalDays: 5, committedDays: 3 },
            result: { kind: 'notice', name: 'n' },
          },
          {
            id: 's1',
            name: 'S1',
            departmentId: 'e',
            fields: [{ fieldId: 'capital', required: true }],
            materials: [{ typeId: 'lease', required: true }],
            timeLimit: { legalDays: 5, committedDays: 3 },
            result: { kind: 'notice', name: 'n' },
          },
        ],
      },
    ],
  }),
);

const REQUESTED = '2026-11-02T01:00:00.000Z'; // a Monday
const NOW = new Date('2026-11-05T02:00:00.000Z'); // the Thursday after: 3 working days paused

function awaiting(stage: CorrectionStage, overrides: Partial<CaseRecord> = {}) {
  return caseRecord({
    status: 'awaiting_correction',
    correctionRound: 1,
    materials: [{ type: 'id-card', materialId: 'm-old' }],
    form: { name: '张三', capital: '100' },
    correction: {
      round: 1,
      requestedAt: REQUESTED,
      dueAt: '2026-11-16T15:59:59.999Z',
      stage,
      departments: ['d'],
      items: [{ departmentId: 'd', materialType: 'id-card', message: '请重新上传身份证' }],
    },
    ...overrides,
  });
}

const material = (id: string, over: Partial<StoredMaterial> = {}): StoredMaterial => ({
  materialId: id,
  portalId: 'p-1',
  type: 'id-card',
  bundleId: 'b',
  state: 'verified',
  ...over,
});

function setup(record: CaseRecord, options: { taskOpen?: boolean } = {}) {
  const ports = inMemoryCases();
  ports.store.cases.set(record.caseId, record);
  ports.store.materials.set('m-new', material('m-new'));
  const taskId = `${record.caseId}.r1.supplement`;
  if (options.taskOpen !== false)
    ports.store.tasks.set(
      taskId,
      taskRecord({
        taskId,
        kind: 'supplement',
        departmentId: 'applicant',
        round: 1,
        services: [],
        taskToken: 'token-s',
      }),
    );
  const deps = {
    cases: ports.cases,
    tasks: ports.tasks,
    materials: ports.materials,
    workflow: ports.workflow,
    now: () => NOW,
  };
  const run = (supplement: unknown, portalId = record.portalId) =>
    submitSupplement(deps, index, {
      portalId,
      caseId: record.caseId,
      supplement: SupplementSchema.parse(supplement) as Supplement,
    });
  return { ports, run, taskId };
}

const answer = { form: { name: '张三丰' }, materials: [{ type: 'id-card', materialId: 'm-new' }] };

describe('submitSupplement', () => {
  it('returns a case corrected at acceptance to acceptance, merged, its deadline moved by the pause', async () => {
    const record = awaiting('acceptance');
    const { ports, run, taskId } = setup(record);

    const result = await run(answer);

    expect(result.status).toBe('submitted');
    expect(result.form).toEqual({ name: '张三丰', capital: '100' });
    expect(result.materials).toEqual([{ type: 'id-card', materialId: 'm-new' }]);
    expect(result.dueAt).toBe('2026-12-03T15:59:59.999Z'); // 30 Nov + 3 working days
    expect(ports.store.materials.get('m-new')?.caseId).toBe(record.caseId);
    // The supplement task is completed in the same write, and the waiting execution resumed.
    expect(ports.writes).toEqual([{ kind: 'transition', committed: true }]);
    expect(ports.store.tasks.get(taskId)?.status).toBe('approved');
    expect(ports.workflow.succeeded).toEqual([{ taskToken: 'token-s', output: { outcome: 'supplemented' } }]);
    expect(ports.store.timeline.get(record.caseId)?.at(-1)).toEqual({
      at: NOW.toISOString(),
      event: 'supplemented',
      detail: { round: 1, fields: ['name'], materials: ['id-card'], taskId },
    });
  });

  it('returns a case corrected in review to review', async () => {
    const { run } = setup(awaiting('review'));
    expect((await run(answer)).status).toBe('in_review');
  });

  it('adds a material of a type the case did not have yet', async () => {
    const { ports, run } = setup(awaiting('review'));
    ports.store.materials.set('m-lease', material('m-lease', { type: 'lease' }));
    const result = await run({ materials: [{ type: 'lease', materialId: 'm-lease' }] });
    expect(result.materials).toEqual([
      { type: 'id-card', materialId: 'm-old' },
      { type: 'lease', materialId: 'm-lease' },
    ]);
  });

  it('records each replacement’s stored file on the case, for the departments’ download links', async () => {
    const { ports, run } = setup(awaiting('review'));
    const file = {
      s3Key: 'materials/2026-11/m-new',
      fileName: '身份证.pdf',
      contentType: 'application/pdf',
      size: 99,
    };
    ports.store.materials.set('m-new', material('m-new', { file }));
    ports.store.materials.set(
      'm-lease',
      material('m-lease', { type: 'lease', file: { ...file, s3Key: 'k2' } }),
    );
    const result = await run({
      materials: [
        { type: 'id-card', materialId: 'm-new' },
        { type: 'lease', materialId: 'm-lease' },
      ],
    });
    expect(result.materials).toEqual([
      { type: 'id-card', materialId: 'm-new', file },
      { type: 'lease', materialId: 'm-lease', file: { ...file, s3Key: 'k2' } },
    ]);
  });

  it('refuses a case with no open correction request (409), writing nothing', async () => {
    const { ports, run } = setup(caseRecord({ status: 'in_review' }));
    await expect(run(answer)).rejects.toThrow(ConflictError);
    expect(ports.writes).toEqual([]);
  });

  it("does not let a portal answer another portal's case (404)", async () => {
    const { run } = setup(awaiting('review'));
    await expect(run(answer, 'p-2')).rejects.toThrow(NotFoundError);
  });

  it('lists every problem at once and writes nothing', async () => {
    const { ports, run } = setup(awaiting('review'));
    ports.store.materials.set('m-raw', material('m-raw', { state: 'not_uploaded' }));
    const err = await run({
      form: { nope: 1 },
      materials: [
        { type: 'plan', materialId: 'm-new' },
        { type: 'id-card', materialId: 'm-raw' },
        { type: 'id-card', materialId: 'm-unknown' },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => `${p.path} ${p.code}`).sort()).toEqual(
      [
        '/form/nope unknown_field',
        '/materials/0/type material_not_needed',
        '/materials/1/materialId material_not_uploaded',
        '/materials/2/materialId material_unknown',
      ].sort(),
    );
    expect(ports.writes).toEqual([]);
  });

  it('refuses a material that is part of another case', async () => {
    const { ports, run } = setup(awaiting('review'));
    ports.store.materials.set('m-new', material('m-new', { caseId: 'c-other' }));
    await expect(run(answer)).rejects.toThrow(ValidationError);
    expect(ports.writes).toEqual([]);
  });

  it('cancels it all when a material is taken by another case between the check and the write; a retry works', async () => {
    const record = awaiting('review');
    const { ports, run, taskId } = setup(record);
    ports.beforeWrite.push(() =>
      ports.store.materials.set('m-new', material('m-new', { caseId: 'c-other' })),
    );

    const err = await run(answer).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems).toEqual([
      expect.objectContaining({ path: '/materials/0/materialId', code: 'material_in_use' }),
    ]);
    const kept = ports.store.cases.get(record.caseId)!;
    expect(kept.status).toBe('awaiting_correction');
    expect(kept.form).toEqual(record.form);
    expect(ports.store.tasks.get(taskId)?.status).toBe('pending');
    expect(ports.workflow.succeeded).toEqual([]);

    ports.store.materials.set('m-fresh', material('m-fresh'));
    const retried = await run({ ...answer, materials: [{ type: 'id-card', materialId: 'm-fresh' }] });
    expect(retried.status).toBe('in_review');
  });

  it('answers a second, concurrent supplement with 409', async () => {
    const record = awaiting('review');
    const { ports, run } = setup(record);
    ports.beforeWrite.push(() => ports.store.cases.set(record.caseId, { ...record, status: 'in_review' }));
    await expect(run(answer)).rejects.toThrow(/already supplemented/);
    expect(ports.store.materials.get('m-new')?.caseId).toBeUndefined();
  });

  it('writes the supplement alone when the flow does not wait for it yet (it resumes by itself)', async () => {
    const record = awaiting('review');
    const { ports, run } = setup(record, { taskOpen: false });
    expect((await run(answer)).status).toBe('in_review');
    expect(ports.workflow.succeeded).toEqual([]);
    expect(ports.store.timeline.get(record.caseId)?.at(-1)?.detail).not.toHaveProperty('taskId');
  });

  it('resumes the flow with the freshest token when the task was re-opened meanwhile', async () => {
    const record = awaiting('review');
    const { ports, run, taskId } = setup(record);
    ports.beforeWrite.push(() => {
      const t = ports.store.tasks.get(taskId)!;
      ports.store.tasks.set(taskId, { ...t, taskToken: 'token-fresh' });
    });
    await run(answer);
    expect(ports.workflow.succeeded.map((s) => s.taskToken)).toEqual(['token-fresh']);
  });

  it('settles and resumes a supplement task the flow opened after the supplement looked for it', async () => {
    const record = awaiting('review');
    const { ports, run, taskId } = setup(record, { taskOpen: false });
    // The flow opens its wait between the supplement's read of the task (none) and its write.
    ports.beforeWrite.push(() =>
      ports.store.tasks.set(
        taskId,
        taskRecord({
          taskId,
          kind: 'supplement',
          departmentId: 'applicant',
          round: 1,
          services: [],
          taskToken: 'token-late',
        }),
      ),
    );
    expect((await run(answer)).status).toBe('in_review');
    expect(ports.store.tasks.get(taskId)?.status).toBe('approved');
    expect(ports.workflow.succeeded.map((s) => s.taskToken)).toEqual(['token-late']);
  });

  it('answers a retry of a committed supplement alike and resumes the flow; another supplement is 409', async () => {
    const record = awaiting('review');
    const { ports, run } = setup(record);
    // The first attempt commits, then resuming the flow fails (the portal gets a 503 and retries).
    ports.workflow.staleTokens.clear();
    const original = ports.workflow.succeed;
    let failures = 1;
    (ports.workflow as { succeed: typeof original }).succeed = async (token, output) => {
      if (failures-- > 0) throw new Error('SendTaskSuccess timed out');
      return original(token, output);
    };
    await expect(run(answer)).rejects.toThrow(/timed out/);
    expect(ports.store.cases.get(record.caseId)?.status).toBe('in_review');
    const retried = await run(answer);
    expect(retried.status).toBe('in_review');
    expect(ports.workflow.succeeded.map((s) => s.taskToken)).toEqual(['token-s']);
    await expect(run({ form: { name: '别的名字' } })).rejects.toThrow(ConflictError);
  });
});
