/**
 * 办结时限 in the unit the catalog gives it: working days (工作日, the default) or calendar days
 * (自然日). A calendar-day limit whose last day is not a working day ends on the next working day
 * (期间届满的最后一日是法定节假日的，以节假日后的第一日为期间届满的日期).
 */
import { addWorkingDays, chinaDate } from '../time/working-days.ts';
import type { TimeLimit } from './schema.ts';

type Limit = Pick<TimeLimit, 'committedDays'> & { readonly unit?: TimeLimit['unit'] };

/** The deadline of the committed limit, counted from `from` (the day itself does not count). */
export function committedDeadline(from: Date, limit: Limit): Date {
  if (limit.unit !== 'calendar' || limit.committedDays <= 0) return addWorkingDays(from, limit.committedDays);
  const last = new Date(Date.parse(`${chinaDate(from)}T00:00:00Z`) + limit.committedDays * 86_400_000)
    .toISOString()
    .slice(0, 10);
  // addWorkingDays(…, 0) is the end of that day if it is a working day, else of the next one.
  return addWorkingDays(new Date(Date.parse(`${last}T04:00:00Z`)), 0);
}

/** The latest of the services' committed deadlines: parallel review takes the slowest branch. */
export function latestDeadline(from: Date, limits: readonly Limit[]): Date {
  return new Date(
    Math.max(addWorkingDays(from, 0).getTime(), ...limits.map((l) => committedDeadline(from, l).getTime())),
  );
}

/**
 * Working days a limit amounts to, for measures that add or compare limits (one week of calendar
 * days has five working days; holidays are not known without a date, so this is an estimate).
 */
export function workingDaysOf(days: number, unit: TimeLimit['unit'] | undefined): number {
  return unit === 'calendar' ? Math.ceil((days * 5) / 7) : days;
}
