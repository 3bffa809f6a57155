/**
 * core/time/holidays.generated.ts is chinese-days' calendar: the checked-in file is what the generator
 * writes for the installed chinese-days, and over every day of the years it knows (and a year
 * either side) our isWorkday and findWorkday answer as chinese-days' own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOLIDAY_YEARS } from '../core/time/holidays.generated.ts';
import { findWorkday, isWorkday } from '../core/time/working-days.ts';
import { repoRoot } from '../infra/paths.ts';
import { generateHolidays, HOLIDAYS_FILE } from './generate-holidays.ts';

const DAY_MS = 86_400_000;

/** Every date from 1 January of `first` to 31 December of `last`, as YYYY-MM-DD. */
function datesOf(first: number, last: number): string[] {
  const out: string[] = [];
  for (let ms = Date.UTC(first, 0, 1); ms <= Date.UTC(last, 11, 31); ms += DAY_MS)
    out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

/**
 * chinese-days parses YYYY-MM-DD as UTC midnight and reads it in local time, its own table too (built
 * on import): west of Greenwich every date is the day before. Asked in China's time zone it is right.
 */
const zone = process.env.TZ;
process.env.TZ = 'Asia/Shanghai';
const { default: chineseDays } = await import('chinese-days');
afterAll(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('the holiday table', () => {
  it('is what `npm run generate:holidays` writes for the installed chinese-days', () => {
    expect(readFileSync(join(repoRoot, HOLIDAYS_FILE), 'utf8')).toBe(generateHolidays());
  });

  const days = datesOf(HOLIDAY_YEARS.first - 1, HOLIDAY_YEARS.last + 1);

  it('covers the years chinese-days knows, and a year either side is weekends only', () => {
    const exceptions = (year: number) =>
      datesOf(year, year).filter((d) => {
        const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
        return chineseDays.isWorkday(d) !== (weekday >= 1 && weekday <= 5);
      });
    expect(exceptions(HOLIDAY_YEARS.first).length).toBeGreaterThan(0);
    expect(exceptions(HOLIDAY_YEARS.last).length).toBeGreaterThan(0);
    expect(exceptions(HOLIDAY_YEARS.first - 1)).toEqual([]);
    expect(exceptions(HOLIDAY_YEARS.last + 1)).toEqual([]);
  });

  it('answers isWorkday as chinese-days on every day', () => {
    const differ = days.filter((d) => isWorkday(d) !== chineseDays.isWorkday(d));
    expect(differ).toEqual([]);
  });

  it.each([0, 1, 2, 3, -1])('answers findWorkday(%i) as chinese-days on every day', (n) => {
    const differ = days
      .map((d) => ({ d, ours: findWorkday(n, d), theirs: chineseDays.findWorkday(n, d) }))
      .filter((r) => r.ours !== r.theirs);
    expect(differ).toEqual([]);
  });
});
