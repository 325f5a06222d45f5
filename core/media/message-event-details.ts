import type { SyncEvent } from '../connectors/contract';
import type { Db } from '../db/connect';
import type { Json, JsonObject } from '../sync/conversation-event';
import type { MediaUrlSigner } from './signed-media-url';

interface DetailRow {
  id: string;
  body: Json;
  quoted_text: string | null;
  media_mime_type: string | null;
  media_filename: string | null;
}

/**
 * What a platform needs to show a message as well as WhatsApp does, added to each message event's
 * data when it is delivered (not when it is recorded, so a signed URL is fresh however late the
 * sync runs, and the outbox never stores one):
 * - `body`: the stored message body in Meta's field names (location coordinates, the chosen button …);
 * - `quoted`: the text of the message it replies or reacts to, when we have it;
 * - `media`: `{ url, mimeType, filename }` for an inbound file, `url` a signed Threadline URL the
 *   platform can download without credentials (see MediaUrlSigner), only when a signer is configured.
 * One query per batch.
 */
export async function withMessageDetails(db: Db, signer: MediaUrlSigner | undefined, workspaceId: string, events: readonly SyncEvent[]): Promise<SyncEvent[]> {
  const ids = [...new Set(events.flatMap((e) => (e.messageId !== null && isMessageEvent(e) ? [e.messageId] : [])))];
  if (ids.length === 0) return [...events];
  const rows: DetailRow[] = await db('message as m')
    .leftJoin('media as md', 'md.message_id', 'm.id')
    // A reply quotes its context message; a reaction names the message it reacts to in its body.
    .leftJoin('message as q', function quoted() {
      this.on('q.workspace_id', 'm.workspace_id').andOn('q.wamid', db.raw("coalesce(m.context_wamid, m.body->'reaction'->>'message_id')"));
    })
    .where('m.workspace_id', workspaceId)
    .whereIn('m.id', ids)
    .select('m.id', 'm.body', 'q.text as quoted_text', 'md.mime_type as media_mime_type', 'md.filename as media_filename');
  const byId = new Map(rows.map((r) => [r.id, r]));
  return events.map((event) => {
    const row = event.messageId === null || !isMessageEvent(event) ? undefined : byId.get(event.messageId);
    if (!row) return event;
    const details: JsonObject = { body: row.body, quoted: row.quoted_text };
    if (row.media_mime_type !== null && signer !== undefined) {
      details.media = { url: signer.urlFor(row.id), mimeType: row.media_mime_type, filename: row.media_filename };
    }
    return { ...event, data: { ...event.data, ...details } };
  });
}

function isMessageEvent(event: SyncEvent): boolean {
  return event.type === 'message.inbound' || event.type === 'message.outbound';
}
