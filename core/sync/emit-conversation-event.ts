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
/** Transactions that collect their events and write them in one statement (see bufferConversationEvents). */
const buffers = new WeakMap<Knex.Transaction, ConversationEvent[]>();

/**
 * Records a conversation event for every active installation of the workspace ("one thread,
 * every platform") that serves the conversation's number, in the caller's transaction, so it is synced if and only if the change
 * commits. The insert also takes each installation's sync lock shared: a delivery job that
 * starts meanwhile waits for this commit before reading, so no wake-up is ever lost, while
 * emitting transactions never wait for each other.
 */
export async function emitConversationEvent(trx: Knex.Transaction, event: ConversationEvent): Promise<void> {
  const buffer = buffers.get(trx);
  if (buffer) buffer.push(event);
  else await writeEvents(trx, [event]);
}

/**
 * For a transaction that emits many events (an inbox drain): events are kept in memory and
 * written by `flushConversationEvents`, one statement for the batch instead of one per event.
 * The caller must flush before committing; events of a rolled-back transaction vanish with it.
 */
export function bufferConversationEvents(trx: Knex.Transaction): void {
  buffers.set(trx, []);
}

export async function flushConversationEvents(trx: Knex.Transaction): Promise<void> {
  const events = buffers.get(trx) ?? [];
  buffers.delete(trx);
  if (events.length) await writeEvents(trx, events);
}

async function writeEvents(trx: Knex.Transaction, events: readonly ConversationEvent[]): Promise<void> {
  // One row per event × active installation of its workspace serving the conversation's number
  // (null: every number), in event order (outbox ids keep it).
  const result = await preparedQuery<{ installation_id: string; workspace_id: string }>(trx,
    `insert into sync_outbox (workspace_id, installation_id, event_id, type, conversation_id, message_id, origin_installation_id, data)
     select i.workspace_id, i.id, e.event_id, e.type, c.id, e.message_id, e.origin, e.data
       from unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::jsonb[])
              with ordinality as e(workspace_id, event_id, type, conversation_id, message_id, origin, data, ord)
       join conversation c on c.workspace_id = e.workspace_id
                          and c.id = coalesce(e.conversation_id, (select m.conversation_id from message m where m.workspace_id = e.workspace_id and m.id = e.message_id))
       join installation i on i.workspace_id = e.workspace_id and i.state = 'active'
                          and (i.whatsapp_number_id is null or i.whatsapp_number_id = c.whatsapp_number_id)
      order by e.ord, i.id
     returning installation_id, workspace_id, pg_advisory_xact_lock_shared(hashtextextended('sync:' || installation_id::text, 0))::text as locked`,
    [
      events.map((e) => e.workspaceId), events.map(() => crypto.randomUUID()), events.map((e) => e.type),
      nullable(events.map((e) => e.conversationId)), nullable(events.map((e) => e.messageId ?? null)), nullable(events.map((e) => e.origin ?? null)),
      events.map((e) => JSON.stringify(e.data)),
    ],
  );
  if (result.rows.length === 0) return;
  const woken = wokenBy.get(trx) ?? new Set<string>();
  wokenBy.set(trx, woken);
  const freshByWorkspace = new Map<string, string[]>();
  for (const row of result.rows) {
    if (woken.has(row.installation_id)) continue;
    woken.add(row.installation_id);
    freshByWorkspace.set(row.workspace_id, [...(freshByWorkspace.get(row.workspace_id) ?? []), row.installation_id]);
  }
  for (const [workspaceId, installationIds] of freshByWorkspace) await wakeSync(trx, workspaceId, installationIds, { delayMs: lingerMs });
}

/** pg sends null array elements as SQL NULL; knex's binding type just does not say so. */
const nullable = (values: (string | null)[]) => values as string[];
