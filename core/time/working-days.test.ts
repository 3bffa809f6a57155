import { describe, expect, it } from 'vitest';
import { addWorkingDays, chinaDate, workingDaysBetween } from './working-days.ts';

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
