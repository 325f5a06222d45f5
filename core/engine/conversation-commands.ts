import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { pauseBotForPerson, releaseBotOnClose } from '../automation/bot-ownership';
import { enqueueClosingMessage } from '../automation/closing-message';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import type { ConversationRow } from './conversation-row';
import { isUuid } from './is-uuid';
import { markReadOnAssign } from './read-receipts';

export interface Assignee {
  platform: string;
  id: string;
  name: string;
}

/** Reopening would give the contact two live threads on one number. */
export class ConversationAlreadyLiveError extends Error {
  readonly code = 'CONVERSATION_ALREADY_LIVE';
  constructor(readonly liveConversationId: string) {
    super(`The contact already has a live conversation (${liveConversationId}) on this number: continue that one instead`);
  }
}

/**
 * Assigns (or, with null, unassigns) a conversation. On `on_assign` numbers taking a
 * conversation sends the customer a read receipt. Null when the conversation is not in the workspace.
 */
export async function assignConversation(db: Knex, workspaceId: string, conversationId: string, assignee: Assignee | null, actor: string): Promise<ConversationRow | null> {
  if (!isUuid(conversationId)) return null;
  return db.transaction(async (trx) => {
    const [row]: ConversationRow[] = await trx('conversation')
      .where({ workspace_id: workspaceId, id: conversationId })
      .update({ assignee_platform: assignee?.platform ?? null, assignee_id: assignee?.id ?? null, assignee_name: assignee?.name ?? null })
      .returning('*');
    if (!row) return null;
    await writeAudit(trx, {
      workspaceId,
      actor,
      action: assignee ? 'conversation.assigned' : 'conversation.unassigned',
      entityType: 'conversation',
      entityId: row.id,
      data: assignee ? { assignee } : {},
    });
    if (assignee) {
      await markReadOnAssign(trx, workspaceId, row.id);
      // A person taking the conversation on any platform pauses its bot at once (issue 7 item 4).
      await pauseBotForPerson(trx, { workspaceId, conversationId: row.id }, assignee, actor);
    }
    // One assignment state that every connected platform shows: who holds it, on which platform.
    await emitConversationEvent(trx, { workspaceId, conversationId: row.id, type: 'conversation.assigned', data: { assignee: assignee ? { ...assignee } : null, actor } });
    return row;
  });
}

/** Closes a conversation; closing a closed one changes nothing. Null when not in the workspace. */
export async function closeConversation(db: Knex, workspaceId: string, conversationId: string, actor: string): Promise<ConversationRow | null> {
  if (!isUuid(conversationId)) return null;
  return db.transaction(async (trx) => {
    const [row]: ConversationRow[] = await trx('conversation')
      .where({ workspace_id: workspaceId, id: conversationId })
      .whereNot('status', 'closed')
      .update({ status: 'closed', closed_at: trx.fn.now() })
      .returning('*');
    if (!row) return current(trx, workspaceId, conversationId);
    await writeAudit(trx, { workspaceId, actor, action: 'conversation.closed', entityType: 'conversation', entityId: row.id });
    await emitConversationEvent(trx, { workspaceId, conversationId: row.id, type: 'conversation.closed', data: { actor } });
    await releaseBotOnClose(trx, { workspaceId, conversationId: row.id });
    await enqueueClosingMessage(trx, { workspaceId, conversationId: row.id, numberId: row.whatsapp_number_id, closedAt: row.closed_at ?? new Date() });
    return row;
  });
}

/**
 * Reopens a closed conversation; reopening a live one changes nothing. Null when not in the
 * workspace; throws ConversationAlreadyLiveError when the contact has another live thread.
 */
export async function reopenConversation(db: Knex, workspaceId: string, conversationId: string, actor: string): Promise<ConversationRow | null> {
  if (!isUuid(conversationId)) return null;
  return db.transaction(async (trx) => {
    const existing = await current(trx, workspaceId, conversationId, true);
    if (!existing || existing.status !== 'closed') return existing;
    const live: { id: string } | undefined = await trx('conversation')
      .where({ workspace_id: workspaceId, contact_id: existing.contact_id, whatsapp_number_id: existing.whatsapp_number_id })
      .whereNot('status', 'closed')
      .first('id');
    if (live) throw new ConversationAlreadyLiveError(live.id);
    const [row]: ConversationRow[] = await trx('conversation')
      .where({ workspace_id: workspaceId, id: conversationId })
      .update({ status: 'open', closed_at: null })
      .returning('*');
    if (!row) return null;
    await writeAudit(trx, { workspaceId, actor, action: 'conversation.reopened', entityType: 'conversation', entityId: row.id });
    await emitConversationEvent(trx, { workspaceId, conversationId: row.id, type: 'conversation.reopened', data: { actor } });
    return row;
  });
}

async function current(trx: Knex.Transaction, workspaceId: string, conversationId: string, lock = false): Promise<ConversationRow | null> {
  const query = trx('conversation').where({ workspace_id: workspaceId, id: conversationId });
  const row: ConversationRow | undefined = await (lock ? query.forUpdate() : query).first();
  return row ?? null;
}
