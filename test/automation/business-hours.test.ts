import { addBusinessMinutes, businessHoursSchema, closedPeriodAt, describeReopening, isOpenAt, type BusinessHours } from '../../core/automation/business-hours';

const weekdays = [{ open: '09:00', close: '17:00' }];
const berlin = (extra: Partial<BusinessHours> = {}): BusinessHours => businessHoursSchema.parse({
  timeZone: 'Europe/Berlin', weekly: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays }, ...extra,
});
const at = (iso: string) => new Date(iso);

test('open inside an interval, closed before it and from its closing minute (Berlin is UTC+1 in January)', () => {
  const hours = berlin();
  expect(isOpenAt(hours, at('2027-01-04T08:00:00Z'))).toBe(true); // Monday 09:00 local
  expect(isOpenAt(hours, at('2027-01-04T07:59:59Z'))).toBe(false);
  expect(isOpenAt(hours, at('2027-01-04T15:59:59Z'))).toBe(true);
  expect(isOpenAt(hours, at('2027-01-04T16:00:00Z'))).toBe(false); // 17:00 local
  expect(isOpenAt(hours, at('2027-01-09T10:00:00Z'))).toBe(false); // Saturday
});

test('the closed period runs from the last closing to the next opening, the same for every instant in it', () => {
  const hours = berlin();
  const friday = closedPeriodAt(hours, at('2027-01-08T17:30:00Z'));
  const sunday = closedPeriodAt(hours, at('2027-01-10T12:00:00Z'));
  expect(friday).toEqual({ since: at('2027-01-08T16:00:00Z'), until: at('2027-01-11T08:00:00Z') });
  expect(sunday).toEqual(friday);
  expect(closedPeriodAt(hours, at('2027-01-11T09:00:00Z'))).toBeUndefined();
  expect(describeReopening(hours, at('2027-01-08T17:30:00Z'), at('2027-01-11T08:00:00Z'))).toBe('Monday at 09:00');
  expect(describeReopening(hours, at('2027-01-07T17:30:00Z'), at('2027-01-08T08:00:00Z'))).toBe('tomorrow at 09:00');
  expect(describeReopening(hours, at('2027-01-08T06:00:00Z'), at('2027-01-08T08:00:00Z'))).toBe('today at 09:00');
});

test('a holiday closes the whole day and an exception replaces the day\'s hours', () => {
  const hours = berlin({
    holidays: [{ date: '2027-01-11', name: 'Team day' }],
    exceptions: [{ date: '2027-01-09', intervals: [{ open: '10:00', close: '12:00' }] }, { date: '2027-01-12', intervals: [] }],
  });
  expect(isOpenAt(hours, at('2027-01-09T10:00:00Z'))).toBe(true); // Saturday 11:00 local, by exception
  expect(isOpenAt(hours, at('2027-01-11T10:00:00Z'))).toBe(false); // the holiday
  // Saturday noon to Wednesday 09:00: Monday is a holiday and Tuesday closed by exception.
  expect(closedPeriodAt(hours, at('2027-01-10T12:00:00Z'))).toEqual({ since: at('2027-01-09T11:00:00Z'), until: at('2027-01-13T08:00:00Z') });
});

test('wall-clock hours hold across a daylight-saving change', () => {
  const hours = berlin();
  // 2027-03-26 is a Friday in CET (UTC+1); 2027-03-29 a Monday in CEST (UTC+2).
  expect(isOpenAt(hours, at('2027-03-26T08:00:00Z'))).toBe(true);
  expect(isOpenAt(hours, at('2027-03-29T07:00:00Z'))).toBe(true);
  expect(isOpenAt(hours, at('2027-03-29T06:59:00Z'))).toBe(false);
  expect(closedPeriodAt(hours, at('2027-03-27T12:00:00Z'))).toEqual({ since: at('2027-03-26T16:00:00Z'), until: at('2027-03-29T07:00:00Z') });
});

test('a schedule with no hours at all is one closed period without ends', () => {
  const never = businessHoursSchema.parse({ timeZone: 'America/New_York', weekly: {} });
  expect(closedPeriodAt(never, at('2027-01-04T15:00:00Z'))).toEqual({ since: undefined, until: undefined });
});

test('a bad schedule is refused with messages an admin can act on', () => {
  const result = businessHoursSchema.safeParse({
    timeZone: 'Mars/Olympus',
    weekly: { mon: [{ open: '17:00', close: '09:00' }], tue: [{ open: '09:00', close: '13:00' }, { open: '12:00', close: '18:00' }], wed: [{ open: '9am', close: '17:00' }] },
    holidays: [{ date: '2027-13-01' }],
  });
  expect(result.success).toBe(false);
  const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  expect(messages).toEqual(expect.arrayContaining([
    'timeZone: must be an IANA time zone such as Europe/Berlin',
    'weekly.mon.0: must close after it opens on the same day (split a night shift into two days\' intervals)',
    'weekly.tue: intervals of one day must not overlap',
    'weekly.wed.0.open: must be a time as HH:MM (00:00 to 24:00)',
    'holidays.0.date: must be a date as YYYY-MM-DD',
  ]));
});

test('business minutes count only opening time, across the night, the weekend and a holiday', () => {
  const hours = berlin({ holidays: [{ date: '2027-01-11' }] });
  expect(addBusinessMinutes(hours, at('2027-01-07T10:00:00Z'), 5)).toEqual(at('2027-01-07T10:05:00Z')); // Thursday 11:00 local
  expect(addBusinessMinutes(hours, at('2027-01-07T15:58:00Z'), 5)).toEqual(at('2027-01-08T08:03:00Z')); // 16:58 → Friday 09:03
  expect(addBusinessMinutes(hours, at('2027-01-08T15:58:00Z'), 5)).toEqual(at('2027-01-12T08:03:00Z')); // Friday 16:58 → Tuesday (Monday a holiday)
  expect(addBusinessMinutes(hours, at('2027-01-09T12:00:00Z'), 0)).toEqual(at('2027-01-12T08:00:00Z')); // Saturday: the next opening
  expect(addBusinessMinutes(businessHoursSchema.parse({ timeZone: 'UTC', weekly: {} }), at('2027-01-09T12:00:00Z'), 5)).toBeUndefined();
});
