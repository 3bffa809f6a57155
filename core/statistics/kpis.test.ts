import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import { kpisOf, periodOf } from './kpis.ts';

describe('the KPIs from counters', () => {
  it('gives null, not 0, for a rate or average over no case', () => {
    const k = kpisOf({});
    expect(k.cases).toBe(0);
    expect(k.firstTimeSuccessRate).toBeNull();
    expect(k.averageWorkingDays).toBeNull();
    expect(k.overdueRate).toBeNull();
    expect(k.materialsReusedShare).toBeNull();
  });

  it('computes 一次办成率 over issued cases, days and overdue over decided ones', () => {
    const k = kpisOf({
      submitted: 5,
      finals: 4,
      issued: 3,
      rejected: 1,
      issuedFirstTime: 2,
      decided: 4,
      workingDays: 9,
      committedDays: 14,
      legalDays: 40,
      overdue: 1,
      correctionRounds: 1,
      visits: 1,
      materialsUploaded: 6,
      materialsReused: 2,
    });
    expect(k).toMatchObject({
      cases: 5,
      firstTimeSuccessRate: 0.6667,
      averageWorkingDays: 2.25,
      averageCommittedDays: 3.5,
      averageLegalDays: 10,
      overdueRate: 0.25,
      correctionRoundsPerCase: 0.25,
      visitsPerIssuedCase: 0.33,
      materialsReusedShare: 0.25,
    });
  });
});

describe('the period asked', () => {
  // 20:00 UTC on 1 December is 04:00 on 2 December in China: "today" is the China date.
  const now = new Date('2026-12-01T20:00:00.000Z');

  it('defaults to the last 30 days up to today (China date)', () => {
    expect(periodOf({}, now)).toEqual({ from: '2026-11-03', to: '2026-12-02', days: 30 });
  });

  it('runs 30 days from `from` alone (not past today), and 30 days up to `to` alone', () => {
    expect(periodOf({ from: '2026-11-20' }, now)).toEqual({ from: '2026-11-20', to: '2026-12-02', days: 13 });
    expect(periodOf({ to: '2026-01-30' }, now)).toEqual({ from: '2026-01-01', to: '2026-01-30', days: 30 });
  });

  it('takes up to 366 days and refuses more, a reversed range and a non-date, as 422 problems', () => {
    expect(periodOf({ from: '2024-01-01', to: '2024-12-31' }, now).days).toBe(366);
    const problems = (q: { from?: string; to?: string }) => {
      try {
        periodOf(q, now);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).problems.map((p) => `${p.path} ${p.code}`);
      }
    };
    expect(problems({ from: '2024-01-01', to: '2025-01-01' })).toEqual(['/query/to range_too_long']);
    expect(problems({ from: '2026-11-02', to: '2026-11-01' })).toEqual(['/query/from invalid_range']);
    expect(problems({ from: '9999-12-20' })).toEqual(['/query/from invalid_date']);
    expect(problems({ to: '0000-01-05' })).toEqual(['/query/from invalid_date']);
    expect(problems({ from: '2026-02-30', to: 'yesterday' })).toEqual([
      '/query/from invalid_date',
      '/query/to invalid_date',
    ]);
    // Found by fuzzing: a month or day out of range is an Invalid Date, refused as the others.
    expect(problems({ from: '2026-13-01', to: '0000-00-00' })).toEqual([
      '/query/from invalid_date',
      '/query/to invalid_date',
    ]);
  });
});
