import type { Knex } from 'knex';
import type { ThreadLookup } from './find-thread';
import type { NumberSettings } from './number-settings';
import type { SqlPart } from './sql-part';

const WINDOW = "interval '24 hours'";

/**
 * Chooses the thread for an inbound message and returns the write that updates it (a statement
 * returning the thread `id`), for the caller to run together with the message insert.
 *
 * One live (open/pending) thread per contact and number. A live thread continues if its last
 * message is within the number's quiet period, else it closes and a new one starts; with no
 * live thread, the latest closed one reopens if it is that recent, else a new one starts.
 * `last_message_at`, `last_inbound_at` and the 24-hour window only ever move forward, because
 * events may arrive out of order.
 */
export async function placeInThread(
  trx: Knex.Transaction, args: { workspaceId: string; contactId: string; number: NumberSettings; at: Date; lookup: ThreadLookup },
): Promise<SqlPart> {
  const { workspaceId, contactId, number, at, lookup } = args;
  const last = lookup.thread_last_message_at;
  if (lookup.thread_id && last && at.getTime() - last.getTime() <= number.quietPeriodMs) return touch(workspaceId, lookup.thread_id, at);
  if (lookup.thread_id && lookup.thread_status !== 'closed') {
    await trx('conversation').where({ workspace_id: workspaceId, id: lookup.thread_id }).update({ status: 'closed', closed_at: trx.fn.now() });
  }
  return start(workspaceId, contactId, number.id, at);
}

/** Continues (pending → open) or reopens a thread. */
function touch(workspaceId: string, id: string, at: Date): SqlPart {
  return {
    sql: `update conversation set
       status = 'open',
       closed_at = null,
       last_message_at = greatest(last_message_at, ?::timestamptz),
       last_inbound_at = greatest(last_inbound_at, ?::timestamptz),
       window_expires_at = greatest(last_inbound_at, ?::timestamptz) + ${WINDOW}
     where workspace_id = ? and id = ?
     returning id`,
    bindings: [at, at, at, workspaceId, id],
  };
}

/** A new thread; if another shard started one for the pair meanwhile, that one is continued. */
function start(workspaceId: string, contactId: string, numberId: string, at: Date): SqlPart {
  return {
    sql: `insert into conversation as c (workspace_id, contact_id, whatsapp_number_id, status, opened_at, last_message_at, last_inbound_at, window_expires_at)
     values (?, ?, ?, 'open', ?, ?, ?, ?::timestamptz + ${WINDOW})
     on conflict (contact_id, whatsapp_number_id) where status <> 'closed' do update set
       status = 'open',
       last_message_at = greatest(c.last_message_at, excluded.last_message_at),
       last_inbound_at = greatest(c.last_inbound_at, excluded.last_inbound_at),
       window_expires_at = greatest(c.last_inbound_at, excluded.last_inbound_at) + ${WINDOW}
     returning id`,
    bindings: [workspaceId, contactId, numberId, at, at, at, at],
  };
}
