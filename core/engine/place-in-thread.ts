import type { Knex } from 'knex';
import type { ThreadLookup } from './find-thread';
import { foldThread } from './move-messages';
import type { NumberSettings } from './number-settings';
import type { SqlPart } from './sql-part';

const WINDOW = "interval '24 hours'";

/**
 * Chooses the thread for an inbound message and returns the write that updates it (a statement
 * returning the thread `id`), for the caller to run together with the message insert.
 *
 * A thread is a run of messages none further apart than the number's quiet period, so threads
 * come out the same whatever order messages arrive in. One live (open/pending) thread per
 * contact and number, the latest: a message within the quiet period of it continues (or
 * reopens) it; a later one closes it and starts a new one. `opened_at` only ever moves back and
 * `last_message_at`, `last_inbound_at` and the 24-hour window only ever move forward.
 */
export async function placeInThread(
  trx: Knex.Transaction, args: { workspaceId: string; contactId: string; number: NumberSettings; at: Date; lookup: ThreadLookup },
): Promise<SqlPart> {
  const { workspaceId, contactId, number, at, lookup } = args;
  const { thread_id: id, thread_opened_at: opened, thread_last_message_at: last } = lookup;
  // Sent before the latest thread began (a late delivery): it may belong to an earlier one.
  if (id && opened && at < opened) return placeEarlier(trx, args, id);
  if (id && last && at.getTime() - last.getTime() <= number.quietPeriodMs) return touch(workspaceId, id, at, true);
  if (id && lookup.thread_status !== 'closed') {
    await trx('conversation').where({ workspace_id: workspaceId, id }).update({ status: 'closed', closed_at: trx.fn.now() });
  }
  return start(workspaceId, contactId, number.id, at, true);
}

/**
 * The rare late message: it joins the thread it falls within the quiet period of (folding two
 * that it bridges), live only if that is the latest; near none, it is a past thread of its own.
 */
async function placeEarlier(trx: Knex.Transaction, args: { workspaceId: string; contactId: string; number: NumberSettings; at: Date }, latestId: string): Promise<SqlPart> {
  const { workspaceId, contactId, number, at } = args;
  const quietMs = number.quietPeriodMs;
  const near: { id: string }[] = await trx('conversation')
    .where({ workspace_id: workspaceId, contact_id: contactId, whatsapp_number_id: number.id })
    .where('last_message_at', '>=', new Date(at.getTime() - quietMs))
    .where('opened_at', '<=', new Date(at.getTime() + quietMs))
    .orderBy('last_message_at', 'desc')
    .limit(2)
    .select('id');
  const [into, other] = near;
  if (!into) return start(workspaceId, contactId, number.id, at, false);
  if (other) await foldThread(trx, workspaceId, other.id, into.id);
  return touch(workspaceId, into.id, at, into.id === latestId);
}

/** Continues a thread; `reopen` (the latest thread) also makes it open (pending or closed before). */
function touch(workspaceId: string, id: string, at: Date, reopen: boolean): SqlPart {
  return {
    sql: `update conversation set
       ${reopen ? "status = 'open', closed_at = null," : ''}
       opened_at = least(opened_at, ?::timestamptz),
       last_message_at = greatest(last_message_at, ?::timestamptz),
       last_inbound_at = greatest(last_inbound_at, ?::timestamptz),
       window_expires_at = greatest(last_inbound_at, ?::timestamptz) + ${WINDOW}
     where workspace_id = ? and id = ?
     returning id`,
    bindings: [at, at, at, at, workspaceId, id],
  };
}

/**
 * A new thread: live, or closed for a past one. If another shard started a live one for the
 * pair meanwhile, that one is continued.
 */
function start(workspaceId: string, contactId: string, numberId: string, at: Date, live: boolean): SqlPart {
  return {
    sql: `insert into conversation as c (workspace_id, contact_id, whatsapp_number_id, status, closed_at, opened_at, last_message_at, last_inbound_at, window_expires_at)
     values (?, ?, ?, ${live ? "'open', null" : "'closed', now()"}, ?, ?, ?, ?::timestamptz + ${WINDOW})
     on conflict (contact_id, whatsapp_number_id) where status <> 'closed' do update set
       status = 'open',
       opened_at = least(c.opened_at, excluded.opened_at),
       last_message_at = greatest(c.last_message_at, excluded.last_message_at),
       last_inbound_at = greatest(c.last_inbound_at, excluded.last_inbound_at),
       window_expires_at = greatest(c.last_inbound_at, excluded.last_inbound_at) + ${WINDOW}
     returning id`,
    bindings: [workspaceId, contactId, numberId, at, at, at, at],
  };
}
