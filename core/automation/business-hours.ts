import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * A team's or number's opening hours (issue 7 item 1): a weekly schedule in one IANA time zone, holidays
 * (closed all day) and exceptions (other hours on one date, or closed). Local times are wall-clock times in the
 * zone, so "09:00" stays 09:00 across daylight-saving changes; a time that does not exist that day (the hour
 * skipped in spring) is moved forward as clocks are (luxon's rule).
 */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time as HH:MM (00:00 to 24:00)');
const day = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });

const interval = z.object({ open: clock, close: clock }).refine((i) => minutes(i.close) > minutes(i.open), {
  message: 'must close after it opens on the same day (split a night shift into two days\' intervals)',
});
const intervals = z.array(interval).max(8).refine(disjoint, { message: 'intervals of one day must not overlap' });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const businessHoursSchema = z.object({
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone such as Europe/Berlin' }),
  weekly: z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, intervals.default([])])) as Record<Weekday, z.ZodDefault<typeof intervals>>),
  holidays: z.array(z.object({ date: day, name: z.string().max(100).optional() })).max(366).default([]),
  exceptions: z.array(z.object({ date: day, intervals })).max(366).default([]),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

/** A span of time the team is closed: from when it closed (or undefined: no opening in the past 14 days) to when it opens. */
export interface ClosedPeriod {
  since: Date | undefined;
  /** Undefined when no opening is scheduled in the next 14 days. */
  until: Date | undefined;
}

/** How far schedules are searched for the next or previous change: two weeks covers any weekly schedule with holidays. */
const SEARCH_DAYS = 14;

function minutes(time: string): number {
  const [h = 0, m = 0] = time.split(':').map(Number);
  return h * 60 + m;
}

function disjoint(list: ReadonlyArray<{ open: string; close: string }>): boolean {
  const sorted = [...list].sort((a, b) => minutes(a.open) - minutes(b.open));
  return sorted.every((i, n) => n === 0 || minutes(i.open) >= minutes(sorted[n - 1]?.close ?? '00:00'));
}

/** The opening intervals of one local date, as instants, in order. */
function openingsOn(hours: BusinessHours, date: DateTime): Array<{ open: DateTime; close: DateTime }> {
  const iso = date.toISODate();
  if (hours.holidays.some((h) => h.date === iso)) return [];
  const exception = hours.exceptions.find((e) => e.date === iso);
  const list = exception?.intervals ?? hours.weekly[WEEKDAYS[date.weekday - 1] ?? 'mon'];
  const at = (time: string) => date.startOf('day').plus({ minutes: minutes(time) });
  return [...list].sort((a, b) => minutes(a.open) - minutes(b.open)).map((i) => ({ open: at(i.open), close: at(i.close) }));
}

function localDay(hours: BusinessHours, at: Date): DateTime {
  return DateTime.fromJSDate(at, { zone: hours.timeZone }).startOf('day');
}

export function isOpenAt(hours: BusinessHours, at: Date): boolean {
  const t = at.getTime();
  return openingsOn(hours, localDay(hours, at)).some((i) => i.open.toMillis() <= t && t < i.close.toMillis());
}

/** The closed period containing `at`, or undefined when the team is open then. */
export function closedPeriodAt(hours: BusinessHours, at: Date): ClosedPeriod | undefined {
  if (isOpenAt(hours, at)) return undefined;
  const t = at.getTime();
  const today = localDay(hours, at);
  let since: Date | undefined;
  for (let back = 0; back <= SEARCH_DAYS && since === undefined; back += 1) {
    const closes = openingsOn(hours, today.minus({ days: back })).map((i) => i.close.toMillis()).filter((c) => c <= t);
    if (closes.length) since = new Date(Math.max(...closes));
  }
  let until: Date | undefined;
  for (let ahead = 0; ahead <= SEARCH_DAYS && until === undefined; ahead += 1) {
    const opens = openingsOn(hours, today.plus({ days: ahead })).map((i) => i.open.toMillis()).filter((o) => o > t);
    if (opens.length) until = new Date(Math.min(...opens));
  }
  return { since, until };
}

/** "Monday 09:00" / "tomorrow at 09:00" / "today at 14:00", in the team's zone, for the auto-reply's "we are back …". */
export function describeReopening(hours: BusinessHours, from: Date, reopensAt: Date): string {
  const now = DateTime.fromJSDate(from, { zone: hours.timeZone });
  const then = DateTime.fromJSDate(reopensAt, { zone: hours.timeZone });
  const time = then.toFormat('HH:mm');
  const days = Math.round(then.startOf('day').diff(now.startOf('day'), 'days').days);
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  if (days < 7) return `${then.setLocale('en').toFormat('cccc')} at ${time}`;
  return `${then.setLocale('en').toFormat('cccc d LLLL')} at ${time}`;
}

/** How far ahead business time is counted: a schedule open less than this is treated as never open. */
const BUSINESS_TIME_HORIZON_DAYS = 60;

/**
 * The instant `minutes` of opening time after `from` (an SLA's due time: 5 business minutes from a message at
 * 16:58 on Friday is 09:03 on Monday). Undefined when the schedule has no opening in the next 60 days.
 */
export function addBusinessMinutes(hours: BusinessHours, from: Date, minutes: number): Date | undefined {
  let remainingMs = minutes * 60_000;
  const start = from.getTime();
  const firstDay = localDay(hours, from);
  for (let day = 0; day <= BUSINESS_TIME_HORIZON_DAYS; day += 1) {
    for (const interval of openingsOn(hours, firstDay.plus({ days: day }))) {
      const open = Math.max(interval.open.toMillis(), start);
      const available = interval.close.toMillis() - open;
      if (available <= 0) continue;
      if (remainingMs <= available) return new Date(open + remainingMs);
      remainingMs -= available;
    }
  }
  return undefined;
}
