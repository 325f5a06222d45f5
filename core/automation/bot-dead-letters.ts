import type { Db } from '../db/connect';
import { writeAudit } from '../audit/write-audit';
import { wakeAt } from './bot-forward';

export interface BotDeadLetter {
  id: string;
  conversation_id: string;
  message_id: string;
  attempts: number;
  last_error: string | null;
  finished_at: Date;
}

/**
 * Customer messages the bot never took (its last attempt failed), newest first. `beforeId` is the last
 * id of the previous page: ids are uuids, so the page key is (finished_at, id) read from that row.
 */
export async function listBotDeadLetters(db: Db, workspaceId: string, options: { limit?: number; beforeId?: string } = {}): Promise<BotDeadLetter[]> {
  const q = db('bot_forward').where({ workspace_id: workspaceId, state: 'dead' });
  if (options.beforeId) {
    q.whereRaw('(finished_at, id) < (select finished_at, id from bot_forward where id = ? and workspace_id = ?)', [options.beforeId, workspaceId]);
  }
  return q.orderBy([{ column: 'finished_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(options.limit ?? 50)
    .select('id', 'conversation_id', 'message_id', 'attempts', 'last_error', 'finished_at');
}

export type BotReplayResult = { ok: true; conversationId: string } | { ok: false; code: 'NOT_FOUND'; message: string };

/**
 * Puts a dead forward back with fresh attempts and wakes its conversation's forwarding in the same commit.
 * Audited with the replaying actor.
 */
export async function replayBotDeadLetter(db: Db, workspaceId: string, id: string, actor: string): Promise<BotReplayResult> {
  return db.transaction(async (trx) => {
    const [row]: Array<{ conversation_id: string; whatsapp_number_id: string; contact_id: string }> = await trx('bot_forward as f')
      .where({ 'f.workspace_id': workspaceId, 'f.id': id, 'f.state': 'dead' })
      .update({ state: 'pending', attempts: 0, last_error: null, next_attempt_at: trx.fn.now(), finished_at: null })
      .updateFrom('conversation as c').whereRaw('c.id = f.conversation_id')
      .returning(['f.conversation_id', 'c.whatsapp_number_id', 'c.contact_id']);
    if (!row) return { ok: false, code: 'NOT_FOUND', message: `No dead letter ${id} for the bot in this workspace` };
    await wakeAt(trx, { workspaceId, conversationId: row.conversation_id, numberId: row.whatsapp_number_id, contactId: row.contact_id }, new Date());
    await writeAudit(trx, { workspaceId, actor, action: 'dead_letter.replayed', entityType: 'bot_forward', entityId: id, data: { conversationId: row.conversation_id } });
    return { ok: true, conversationId: row.conversation_id };
  });
}
