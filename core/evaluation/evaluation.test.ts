/**
 * 好差评 and 12345 use cases over in-memory fakes (no emulator): a rating only of one's own final
 * case, once; a 差评 opens one rectification per department, due in working days; an inquiry goes
 * to the department holding the case's open task; answered once.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caseRecord, inMemoryCases, taskRecord } from '#test/support/in-memory-cases.ts';
import { indexCatalog } from '../catalog/catalog-index.ts';
import { CatalogSchema } from '../catalog/schema.ts';
import type { ApplicantIdentity } from '../identity/applicant.ts';
import { cityOnly, indexPlaces } from '../places/places.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { addWorkingDays } from '../time/working-days.ts';
import { answerInquiry, askInquiry, departmentForCase } from './inquiry.ts';
import type { InquiryRecord, RatingRecord, RectificationRecord } from './model.ts';
import type { EvaluationStore } from './ports.ts';
import { CaseNotFinalError, RatingRequestSchema, rateCase } from './rating.ts';
import { completeRectification } from './rectification.ts';
import { labelOf, SATISFACTION_SCALE } from './scale.ts';

const index = indexCatalog(
  CatalogSchema.parse(
    JSON.parse(readFileSync(new URL('../../cities/changzhou/catalog.json', import.meta.url), 'utf8')),
  ),
);
const places = indexPlaces(cityOnly(index.catalog));
const NOW = new Date('2026-11-02T02:00:00.000Z'); // a Monday
const ME: ApplicantIdentity = {
  kind: 'person',
  subject: 's-1',
  name: '张三',
  idNumber: '110101199003077777',
  assurance: 2,
};

function memoryStore(): EvaluationStore & {
  ratings: Map<string, RatingRecord>;
  rects: Map<string, RectificationRecord>;
  inquiries: Map<string, InquiryRecord>;
} {
  const ratings = new Map<string, RatingRecord>();
  const rects = new Map<string, RectificationRecord>();
  const inquiries = new Map<string, InquiryRecord>();
  return {
    ratings,
    rects,
    inquiries,
    async createRating(rating, rectifications) {
      if (ratings.has(rating.caseId)) return false;
      ratings.set(rating.caseId, rating);
      for (const r of rectifications) rects.set(r.rectificationId, r);
      return true;
    },
    getRating: async (caseId) => ratings.get(caseId),
    getRectification: async (id) => rects.get(id),
    async completeRectification(current, completion) {
      if (rects.get(current.rectificationId)?.status !== 'open') return false;
      rects.set(current.rectificationId, { ...current, status: 'completed', completion });
      return true;
    },
    departmentRectifications: async (d) => ({
      items: [...rects.values()].filter((r) => r.departmentId === d),
    }),
    openRectifications: async () => [...rects.values()].filter((r) => r.status === 'open'),
    async createInquiry(q) {
      inquiries.set(q.inquiryId, q);
    },
    getInquiry: async (id) => inquiries.get(id),
    async answerInquiry(current, answer) {
      if (inquiries.get(current.inquiryId)?.status !== 'open') return false;
      inquiries.set(current.inquiryId, { ...current, status: 'answered', answer });
      return true;
    },
    departmentInquiries: async () => ({ items: [] }),
    applicantInquiries: async () => ({ items: [] }),
    openInquiriesDueBefore: async () => [],
    applicantKey: async (whose) => `key:${whose.kind === 'person' ? whose.idNumber : whose.uscc}`,
  };
}

function setup(status: 'issued' | 'in_review' = 'issued') {
  const ports = inMemoryCases();
  const record = caseRecord({
    bundleId: 'enterprise-opening',
    services: ['enterprise-establishment-registration', 'company-seal-filing'],
    status,
  });
  ports.store.cases.set(record.caseId, record);
  const id = record.caseId;
  const acceptance = taskRecord({ departmentId: 'market-regulation', status: 'approved' });
  const police = taskRecord({
    taskId: `${id}.r0.public-security`,
    kind: 'review',
    departmentId: 'public-security',
    status: status === 'issued' ? 'approved' : 'pending',
  });
  for (const t of [acceptance, police]) ports.store.tasks.set(t.taskId, t);
  const store = memoryStore();
  const deps = { cases: ports.cases, store, catalog: index, places, now: () => NOW };
  return { deps, store, record };
}

const rate = (deps: ReturnType<typeof setup>['deps'], caseId: string, body: unknown) =>
  rateCase(deps, {
    caller: { portalId: 'p-1', applicant: ME },
    caseId,
    request: RatingRequestSchema.parse(body),
  });

describe('the five-level scale', () => {
  it('labels each score as the national scale does', () => {
    expect(SATISFACTION_SCALE.map((s) => `${s.score} ${s.label}`)).toEqual([
      '5 非常满意',
      '4 满意',
      '3 基本满意',
      '2 不满意',
      '1 非常不满意',
    ]);
    expect(labelOf(2)).toBe('不满意');
  });
});

describe('rating a case (好差评)', () => {
  it('records a good rating without opening any rectification', async () => {
    const { deps, store, record } = setup();
    const { rating, rectifications } = await rate(deps, record.caseId, { overall: 5 });
    expect(rating).toMatchObject({
      overall: 5,
      leadDepartmentId: 'market-regulation',
      placeId: places.city.id,
    });
    expect(rectifications).toEqual([]);
    expect(store.ratings.get(record.caseId)?.overall).toBe(5);
  });

  it('opens one rectification per department rated 差评, due in 5 working days', async () => {
    const { deps, record } = setup();
    const { rectifications } = await rate(deps, record.caseId, {
      overall: 1,
      departments: [
        { departmentId: 'market-regulation', score: 2 },
        { departmentId: 'public-security', score: 2 },
      ],
    });
    expect(rectifications.map((r) => [r.departmentId, r.reasons, r.score])).toEqual([
      ['market-regulation', ['overall', 'department'], 1],
      ['public-security', ['department'], 2],
    ]);
    expect(rectifications[0]!.dueAt).toBe(addWorkingDays(NOW, 5).toISOString());
  });

  it('refuses a case that is not final with case_not_final', async () => {
    const { deps, record } = setup('in_review');
    await expect(rate(deps, record.caseId, { overall: 4 })).rejects.toBeInstanceOf(CaseNotFinalError);
  });

  it('refuses departments that did not work on the case, listing each', async () => {
    const { deps, record } = setup();
    const err = await rate(deps, record.caseId, {
      overall: 3,
      departments: [
        { departmentId: 'tax', score: 1 },
        { departmentId: 'public-security', score: 4 },
        { departmentId: 'public-security', score: 4 },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      '/departments/0/departmentId department_not_involved',
      '/departments/2/departmentId duplicate_department',
    ]);
  });

  it('is given once: a second rating is a conflict and changes nothing', async () => {
    const { deps, store, record } = setup();
    await rate(deps, record.caseId, { overall: 4 });
    await expect(rate(deps, record.caseId, { overall: 1 })).rejects.toBeInstanceOf(ConflictError);
    expect(store.ratings.get(record.caseId)?.overall).toBe(4);
    expect(store.rects.size).toBe(0);
  });

  it('answers another applicant’s case as a missing one', async () => {
    const { deps, record } = setup();
    await expect(
      rateCase(deps, {
        caller: { portalId: 'p-1', applicant: { ...ME, subject: 's-2', idNumber: '110101199003071111' } },
        caseId: record.caseId,
        request: RatingRequestSchema.parse({ overall: 5 }),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets only the department rated complete its rectification, once', async () => {
    const { deps, store, record } = setup();
    const { rectifications } = await rate(deps, record.caseId, { overall: 2 });
    const id = rectifications[0]!.rectificationId;
    const request = { action: '整改', followUp: { contacted: true, satisfied: true, note: '' } };
    const complete = (departmentId: string) =>
      completeRectification({ store, now: () => NOW }, { departmentId, rectificationId: id, request });
    await expect(complete('tax')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await complete('market-regulation')).status).toBe('completed');
    await expect(complete('market-regulation')).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('inquiries (12345)', () => {
  it('routes an inquiry about a case to the department holding its open task, due by kind', async () => {
    const { deps, record } = setup('in_review');
    const q = await askInquiry(deps, {
      from: { channel: 'portal', portalId: 'p-1', applicant: ME },
      request: { kind: 'complaint', text: '太慢', caseId: record.caseId },
    });
    expect(q).toMatchObject({
      departmentId: 'public-security',
      bundleId: 'enterprise-opening',
      status: 'open',
    });
    expect(q.dueAt).toBe(addWorkingDays(NOW, 5).toISOString());
  });

  it('routes to the lead when it holds one of several open tasks, or when none is open', () => {
    const open = (departmentId: string, dueAt: string) => taskRecord({ departmentId, kind: 'review', dueAt });
    expect(departmentForCase('lead', [open('a', '2026-11-03'), open('lead', '2026-11-09')])).toBe('lead');
    expect(departmentForCase('lead', [open('b', '2026-11-09'), open('a', '2026-11-03')])).toBe('a');
    expect(departmentForCase('lead', [])).toBe('lead');
  });

  it('routes an inquiry about a bundle to its lead department', async () => {
    const { deps } = setup();
    const q = await askInquiry(deps, {
      from: { channel: 'hotline', applicant: { kind: 'person', idNumber: ME.idNumber } },
      request: { kind: 'consultation', text: '要带什么材料', bundleId: 'newborn' },
    });
    expect(q.departmentId).toBe(index.bundle('newborn').leadDepartmentId);
    expect(q.dueAt).toBe(addWorkingDays(NOW, 1).toISOString());
  });

  it('does not file a hotline call about a case of someone else', async () => {
    const { deps, record } = setup();
    await expect(
      askInquiry(deps, {
        from: { channel: 'hotline', applicant: { kind: 'person', idNumber: '110101199003071111' } },
        request: { kind: 'complaint', text: '…', caseId: record.caseId },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is answered once, by the department it was routed to', async () => {
    const { deps, record } = setup('in_review');
    const q = await askInquiry(deps, {
      from: { channel: 'portal', portalId: 'p-1', applicant: ME },
      request: { kind: 'consultation', text: '进度？', caseId: record.caseId },
    });
    const answer = (departmentId: string) =>
      answerInquiry(deps, { departmentId, inquiryId: q.inquiryId, text: '审查中' });
    await expect(answer('tax')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await answer('public-security')).status).toBe('answered');
    await expect(answer('public-security')).rejects.toBeInstanceOf(ConflictError);
  });
});
