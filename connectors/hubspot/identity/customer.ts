import type { Json, JsonObject } from '../../../core/sync/conversation-event';

/**
 * The WhatsApp customer an event names, as far as the event tells: inbound messages carry `from`
 * (wa_id), `fromUserId` (business-scoped user id, BSUID), `profileName`, `username` and `contactId`;
 * outbound ones `contactId` and `to` (the wa_id, null for a business-scoped user).
 */
export interface Customer {
  /** Threadline's contact id. */
  contactId: string;
  waId: string | null;
  userId: string | null;
  name: string | null;
}

export function customerOfEvent(type: string, data: JsonObject): Customer | undefined {
  const contactId = text(data.contactId);
  if (contactId === undefined) return undefined;
  if (type === 'message.inbound') {
    return { contactId, waId: text(data.from) ?? null, userId: text(data.fromUserId) ?? null, name: text(data.profileName) ?? text(data.username) ?? null };
  }
  if (type === 'message.outbound') return { contactId, waId: text(data.to) ?? null, userId: null, name: null };
  return undefined;
}

function text(value: Json | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
