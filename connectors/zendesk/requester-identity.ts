import type { Json, JsonObject } from '../../core/sync/conversation-event';

/**
 * The customer of an inbound message as Zendesk knows them (reference §4.2): the Push API author and the
 * requester user share `external_id`, so Zendesk puts both on one user. `whatsapp:<wa_id>`, or for a
 * business-scoped user without a number `whatsapp:<user_id>`; a sender with neither is keyed by their
 * contact and gets no requester of their own.
 */
export type CustomerIdentity =
  | { kind: 'wa_id'; waId: string; externalId: string; name: string; contactId: string | undefined }
  | { kind: 'user_id'; userId: string; externalId: string; name: string; contactId: string | undefined }
  | { kind: 'contact'; externalId: string; name: string; contactId: string | undefined };

/** From `message.inbound` data: `from`, `fromUserId`, `profileName`, `username`, `contactId`. */
export function customerOf(data: JsonObject): CustomerIdentity {
  const waId = text(data.from);
  const userId = text(data.fromUserId);
  const contactId = text(data.contactId);
  const profileName = text(data.profileName);
  if (waId !== undefined) return { kind: 'wa_id', waId, externalId: `whatsapp:${waId}`, name: profileName ?? `+${waId}`, contactId };
  const name = profileName ?? text(data.username) ?? 'WhatsApp customer';
  if (userId !== undefined) return { kind: 'user_id', userId, externalId: `whatsapp:${userId}`, name, contactId };
  return { kind: 'contact', externalId: `threadline-contact:${contactId ?? 'unknown'}`, name, contactId };
}

/** From `message.outbound` data: the customer it was sent `to` (null for a business-scoped user) and `contactId`. */
export function recipientOf(data: JsonObject): CustomerIdentity {
  return customerOf({ from: data.to ?? null, contactId: data.contactId ?? null });
}

function text(value: Json | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
