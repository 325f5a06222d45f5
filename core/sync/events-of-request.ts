import type { Knex } from 'knex';
import type { JsonObject } from './conversation-event';
import { externalIdFor } from './external-id';

export interface RequestEvent {
  outboxId: number;
  type: string;
  conversationId: string;
  messageId: string | null;
}

/**
 * The events a platform request carried, by the external id they were sent with, for a platform that
 * answers later (Zendesk's resources_created callback names the request and our external ids). A
 * request is one batch: this installation's outbox rows from its first row on, at most `batchLimit`.
 * Read from the outbox itself, so it does not matter whether the request's outcome was recorded yet.
 */
export async function eventsOfRequest(
  db: Knex, installationId: string, firstOutboxId: number, externalIds: readonly string[], batchLimit = 200,
): Promise<Map<string, RequestEvent>> {
  const wanted = new Set(externalIds);
  const rows: { id: string | number; event_id: string; type: string; conversation_id: string; message_id: string | null; data: JsonObject }[] = await db('sync_outbox')
    .where({ installation_id: installationId })
    .where('id', '>=', firstOutboxId)
    .orderBy('id')
    .limit(batchLimit)
    .select('id', 'event_id', 'type', 'conversation_id', 'message_id', 'data');
  const found = new Map<string, RequestEvent>();
  for (const row of rows) {
    const externalId = externalIdFor({ type: row.type, eventId: row.event_id, data: row.data });
    if (wanted.has(externalId) && !found.has(externalId)) {
      found.set(externalId, { outboxId: Number(row.id), type: row.type, conversationId: row.conversation_id, messageId: row.message_id });
    }
  }
  return found;
}
