import crypto from 'node:crypto';
import type { z } from 'zod';
import {
  messagesValue, webhookMessage, webhookStatus, webhookUserPreference,
  type WebhookContact, type WebhookEnvelope,
} from '../whatsapp/webhook-payload';
import type { InboxDraft, InboxPayload } from './inbox-event';

/**
 * Turns one webhook envelope into inbox drafts: every entry, every change, every item
 * (never only `entry[0]`). Items that do not parse become `malformed` drafts so nothing
 * Meta sent is dropped silently.
 */
export function extractEvents(envelope: WebhookEnvelope, now: Date = new Date()): InboxDraft[] {
  const drafts: InboxDraft[] = [];
  for (const entry of envelope.entry) {
    for (const change of entry.changes) {
      drafts.push(...extractChange(entry.id, entry.time ?? null, change.field, change.value, now));
    }
  }
  return drafts;
}

function extractChange(wabaId: string, time: number | null, field: string, value: Record<string, unknown>, now: Date): InboxDraft[] {
  const wabaDraft = (kind: 'template_status' | 'quality_update', key: string): InboxDraft => ({
    dedupeKey: key,
    phoneNumberId: null,
    wabaId,
    conversationKey: `waba:${wabaId}`,
    eventAt: fromUnixSeconds(time, now),
    payload: { kind, wabaId, time, update: value },
  });
  switch (field) {
    case 'messages':
    case 'user_preferences':
      return extractMessagesValue(wabaId, field, value, now);
    case 'message_template_status_update':
      return [wabaDraft('template_status', `t:${String(value.message_template_id)}:${String(value.event)}:${time ?? hashOf(value)}`)];
    case 'phone_number_quality_update':
      return [wabaDraft('quality_update', `q:${wabaId}:${String(value.event)}:${time ?? hashOf(value)}`)];
    default:
      return [{
        dedupeKey: `x:${hashOf({ field, value })}`,
        phoneNumberId: null,
        wabaId,
        conversationKey: `waba:${wabaId}`,
        eventAt: fromUnixSeconds(time, now),
        payload: { kind: 'unhandled', field, wabaId, value },
      }];
  }
}

function extractMessagesValue(wabaId: string, field: string, raw: Record<string, unknown>, now: Date): InboxDraft[] {
  const parsed = messagesValue.safeParse(raw);
  if (!parsed.success) return [malformed(wabaId, field, raw, parsed.error, now)];
  const value = parsed.data;
  const phoneNumberId = value.metadata.phone_number_id;
  const contacts = value.contacts ?? [];
  const contactFor = (waId: string | undefined, userId: string | undefined): WebhookContact | null =>
    contacts.find((c) => (waId && c.wa_id === waId) || (userId && c.user_id === userId)) ?? (contacts.length === 1 ? contacts[0] ?? null : null);
  const keyFor = (customer: string) => `${phoneNumberId}:${customer || 'unknown'}`;
  const drafts: InboxDraft[] = [];

  for (const item of value.messages ?? []) {
    const m = webhookMessage.safeParse(item);
    if (!m.success) {
      drafts.push(malformed(wabaId, field, item, m.error, now));
      continue;
    }
    const message = m.data;
    drafts.push({
      dedupeKey: `m:${message.id}`,
      phoneNumberId,
      wabaId,
      conversationKey: keyFor(message.from || message.from_user_id || ''),
      eventAt: fromUnixSeconds(message.timestamp, now),
      payload: { kind: 'message', phoneNumberId, wabaId, contact: contactFor(message.from, message.from_user_id), message },
    });
  }
  for (const item of value.statuses ?? []) {
    const s = webhookStatus.safeParse(item);
    if (!s.success) {
      drafts.push(malformed(wabaId, field, item, s.error, now));
      continue;
    }
    const status = s.data;
    // Meta redelivers a status with its own timestamp; a second, differently timed copy of the same
    // status still reaches the engine, which keeps the earliest, so the result does not depend on order.
    drafts.push({
      dedupeKey: `s:${status.id}:${status.status}:${status.timestamp}`,
      phoneNumberId,
      wabaId,
      conversationKey: keyFor(status.recipient_id || status.recipient_user_id || ''),
      eventAt: fromUnixSeconds(status.timestamp, now),
      payload: { kind: 'status', phoneNumberId, wabaId, status },
    });
  }
  for (const item of value.user_preferences ?? []) {
    const p = webhookUserPreference.safeParse(item);
    if (!p.success) {
      drafts.push(malformed(wabaId, field, item, p.error, now));
      continue;
    }
    const preference = p.data;
    const customer = preference.wa_id || preference.user_id || '';
    drafts.push({
      dedupeKey: `p:${phoneNumberId}:${customer}:${preference.category}:${preference.value}:${preference.timestamp}`,
      phoneNumberId,
      wabaId,
      conversationKey: keyFor(customer),
      eventAt: fromUnixSeconds(preference.timestamp, now),
      payload: { kind: 'user_preference', phoneNumberId, wabaId, contact: contactFor(preference.wa_id, preference.user_id), preference },
    });
  }
  if (value.errors?.length) {
    drafts.push({
      dedupeKey: `e:${hashOf(value.errors)}`,
      phoneNumberId,
      wabaId,
      conversationKey: `${phoneNumberId}:system`,
      eventAt: now,
      payload: { kind: 'system_error', phoneNumberId, wabaId, errors: value.errors },
    });
  }
  return drafts;
}

function malformed(wabaId: string, field: string, item: unknown, error: z.ZodError, now: Date): InboxDraft {
  const problem = error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');
  const payload: InboxPayload = { kind: 'malformed', field, wabaId, item, problem };
  return { dedupeKey: `x:${hashOf({ field, item })}`, phoneNumberId: null, wabaId, conversationKey: `waba:${wabaId}`, eventAt: now, payload };
}

/** Meta's time, or the receive time when it is missing or beyond what a Date (and PostgreSQL) can hold. */
function fromUnixSeconds(value: string | number | null, now: Date): Date {
  const seconds = Number(value);
  const at = new Date(seconds * 1000);
  return value !== null && seconds > 0 && !Number.isNaN(at.getTime()) ? at : now;
}

function hashOf(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}
