import type { Knex } from 'knex';

/**
 * Shows a customer's reaction on the message it targets: `reactions[reactor] = emoji`, or the key
 * removed when the emoji is absent. A target we do not know (older than our history, or not
 * stored yet) is left alone; the reaction's own message row still records it.
 */
export async function applyReaction(trx: Knex.Transaction, workspaceId: string, reactor: string, reaction: { message_id: string; emoji?: string | undefined }): Promise<boolean> {
  const reactions = reaction.emoji
    ? trx.raw('reactions || jsonb_build_object(?::text, ?::text)', [reactor, reaction.emoji])
    : trx.raw('reactions - ?::text', [reactor]);
  const changed = await trx('message').where({ workspace_id: workspaceId, wamid: reaction.message_id }).update({ reactions });
  return changed > 0;
}
