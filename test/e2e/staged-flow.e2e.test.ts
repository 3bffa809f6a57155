/**
 * Staged dispatch through HTTP (issue 15): 企业开办's registration is reviewed first; the five
 * departments after it open together, each task carrying the new enterprise's credit code; a
 * refused registration ends the case rejected without the others ever reviewing.
 */
import { describe, expect, it } from 'vitest';
import { isValidUscc } from '../../core/shared/identifiers.ts';
import { licenseDataAt } from './licenses.ts';
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
import { call } from './target.ts';

const BUNDLE = 'enterprise-opening';
const LEAD = 'market-regulation';
const AFTER = ['public-security', 'pboc-changzhou', 'tax', 'hrss', 'housing-fund'];

type Task = { id: string; kind: string; departmentId: string; status: string; stage?: number };

async function accepted() {
  const submitted = await submit(await buildApplication(BUNDLE));
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const caseId = submitted.body.id as string;
  const acceptance = await pendingTask(LEAD, caseId, 'acceptance');
  expect((await decide(acceptance.id, LEAD, { outcome: 'approve', opinion: '予以受理' })).status).toBe(200);
  return caseId;
}

const reviews = async (caseId: string) =>
  ((await getCase(caseId)).body.tasks as Task[]).filter((t) => t.kind === 'review');

describe('staged dispatch (企业开办)', () => {
  it('reviews 企业设立登记 first, then opens the other five together, each carrying the new credit code', async () => {
    const caseId = await accepted();

    const registration = await pendingTask(LEAD, caseId, 'review');
    expect(registration.services).toEqual(['enterprise-establishment-registration']);
    expect((await reviews(caseId)).map((t) => t.id)).toEqual([registration.id]);
    expect(
      (await decide(registration.id, LEAD, { outcome: 'approve', opinion: '准予设立登记' })).status,
    ).toBe(200);

    const opened = await Promise.all(AFTER.map((d) => pendingTask(d, caseId, 'review')));
    expect(opened.map((t) => t.stage)).toEqual([1, 1, 1, 1, 1]);
    const view = await getCase(caseId);
    const uscc = view.body.results['enterprise-establishment-registration'].uscc as string;
    expect(isValidUscc(uscc)).toBe(true);
    expect(uscc.slice(0, 8)).toBe('91320400');
    for (const t of opened) {
      const detail = await call('GET', `/v1/tasks/${t.id}`, { headers: departmentAuth(t.departmentId) });
      expect(detail.status).toBe(200);
      expect(detail.body.prerequisites).toEqual([
        expect.objectContaining({
          serviceId: 'enterprise-establishment-registration',
          departmentId: LEAD,
          result: expect.objectContaining({ data: expect.objectContaining({ uscc }) }),
        }),
      ]);
    }

    for (const t of opened) await decide(t.id, t.departmentId, { outcome: 'approve', opinion: '同意' });
    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'issued',
      'issued',
    );
    expect(done.body.services.every((s: { result: string }) => s.result === 'approved')).toBe(true);
    // The licenses carry the data: the seal filing names the enterprise's new credit code.
    const licenses = await call('GET', `/v1/cases/${caseId}/licenses`, { headers: caseAuth(caseId) });
    expect(licenses.status).toBe(200);
    const seal = licenses.body.items.find(
      (l: { serviceId: string }) => l.serviceId === 'company-seal-filing',
    );
    const data = await licenseDataAt(seal.downloadUrl);
    expect(data.result.data).toEqual([{ field: 'uscc', title: '统一社会信用代码', value: uscc }]);
    const license = licenses.body.items.find(
      (l: { serviceId: string }) => l.serviceId === 'enterprise-establishment-registration',
    );
    const own = await licenseDataAt(license.downloadUrl);
    expect(own.result.data?.map((d) => d.field)).toEqual(['uscc', 'licenseNumber']);
  });

  it('ends the case rejected when 企业设立登记 is refused, without the others ever reviewing', async () => {
    const caseId = await accepted();
    const registration = await pendingTask(LEAD, caseId, 'review');
    expect(
      (await decide(registration.id, LEAD, { outcome: 'reject', opinion: '名称与在先企业重名' })).status,
    ).toBe(200);

    const done = await eventually(
      () => getCase(caseId),
      (r) => r.body.status === 'rejected',
      'rejected',
    );
    expect((await reviews(caseId)).map((t) => t.departmentId)).toEqual([LEAD]);
    const closed = (done.body.services as { id: string; result: string; opinion?: string }[]).filter(
      (s) => s.id !== 'enterprise-establishment-registration',
    );
    expect(closed).toHaveLength(5);
    for (const s of closed) {
      expect(s.result).toBe('rejected');
      expect(s.opinion).toContain('前置事项「企业设立登记」未获批准');
      expect(s.opinion).toContain('名称与在先企业重名');
    }
    for (const d of AFTER) {
      const inbox = await call('GET', `/v1/departments/${d}/tasks?status=pending&limit=100`, {
        headers: departmentAuth(d),
      });
      expect(inbox.body.items.some((t: { caseId: string }) => t.caseId === caseId)).toBe(false);
    }
  });
});
