import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import type { Logger } from '../observability/logger';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import { recentTranscript } from './bot-transcript';
import { routeTo } from './route-conversation';

/** Who answers a conversation: its bot, or people (after a handoff or once someone took it). */
export type BotOwner = 'bot' | 'person';

interface Target {
  workspaceId: string;
  conversationId: string;
}

export async function ownerOf(db: Knex, target: Target): Promise<BotOwner | undefined> {
  const row: { owner: BotOwner } | undefined = await db('bot_conversation').where({ workspace_id: target.workspaceId, conversation_id: target.conversationId }).first('owner');
  return row?.owner;
}

/**
 * The owner when a customer message is judged. A new conversation (no owner decided, none since it was closed, no
 * routing begun, nobody holding it) is taken by the bot when its rule owns new conversations; the insert is the
 * decision, made once.
 */
export async function ownerForMessage(db: Knex, target: Target, ownsNewConversations: boolean): Promise<BotOwner | undefined> {
  if (ownsNewConversations) {
    await db.transaction(async (trx) => {
      const taken: { rows: unknown[] } = await trx.raw(
        `insert into bot_conversation (conversation_id, workspace_id, owner)
         select c.id, c.workspace_id, 'bot' from conversation c where c.workspace_id = ? and c.id = ? and c.assignee_id is null
           and not exists (select 1 from conversation_routing r where r.conversation_id = c.id)
         on conflict (conversation_id) do nothing returning conversation_id`, [target.workspaceId, target.conversationId],
      );
      if (taken.rows.length) await writeAudit(trx, { workspaceId: target.workspaceId, actor: 'automation', action: 'bot.took_conversation', entityType: 'conversation', entityId: target.conversationId });
    });
  }
  return ownerOf(db, target);
}

/** Messages waiting for the bot are never sent once it lost the conversation. */
async function dropPendingForwards(trx: Knex.Transaction, conversationId: string, why: string): Promise<void> {
  await trx('bot_forward').where({ conversation_id: conversationId, state: 'pending' }).update({ state: 'dropped', last_error: why, finished_at: trx.fn.now() });
}

export interface Handoff extends Target {
  reason: string;
  /** A team of the teams rule (checked by the caller): the conversation is routed to it, no menu. */
  team: string | undefined;
}

/**
 * The bot hands the conversation to a person: ownership moves, nothing more goes to the bot until the conversation is
 * closed or handed back, and every platform gets a `conversation.handoff` event with the reason and the transcript.
 * False when the bot did not own it (handed off already, or a person took it).
 */
export async function handOffToPerson(deps: { db: Knex; logger: Logger }, handoff: Handoff): Promise<boolean> {
  return deps.db.transaction(async (trx) => {
    const moved = await trx('bot_conversation').where({ workspace_id: handoff.workspaceId, conversation_id: handoff.conversationId, owner: 'bot' })
      .update({ owner: 'person', since: trx.fn.now(), handoff_reason: handoff.reason, handoff_team: handoff.team ?? null });
    if (!moved) return false;
    await dropPendingForwards(trx, handoff.conversationId, 'the bot handed the conversation off');
    const data = { reason: handoff.reason, team: handoff.team ?? null };
    await writeAudit(trx, { workspaceId: handoff.workspaceId, actor: 'bot', action: 'bot.handoff', entityType: 'conversation', entityId: handoff.conversationId, data });
    await emitConversationEvent(trx, {
      workspaceId: handoff.workspaceId, conversationId: handoff.conversationId, type: 'conversation.handoff',
      data: { to: 'person', ...data, transcript: await recentTranscript(trx, handoff.workspaceId, handoff.conversationId) },
    });
    if (handoff.team) await routeTo(trx, deps, handoff, handoff.team, 'bot');
    return true;
  });
}

/** An admin gives the conversation (back) to the bot: it gets the customer's next messages. */
export async function handToBot(db: Knex, target: Target, actor: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('bot_conversation').insert({ conversation_id: target.conversationId, workspace_id: target.workspaceId, owner: 'bot', since: trx.fn.now() })
      .onConflict('conversation_id').merge({ owner: 'bot', since: trx.fn.now(), handoff_reason: null, handoff_team: null });
    await writeAudit(trx, { workspaceId: target.workspaceId, actor, action: 'bot.handed_back', entityType: 'conversation', entityId: target.conversationId });
    await emitConversationEvent(trx, { workspaceId: target.workspaceId, conversationId: target.conversationId, type: 'conversation.handoff', data: { to: 'bot', actor } });
  });
}

/**
 * A person took the conversation on a platform (assignment): the bot is paused at once, in the assignment's
 * transaction, and messages already waiting for it are dropped. A conversation no bot had yet is the person's too,
 * so unassigning it later does not hand it to the bot.
 */
export async function pauseBotForPerson(trx: Knex.Transaction, target: Target, assignee: { platform: string; name: string }, actor: string): Promise<void> {
  const reason = `taken by ${assignee.name || 'a person'} on ${assignee.platform}`;
  const paused = await trx('bot_conversation').where({ workspace_id: target.workspaceId, conversation_id: target.conversationId, owner: 'bot' })
    .update({ owner: 'person', since: trx.fn.now(), handoff_reason: reason, handoff_team: null });
  if (!paused) {
    await trx('bot_conversation').insert({ conversation_id: target.conversationId, workspace_id: target.workspaceId, owner: 'person', handoff_reason: reason })
      .onConflict('conversation_id').ignore();
    return;
  }
  await dropPendingForwards(trx, target.conversationId, reason);
  await writeAudit(trx, { workspaceId: target.workspaceId, actor, action: 'bot.paused', entityType: 'conversation', entityId: target.conversationId, data: { reason } });
}

/** A closed conversation is decided anew: the bot takes the customer's next message again if it owns new conversations. */
export async function releaseBotOnClose(trx: Knex.Transaction, target: Target): Promise<void> {
  await dropPendingForwards(trx, target.conversationId, 'the conversation was closed');
  await trx('bot_conversation').where({ workspace_id: target.workspaceId, conversation_id: target.conversationId }).delete();
}
