import { describe, expect, it } from 'vitest';
import type { InquiryRecord, RatingRecord, RectificationRecord } from '../evaluation/model.ts';
import { addCounters } from './counters.ts';
import {
  inquiryAnswerIncrement,
  inquiryIncrement,
  ratingIncrements,
  rectificationIncrement,
} from './evaluation.ts';
import { kpisOf } from './kpis.ts';

const CASE = 'c-aaaaaaaaaaaaaaaaaaaaaaaa';
const rating = (overrides: Partial<RatingRecord> = {}): RatingRecord => ({
  caseId: CASE,
  portalId: 'portal-a',
  bundleId: 'enterprise-opening',
  placeId: 'changzhou',
  caseStatus: 'issued',
  overall: 4,
  leadDepartmentId: 'market-regulation',
  departments: [],
  createdAt: '2026-11-02T17:30:00.000Z', // 3 November in China
  rectificationIds: [],
  ...overrides,
});
const rectification = (departmentId: string): RectificationRecord => ({
  rectificationId: `${CASE}.rect.${departmentId}`,
  caseId: CASE,
  bundleId: 'enterprise-opening',
  placeId: 'changzhou',
  departmentId,
  reasons: ['department'],
  score: 1,
  status: 'open',
  createdAt: '2026-11-02T17:30:00.000Z',
  dueAt: '2026-11-10T15:59:59.999Z',
});
const key = (c: { dimension: string; value: string }) => `${c.dimension}:${c.value}`;

describe('a rating', () => {
  it('counts its overall score for the city, bundle and place, and for the lead when the lead was not rated', () => {
    const incs = ratingIncrements(rating(), []);
    expect(incs.map((i) => i.day)).toEqual(['2026-11-03', '2026-11-03']);
    expect(incs[0]!.cells.map(key)).toEqual(['all:*', 'bundle:enterprise-opening', 'place:changzhou']);
    expect(incs[0]!.counters).toEqual({ ratings: 1, ratingsSatisfied: 1 });
    expect(incs[1]!.cells.map(key)).toEqual([
      'department:market-regulation',
      'bundle-department:enterprise-opening/market-regulation',
    ]);
    expect(incs[1]!.counters).toEqual({ ratings: 1, ratingsSatisfied: 1 });
  });

  it('counts each rated department with its own score, and the rectification a 差评 opens for it', () => {
    const incs = ratingIncrements(
      rating({
        overall: 3,
        departments: [
          { departmentId: 'market-regulation', score: 5 },
          { departmentId: 'tax', score: 1 },
        ],
      }),
      [rectification('tax')],
    );
    const by = new Map(incs.map((i) => [key(i.cells[0]!), i.counters]));
    expect(by.get('all:*')).toEqual({ ratings: 1, rectificationsOpened: 1 }); // 3 is neither 满意 nor 差评
    expect(by.get('department:market-regulation')).toEqual({ ratings: 1, ratingsSatisfied: 1 });
    expect(by.get('department:tax')).toEqual({ ratings: 1, badRatings: 1, rectificationsOpened: 1 });
  });
});

describe('rectifications and inquiries', () => {
  it('gives 差评整改率 from rectifications opened and completed, and the 回访 satisfaction', () => {
    const done = rectificationIncrement(rectification('tax'), {
      action: '已约谈窗口人员',
      followUp: { contacted: true, satisfied: true, note: '' },
      completedAt: '2026-11-05T02:00:00.000Z',
    });
    expect(done.day).toBe('2026-11-05');
    expect(done.cells.map(key)).toContain('department:tax');
    const opened = ratingIncrements(rating({ overall: 1 }), [rectification('market-regulation')])[0]!;
    const k = kpisOf(addCounters(opened.counters, done.counters));
    expect(k).toMatchObject({ ratings: 1, badRatings: 1, satisfactionRate: 0, rectificationRate: 1 });
    expect(k.followUpSatisfiedRate).toBe(1);
  });

  it('counts an inquiry when received and its answer time when answered, late after its deadline', () => {
    const q: InquiryRecord = {
      inquiryId: 'q-1',
      kind: 'complaint',
      text: '窗口排队时间太长',
      status: 'open',
      channel: 'hotline',
      applicantKey: 'k',
      bundleId: 'enterprise-opening',
      placeId: 'changzhou',
      departmentId: 'market-regulation',
      createdAt: '2026-11-02T01:00:00.000Z',
      dueAt: '2026-11-09T15:59:59.999Z',
    };
    expect(inquiryIncrement(q).counters).toEqual({ inquiries: 1, complaints: 1 });
    const answered = inquiryAnswerIncrement(q, {
      text: '已改进',
      answeredAt: '2026-11-02T04:30:00.000Z',
      departmentId: 'market-regulation',
    });
    expect(answered.counters).toEqual({ inquiriesAnswered: 1, inquiryAnswerMinutes: 210 });
    expect(kpisOf(answered.counters).averageInquiryAnswerHours).toBe(3.5);
    const late = inquiryAnswerIncrement(q, {
      text: '已改进',
      answeredAt: '2026-11-10T01:00:00.000Z',
      departmentId: 'market-regulation',
    });
    expect(late.counters.inquiriesAnsweredLate).toBe(1);
  });
});
