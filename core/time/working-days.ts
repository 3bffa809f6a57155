/**
 * 办结时限 in working days (工作日): weekends and China's public holidays are skipped, make-up
 * workdays (调休) count. Holiday data comes from the maintained `chinese-days` package. All
 * deadlines fall at the end of a working day in China Standard Time (UTC+8, no DST).
 */
import chineseDays from 'chinese-days';

// Default import: the package's CommonJS main exposes no named exports to Node's ESM loader (its
// ESM build, which bundlers pick, has a default export too).
const { findWorkday, isWorkday } = chineseDays;

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** The calendar date (YYYY-MM-DD) of an instant in China Standard Time. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** End of the given China date (23:59:59.999 CST) as an instant. */
function endOfChinaDay(date: string): Date {
  return new Date(Date.parse(`${date}T23:59:59.999Z`) - CST_OFFSET_MS);
}

/**
 * The deadline `days` working days after `from`: the day of submission does not count (as the
 * rules for 办结时限 say), so 1 working day from a Friday afternoon is the end of Monday.
 * 0 days means the end of the current day if it is a working day, else the next one.
 */
export function addWorkingDays(from: Date, days: number): Date {
  const today = chinaDate(from);
  if (days <= 0) return endOfChinaDay(isWorkday(today) ? today : findWorkday(1, today));
  return endOfChinaDay(findWorkday(days, today));
}

/** Working days strictly after `from`'s day up to and including `to`'s day (0 if `to` ≤ from). */
export function workingDaysBetween(from: Date, to: Date): number {
  let n = 0;
  let day = chinaDate(from);
  const end = chinaDate(to);
  while (day < end) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (isWorkday(day)) n++;
  }
  return n;
}

export { isWorkday };
