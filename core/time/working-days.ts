/**
 * 办结时限 in working days (工作日): weekends and China's public holidays are skipped, make-up
 * workdays (调休) count. Holiday data is holidays.generated.ts, generated from the maintained
 * `chinese-days` package (`npm run generate:holidays`): its isWorkday and findWorkday, over a table
 * of a few KiB rather than the whole package in every Lambda (issue #14). All deadlines fall at the
 * end of a working day in China Standard Time (UTC+8, no DST).
 */
import { HOLIDAYS, MAKEUP_WORKDAYS } from './holidays.generated.ts';

const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86_400_000;

/** The calendar date (YYYY-MM-DD) of an instant in China Standard Time. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** End of the given China date (23:59:59.999 CST) as an instant. */
function endOfChinaDay(date: string): Date {
  return new Date(Date.parse(`${date}T23:59:59.999Z`) - CST_OFFSET_MS);
}

/** Midnight UTC of a calendar date YYYY-MM-DD; a string that is no such date is a programming error. */
function dayOf(date: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  // Date.parse accepts 2026-02-30 (as 2026-03-02): only a date that formats back to itself is one.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date)
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  return ms;
}

/** Whether 'MMDD' is one of a year's 'MMDD' / 'MMDD-MMDD' entries (fixed width: strings compare as dates). */
function listed(entries: string | undefined, mmdd: string): boolean {
  if (entries === undefined) return false;
  for (const entry of entries.split(' ')) {
    if (mmdd >= entry.slice(0, 4) && mmdd <= entry.slice(-4)) return true;
  }
  return false;
}

function isWorkdayAt(ms: number): boolean {
  const iso = new Date(ms).toISOString();
  const year = Number(iso.slice(0, 4));
  const mmdd = iso.slice(5, 7) + iso.slice(8, 10);
  // As chinese-days: a make-up workday first, then Monday to Friday unless a holiday.
  if (listed(MAKEUP_WORKDAYS[year], mmdd)) return true;
  const weekday = new Date(ms).getUTCDay();
  return weekday >= 1 && weekday <= 5 && !listed(HOLIDAYS[year], mmdd);
}

/** Whether a China date (YYYY-MM-DD) is a working day: chinese-days' isWorkday. */
export function isWorkday(date: string): boolean {
  return isWorkdayAt(dayOf(date));
}

/**
 * The `n`th working day after `date` (before it if `n` < 0); `n` = 0 is `date` itself if it is a
 * working day, else the next one. chinese-days' findWorkday, for whole `n` only.
 */
export function findWorkday(n: number, date: string): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of working days: ${n}`);
  let ms = dayOf(date);
  if (n === 0) {
    if (isWorkdayAt(ms)) return date;
    n = 1;
  }
  const step = n > 0 ? DAY_MS : -DAY_MS;
  for (let left = Math.abs(n); left > 0; ) {
    ms += step;
    if (isWorkdayAt(ms)) left--;
  }
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The deadline `days` working days after `from`: the day of submission does not count (as the
 * rules for 办结时限 say), so 1 working day from a Friday afternoon is the end of Monday.
 * 0 days means the end of the current day if it is a working day, else the next one.
 */
export function addWorkingDays(from: Date, days: number): Date {
  return endOfChinaDay(findWorkday(Math.max(0, days), chinaDate(from)));
}

/** Working days strictly after `from`'s day up to and including `to`'s day (0 if `to` ≤ from). */
export function workingDaysBetween(from: Date, to: Date): number {
  let n = 0;
  let day = chinaDate(from);
  const end = chinaDate(to);
  while (day < end) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    if (isWorkday(day)) n++;
  }
  return n;
}
