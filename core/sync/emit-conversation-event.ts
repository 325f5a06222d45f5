import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { preparedQuery } from '../engine/prepared-query';
import type { ConversationEvent } from './conversation-event';
import { wakeSync } from './wake-sync';

/** How long a new event waits for others before its delivery job runs: the wait is what fills batches. */
let lingerMs = 250;

/** Set by the server from configuration (and by benches); one value per process. */
export function setSyncLinger(ms: number): void {
  lingerMs = ms;
}

/** Installations already woken by a transaction: a drain of 500 messages wakes each one once. */
const wokenBy = new WeakMap<Knex.Transaction, Set<string>>();

/**
 * Records a conversation event for every active installation of the workspace ("one thread,
 * every platform"), in the caller's transaction, so it is synced if and only if the change
 * commits. The insert also takes each installation's sync lock shared: a delivery job that
 * starts meanwhile waits for this commit before reading, so no wake-up is ever lost, while
 * emitting transactions never wait for each other.
 */
export async function emitConversationEvent(trx: Knex.Transaction, event: ConversationEvent): Promise<void> {
  const result = await preparedQuery<{ installation_id: string }>(trx,
    `insert into sync_outbox (workspace_id, installation_id, event_id, type, conversation_id, message_id, origin_installation_id, data)
     select i.workspace_id, i.id, ?, ?, coalesce(?::uuid, (select m.conversation_id from message m where m.workspace_id = i.workspace_id and m.id = ?::uuid)), ?, ?, ?::jsonb
       from installation i where i.workspace_id = ? and i.state = 'active'
     returning installation_id, pg_advisory_xact_lock_shared(hashtextextended('sync:' || installation_id::text, 0))::text as locked`,
    [crypto.randomUUID(), event.type, event.conversationId, event.messageId ?? null, event.messageId ?? null, event.origin ?? null, JSON.stringify(event.data), event.workspaceId],
  );
  if (result.rows.length === 0) return;
  const woken = wokenBy.get(trx) ?? new Set<string>();
  wokenBy.set(trx, woken);
  const fresh = result.rows.map((r) => r.installation_id).filter((id) => !woken.has(id));
  if (fresh.length === 0) return;
  await wakeSync(trx, event.workspaceId, fresh, { delayMs: lingerMs });
  for (const id of fresh) woken.add(id);
}
