import type { Knex } from 'knex';
import type { JsonObject } from '../sync/conversation-event';

/** Enough for a bot or a person to pick the thread up; the full history is on the platforms. */
const TRANSCRIPT_MESSAGES = 20;

/** The conversation's latest messages, oldest first: who wrote, what (as text) and when. */
export async function recentTranscript(db: Knex, workspaceId: string, conversationId: string): Promise<JsonObject[]> {
  const rows: Array<{ direction: string; type: string; text: string | null; sent_at: Date; sender_name: string | null }> = await db('message')
    .where({ workspace_id: workspaceId, conversation_id: conversationId }).whereNot('type', 'reaction')
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(TRANSCRIPT_MESSAGES)
    .select('direction', 'type', 'text', 'sent_at', db.raw(`sent_by->>'name' as sender_name`));
  return rows.reverse().map((m) => ({
    direction: m.direction,
    from: m.direction === 'inbound' ? 'customer' : m.sender_name ?? 'business',
    type: m.type,
    text: m.text ?? '',
    sent_at: m.sent_at.toISOString(),
  }));
}
