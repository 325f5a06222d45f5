import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { SendContent, TemplateContent } from '../send/send-content';
import { sendError, type SendError } from '../send/send-error';
import type { SendTarget } from '../send/send-target';
import { timeZoneOfWaId } from './contact-time-zone';
import { ruleInForce } from './rules';
import type { OutboundLimits } from './trigger-rules';

/**
 * Guard rails for a template nobody typed. `scope: 'always'` for triggers and automations; `'outside_window'` for
 * a platform's template: a workflow's is business-initiated, outside the window, while a person's inside the
 * window is their own reply and not held. `quietHours: false` skips quiet hours (a trigger that must go at once).
 */
export interface GuardRails {
  scope: 'always' | 'outside_window';
  quietHours: boolean;
}

/**
 * The outbound_limits rule in force, for a send with guard rails: the frequency cap per contact and category,
 * counted from the messages table (failed ones do not count), then quiet hours in the contact's time zone. Runs
 * in the send's transaction under a lock on the contact, so two sends at once cannot both take the last slot.
 * Null when the message may go.
 */
export async function checkGuardRails(
  trx: Knex.Transaction, guard: GuardRails | undefined, target: SendTarget, content: SendContent, now: Date,
): Promise<SendError | null> {
  if (!guard || content.type !== 'template') return null;
  if (guard.scope === 'outside_window' && target.windowExpiresAt && target.windowExpiresAt > now) return null;
  const limits = await ruleInForce(trx, target.workspaceId, target.numberId, 'outbound_limits');
  if (!limits) return null;
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`outbound_limits:${target.contactId}`]);
  const capped = await frequencyCapped(trx, target, content, limits, now);
  if (capped) return capped;
  return guard.quietHours ? quietHoursProblem(limits, target.waId ?? '', now) : null;
}

async function frequencyCapped(trx: Knex.Transaction, target: SendTarget, content: TemplateContent, limits: OutboundLimits, now: Date): Promise<SendError | null> {
  const template: { category: string } | undefined = await trx('template')
    .where({ workspace_id: target.workspaceId, waba_id: target.wabaId, name: content.name, language: content.language }).first('category');
  const category = template?.category.toLowerCase();
  const cap = category === 'marketing' || category === 'utility' || category === 'authentication' ? limits[category] : undefined;
  if (!category || !cap) return null;
  const since = new Date(now.getTime() - cap.perDays * 86_400_000);
  const [row]: Array<{ sent: string }> = await trx('message as m')
    .join('conversation as c', 'c.id', 'm.conversation_id')
    .join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id')
    .join('template as t', function joinTemplate() {
      this.on('t.workspace_id', 'm.workspace_id').andOn('t.waba_id', 'n.waba_id')
        .andOn('t.name', trx.raw("m.body->'template'->>'name'")).andOn('t.language', trx.raw("m.body->'template'->'language'->>'code'"));
    })
    .where({ 'm.workspace_id': target.workspaceId, 'c.contact_id': target.contactId, 'm.direction': 'outbound', 'm.type': 'template' })
    .whereNot('m.status', 'failed').where('m.sent_at', '>', since).whereRaw('lower(t.category) = ?', [category])
    .count({ sent: '*' });
  const sent = Number(row?.sent ?? 0);
  if (sent < cap.max) return null;
  return sendError('FREQUENCY_CAPPED',
    `The contact already got ${sent} ${category} template${sent === 1 ? '' : 's'} in the last ${cap.perDays} day${cap.perDays === 1 ? '' : 's'} (the limit is ${cap.max})`,
    'Send it later, or raise the limit in the outbound_limits rule (PUT /api/v1/automation/rules/outbound_limits)');
}

/** QUIET_HOURS with when they end, while it is between `start` and `end` (across midnight when end < start) for the contact. */
export function quietHoursProblem(limits: OutboundLimits, waId: string, now: Date): SendError | null {
  const quiet = limits.quietHours;
  if (!quiet) return null;
  const zone = timeZoneOfWaId(waId) ?? quiet.defaultTimeZone;
  const local = DateTime.fromJSDate(now, { zone });
  const minutes = local.hour * 60 + local.minute;
  const start = clockMinutes(quiet.start);
  const end = clockMinutes(quiet.end);
  const inQuiet = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inQuiet) return null;
  // Wall-clock time, so the end stays 08:00 on the night clocks change.
  const endOn = (day: DateTime) => day.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  const ends = endOn(local) > local ? endOn(local) : endOn(local.plus({ days: 1 }));
  return sendError('QUIET_HOURS',
    `It is ${local.toFormat('HH:mm')} for the contact (${zone}), inside quiet hours ${quiet.start}–${quiet.end}`,
    `Send it after ${ends.toFormat('HH:mm')} their time (${ends.toUTC().toISO() ?? ''}); triggers defer it on their own`,
    { retryAt: ends.toJSDate() });
}

function clockMinutes(clock: string): number {
  const [hour = 0, minute = 0] = clock.split(':').map(Number);
  return hour * 60 + minute;
}
