import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, taskRecord } from '#test/support/in-memory-cases.ts';
import { type CaseMaterial, taskIdFor } from '../case/model.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import type { AccessEntry } from '../identity/privacy.ts';
import { NotFoundError } from '../shared/errors.ts';
import { taskDetail } from './task-detail.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);

const STORED = {
  s3Key: 'materials/2026-11/m-1',
  fileName: '章程.pdf',
  contentType: 'application/pdf',
  size: 1234,
};

function setup(material: CaseMaterial = { type: 'articles-of-association', materialId: 'm-1' }) {
  const ports = inMemoryCases();
  const record = caseRecord({
    bundleId: 'enterprise-opening',
    services: ['enterprise-establishment-registration'],
    materials: [material],
  });
  ports.store.cases.set(record.caseId, record);
  const task = taskRecord({
    taskId: taskIdFor(record.caseId, 0, 'review', 'market-regulation'),
    caseId: record.caseId,
    kind: 'review',
    departmentId: 'market-regulation',
    services: ['enterprise-establishment-registration'],
  });
  ports.store.tasks.set(task.taskId, task);
  const presigned: string[] = [];
  const materialReads: string[] = [];
  const reads: string[] = [];
  const logged: AccessEntry[][] = [];
  const deps = {
    caseWithTasks: async (caseId: string) => {
      reads.push(caseId);
      return { record: await ports.cases.get(caseId), tasks: await ports.tasks.listForCase(caseId) };
    },
    catalog: index,
    material: async (portalId: string, materialId: string) => {
      materialReads.push(materialId);
      return portalId === record.portalId && materialId === 'm-1' ? STORED : undefined;
    },
    presignDownload: async (key: string) => {
      presigned.push(key);
      return { url: `https://files.example/${key}?sig`, expiresAt: '2026-12-01T00:05:00.000Z' };
    },
    personalData: {
      accessAfterMs: 30 * 86_400_000,
      recordAccesses: async (_whose: unknown, entries: readonly AccessEntry[]) => {
        logged.push([...entries]);
      },
      now: () => new Date('2026-11-03T00:00:00.000Z'),
    },
  };
  return { deps, ports, task, record, presigned, materialReads, reads, logged };
}

describe('a department opening its task', () => {
  it('sees the case data its services need, each material with a short-lived link', async () => {
    const { deps, task, record, presigned } = setup();
    const detail = await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(detail.case.id).toBe(record.caseId);
    const m = detail.materials.find((x) => x.materialId === 'm-1');
    expect(m).toMatchObject({
      fileName: '章程.pdf',
      downloadUrl: 'https://files.example/materials/2026-11/m-1?sig',
    });
    expect(presigned).toEqual(['materials/2026-11/m-1']);
  });

  it('reads the case and its tasks once, and presigns from the file facts the case recorded without reading the material', async () => {
    const { deps, task, presigned, materialReads, reads } = setup({
      type: 'articles-of-association',
      materialId: 'm-1',
      file: { ...STORED, fileName: '章程（记录）.pdf' },
    });
    const detail = await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(reads).toEqual([task.caseId]);
    expect(materialReads).toEqual([]);
    expect(presigned).toEqual(['materials/2026-11/m-1']);
    expect(detail.materials[0]).toMatchObject({ fileName: '章程（记录）.pdf', size: 1234 });
    // The object key is storage's: never in the answer (only inside the signed link).
    expect(detail.materials[0]).not.toHaveProperty('file');
    expect(JSON.stringify(detail)).not.toContain('"s3Key"');
  });

  it('falls back to the material for a case submitted before file facts were recorded', async () => {
    const { deps, task, materialReads, presigned } = setup();
    await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(materialReads).toEqual(['m-1']);
    expect(presigned).toEqual(['materials/2026-11/m-1']);
  });

  it('records the read and the download links in the access log in one write, before answering', async () => {
    const { deps, task, logged } = setup();
    await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.map((e) => e.purpose)).toEqual([`task:${task.taskId}`, `material:${task.taskId}`]);
    expect(logged[0]!.every((e) => e.actor.kind === 'department' && e.actor.id === 'market-regulation')).toBe(
      true,
    );
  });

  it('records only the read when the task has no uploaded material', async () => {
    const { deps, task, logged } = setup({ type: 'articles-of-association', sharedData: true });
    await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(logged.map((batch) => batch.map((e) => e.purpose))).toEqual([[`task:${task.taskId}`]]);
  });

  it('answers nothing when the access log cannot be written', async () => {
    const { deps, task, presigned } = setup();
    deps.personalData.recordAccesses = async () => {
      throw new Error('throttled');
    };
    await expect(
      taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' }),
    ).rejects.toThrow('throttled');
    expect(presigned).toEqual([]);
  });

  it('masks the applicant after the access period, with no links and nothing logged', async () => {
    const { deps, ports, task, logged, presigned } = setup({
      type: 'articles-of-association',
      materialId: 'm-1',
      file: STORED,
    });
    ports.store.tasks.set(task.taskId, {
      ...task,
      status: 'approved',
      decision: {
        outcome: 'approve',
        opinion: '',
        corrections: [],
        decidedAt: '2026-09-01T00:00:00.000Z',
        decidedBy: 'officer',
      },
    });
    const detail = await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(detail.case.personalData).toBe('masked');
    expect(detail.materials[0]).toEqual({ type: 'articles-of-association', materialId: 'm-1' });
    expect(logged).toEqual([]);
    expect(presigned).toEqual([]);
  });

  it('finds no task of another department, and never the applicant’s supplement wait', async () => {
    const { deps, ports, task, record } = setup();
    await expect(taskDetail(deps, { taskId: task.taskId, departmentId: 'tax' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(taskDetail(deps, { taskId: 'nope', departmentId: 'market-regulation' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      taskDetail(deps, { taskId: `${record.caseId}.r0.unknown`, departmentId: 'market-regulation' }),
    ).rejects.toThrow(NotFoundError);
    const wait = taskRecord({
      taskId: taskIdFor(record.caseId, 0, 'supplement', 'applicant'),
      caseId: record.caseId,
      kind: 'supplement',
      departmentId: 'applicant',
    });
    ports.store.tasks.set(wait.taskId, wait);
    await expect(taskDetail(deps, { taskId: wait.taskId, departmentId: 'applicant' })).rejects.toThrow(
      NotFoundError,
    );
  });
});
