import { describe, expect, it } from 'vitest';
import { HOLIDAY_YEARS } from './holidays.generated.ts';
import { addWorkingDays, chinaDate, findWorkday, isWorkday, workingDaysBetween } from './working-days.ts';

const at = (iso: string) => new Date(iso);

describe('working-day deadlines', () => {
  it('skips a weekend: 1 working day from a Friday ends on Monday', () => {
    // 2026-11-20 is a Friday.
    expect(chinaDate(addWorkingDays(at('2026-11-20T10:00:00+08:00'), 1))).toBe('2026-11-23');
  });

  it('skips the National Day holiday week', () => {
    // 2025-09-30 (Tue) + 1 working day: 1–8 October 2025 are holidays, 9 October is the next workday.
    expect(chinaDate(addWorkingDays(at('2025-09-30T10:00:00+08:00'), 1))).toBe('2025-10-09');
  });

  it('counts a make-up workday (调休) on a weekend', () => {
    // 2025-09-28 (Sunday) is a make-up workday before National Day 2025.
    expect(chinaDate(addWorkingDays(at('2025-09-26T10:00:00+08:00'), 1))).toBe('2025-09-28');
  });

  it('uses China time, not UTC, for the day of submission', () => {
    // 23:30 UTC on Thursday is already Friday in China.
    expect(chinaDate(at('2026-11-19T23:30:00Z'))).toBe('2026-11-20');
    expect(chinaDate(addWorkingDays(at('2026-11-19T23:30:00Z'), 1))).toBe('2026-11-23');
  });

  it('counts the working days between two instants', () => {
    expect(workingDaysBetween(at('2026-11-20T10:00:00+08:00'), at('2026-11-24T10:00:00+08:00'))).toBe(2);
  });
});

describe('findWorkday', () => {
  it('is the day itself for 0 on a working day, else the next working day', () => {
    expect(findWorkday(0, '2026-11-20')).toBe('2026-11-20'); // a Friday
    expect(findWorkday(0, '2026-10-01')).toBe('2026-10-08'); // National Day 2026: 1–7 October
  });

  it('counts back for a negative n, past holidays and onto a make-up workday', () => {
    // 1–7 October 2026 are holidays; 10 October (Saturday) is a make-up workday.
    expect(findWorkday(-1, '2026-10-08')).toBe('2026-09-30');
    expect(findWorkday(-1, '2026-10-11')).toBe('2026-10-10');
  });

  it('knows only weekends outside the years of the table', () => {
    expect(HOLIDAY_YEARS.last).toBeLessThan(2099);
    // 2099-01-01 is a Thursday: New Year's Day, had the State Council announced 2099 yet.
    expect(findWorkday(0, '2099-01-01')).toBe('2099-01-01');
    expect(findWorkday(1, '2099-01-02')).toBe('2099-01-05');
  });

  it('refuses what is not a calendar date or a whole number of days', () => {
    expect(() => findWorkday(1, '2026-02-30')).toThrow(RangeError);
    expect(() => findWorkday(1, '2026-1-4')).toThrow(RangeError);
    expect(() => isWorkday('')).toThrow(RangeError);
    expect(() => findWorkday(1.5, '2026-01-05')).toThrow(RangeError);
    expect(() => findWorkday(Number.POSITIVE_INFINITY, '2026-01-05')).toThrow(RangeError);
  });
});
