import { timeZoneOfWaId } from '../../core/automation/contact-time-zone';
import { quietHoursProblem } from '../../core/automation/outbound-limits';
import { outboundLimitsRule } from '../../core/automation/trigger-rules';

/** Quiet hours in the contact's time zone, from their number's country code (issue 7 item 7). */
const limits = outboundLimitsRule.parse({ quietHours: { start: '21:00', end: '08:00', defaultTimeZone: 'Asia/Tokyo' } });

test('the zone is the country\'s (its most populous one when it has several), else the rule\'s default', () => {
  expect(timeZoneOfWaId('4915123456789')).toBe('Europe/Berlin');
  expect(timeZoneOfWaId('14155551212')).toBe('America/New_York');
  expect(timeZoneOfWaId('351912345678')).toBe('Europe/Lisbon');
  expect(timeZoneOfWaId('6761234567')).toBeUndefined(); // +676 Tonga: not in the table
  expect(quietHoursProblem(limits, '6761234567', new Date('2026-11-22T13:00:00Z'))?.message).toMatch(/Asia\/Tokyo/); // 22:00 in Tokyo
});

test('quiet hours span midnight, end at the next 08:00 local, and let the day through', () => {
  const berlin = '4915123456789';
  expect(quietHoursProblem(limits, berlin, new Date('2026-11-22T19:59:00Z'))).toBeNull(); // 20:59 local
  expect(quietHoursProblem(limits, berlin, new Date('2026-11-22T20:00:00Z'))?.retryAt).toEqual(new Date('2026-11-23T07:00:00Z'));
  expect(quietHoursProblem(limits, berlin, new Date('2026-11-23T05:30:00Z'))?.retryAt).toEqual(new Date('2026-11-23T07:00:00Z'));
  expect(quietHoursProblem(limits, berlin, new Date('2026-11-23T07:00:00Z'))).toBeNull();
  expect(quietHoursProblem(limits, '14155551212', new Date('2026-11-23T07:00:00Z'))?.code).toBe('QUIET_HOURS'); // 02:00 in New York
});

test('the end stays 08:00 wall-clock on the night clocks change', () => {
  // Berlin leaves summer time on 2026-10-25 at 03:00 local: 08:00 that morning is 07:00Z, not 06:00Z.
  expect(quietHoursProblem(limits, '4915123456789', new Date('2026-10-24T22:00:00Z'))?.retryAt).toEqual(new Date('2026-10-25T07:00:00Z'));
});

test('a rule names the field that is wrong', () => {
  const bad = outboundLimitsRule.safeParse({ marketing: { max: 2 }, quietHours: { start: '9pm', end: '08:00', defaultTimeZone: 'Mars/Base' } });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['marketing.perDays', 'quietHours.start', 'quietHours.defaultTimeZone']);
});
