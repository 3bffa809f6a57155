import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, taskRecord } from '#test/support/in-memory-cases.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import { NotFoundError } from '../shared/errors.ts';
import { taskDetail } from './task-detail.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);

function setup() {
  const ports = inMemoryCases();
  const record = caseRecord({
    bundleId: 'enterprise-opening',
    services: ['enterprise-establishment-registration'],
    materials: [{ type: 'articles-of-association', materialId: 'm-1' }],
  });
  ports.store.cases.set(record.caseId, record);
  const task = taskRecord({
    taskId: `${record.caseId}.r0.review.market-regulation`,
    caseId: record.caseId,
    kind: 'review',
    departmentId: 'market-regulation',
    services: ['enterprise-establishment-registration'],
  });
  ports.store.tasks.set(task.taskId, task);
  const presigned: string[] = [];
  const deps = {
    tasks: ports.tasks,
    cases: ports.cases,
    catalog: index,
    material: async (portalId: string, materialId: string) =>
      portalId === record.portalId && materialId === 'm-1'
        ? { s3Key: 'materials/m-1', fileName: '章程.pdf', contentType: 'application/pdf', size: 1234 }
        : undefined,
    presignDownload: async (key: string) => {
      presigned.push(key);
      return { url: `https://files.example/${key}?sig`, expiresAt: '2026-12-01T00:05:00.000Z' };
    },
  };
  return { deps, task, record, presigned };
}

describe('a department opening its task', () => {
  it('sees the case data its services need, each material with a short-lived link', async () => {
    const { deps, task, record, presigned } = setup();
    const detail = await taskDetail(deps, { taskId: task.taskId, departmentId: 'market-regulation' });
    expect(detail.case.id).toBe(record.caseId);
    const m = detail.materials.find((x) => x.materialId === 'm-1');
    expect(m).toMatchObject({ fileName: '章程.pdf', downloadUrl: 'https://files.example/materials/m-1?sig' });
    expect(presigned).toEqual(['materials/m-1']);
  });

  it('finds no task of another department, and never the applicant’s supplement wait', async () => {
    const { deps, task } = setup();
    await expect(taskDetail(deps, { taskId: task.taskId, departmentId: 'tax' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(taskDetail(deps, { taskId: 'nope', departmentId: 'market-regulation' })).rejects.toThrow(
      NotFoundError,
    );
  });
});
