import type { SyncEvent } from '../connectors';
import { isUuid } from '../engine/is-uuid';
import { isConversationEventType, type JsonObject } from './conversation-event';
import { externalIdFor } from './external-id';

export interface OutboxRow {
  id: number;
  workspace_id: string;
  installation_id: string;
  event_id: string;
  type: string;
  conversation_id: string;
  /** The conversation's number (whatsapp_number.phone_number_id), joined in when rows are loaded for delivery. */
  phone_number_id: string;
  message_id: string | null;
  origin_installation_id: string | null;
  data: JsonObject;
  attempts: number;
  occurred_at: Date;
}

export type LinkMap = Map<string, Record<string, string>>;

/** The customer's contact an event names (inbound messages do), checked since links are keyed by uuid. */
export function contactIdOf(row: Pick<OutboxRow, 'data'>): string | undefined {
  const id = row.data.contactId;
  return typeof id === 'string' && isUuid(id) ? id : undefined;
}

/** The event as the installation's connector sees it; null for a type this build does not know. */
export function toSyncEvent(row: OutboxRow, links: LinkMap): SyncEvent | null {
  if (!isConversationEventType(row.type)) return null;
  const contactId = contactIdOf(row);
  return {
    outboxId: row.id,
    eventId: row.event_id,
    externalId: externalIdFor({ type: row.type, eventId: row.event_id, data: row.data }),
    type: row.type,
    conversationId: row.conversation_id,
    phoneNumberId: row.phone_number_id,
    messageId: row.message_id,
    origin: { installationId: row.origin_installation_id, own: row.origin_installation_id === row.installation_id },
    occurredAt: row.occurred_at,
    data: row.data,
    links: {
      conversation: links.get(`conversation:${row.conversation_id}`) ?? {},
      message: row.message_id ? links.get(`message:${row.message_id}`) ?? {} : {},
      ...(contactId === undefined ? {} : { contact: links.get(`contact:${contactId}`) ?? {} }),
    },
  };
}
