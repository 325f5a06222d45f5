import type { Knex } from 'knex';

/** Messages sent after `after` and up to `upTo`; a null bound is open. */
export interface TimeRange {
  after: Date | null;
  upTo: Date | null;
}

export const ALL_TIME: TimeRange = { after: null, upTo: null };

const inRange = (column: string) => `${column} > coalesce(?::timestamptz, '-infinity') and ${column} <= coalesce(?::timestamptz, 'infinity')`;
const IN_RANGE = inRange('m.sent_at');
const WINDOW = "interval '24 hours'";

interface SourceThread {
  id: string;
  whatsapp_number_id: string;
  status: string;
  quiet_period_minutes: number;
  first_at: Date;
  last_at: Date;
  whole: boolean;
}

/**
 * Moves one contact's messages sent in `range` to another contact, thread by thread, so threads
 * come out as if the messages had been placed with that contact from the start: into its
 * thread on the same number that lies within the quiet period of them, else as a thread of
 * their own (the conversation itself, with its id and assignee, when all of it moves). One live
 * thread per contact and number: of two, the later one stays live, as placement would leave it.
 */
export async function moveMessages(trx: Knex.Transaction, workspaceId: string, fromId: string, toId: string, range: TimeRange): Promise<void> {
  const bounds = [range.after, range.upTo];
  const sources = await trx.raw<{ rows: SourceThread[] }>(
    `select c.id, c.whatsapp_number_id, c.status, n.quiet_period_minutes,
            min(m.sent_at) filter (where ${IN_RANGE}) as first_at,
            max(m.sent_at) filter (where ${IN_RANGE}) as last_at,
            bool_and(${IN_RANGE}) as whole
       from conversation c
       join whatsapp_number n on n.workspace_id = c.workspace_id and n.id = c.whatsapp_number_id
       join message m on m.workspace_id = c.workspace_id and m.conversation_id = c.id
      where c.workspace_id = ? and c.contact_id = ?
      group by c.id, n.quiet_period_minutes
     having bool_or(${IN_RANGE})
      order by first_at`,
    [...bounds, ...bounds, ...bounds, workspaceId, fromId, ...bounds],
  );
  for (const source of sources.rows) await moveThread(trx, workspaceId, source, toId, range);
}

async function moveThread(trx: Knex.Transaction, workspaceId: string, source: SourceThread, toId: string, range: TimeRange): Promise<void> {
  const quiet = `make_interval(mins => ${Number(source.quiet_period_minutes)})`;
  const near: { id: string } | undefined = await trx('conversation')
    .where({ workspace_id: workspaceId, contact_id: toId, whatsapp_number_id: source.whatsapp_number_id })
    .where('opened_at', '<=', trx.raw(`?::timestamptz + ${quiet}`, [source.last_at]))
    .where('last_message_at', '>=', trx.raw(`?::timestamptz - ${quiet}`, [source.first_at]))
    .orderBy('last_message_at', 'desc')
    .first('id');
  const live = source.status !== 'closed';
  if (!near && source.whole) {
    // The whole thread moves; a live one closes for a moment, so the contact never has two live.
    await trx('conversation').where({ workspace_id: workspaceId, id: source.id })
      .update(live ? { contact_id: toId, status: 'closed', closed_at: trx.fn.now() } : { contact_id: toId });
    if (live) await makeLiveUnlessLater(trx, workspaceId, source.id, source.status);
    return;
  }
  const targetId = near?.id ?? await newThread(trx, workspaceId, toId, source);
  await trx('message')
    .where({ workspace_id: workspaceId, conversation_id: source.id })
    .whereRaw(inRange('sent_at'), [range.after, range.upTo])
    .update({ conversation_id: targetId });
  await refreshTimes(trx, workspaceId, targetId);
  if (source.whole) await dropEmptyThread(trx, workspaceId, source.id, targetId);
  else await refreshTimes(trx, workspaceId, source.id);
  if (live) await makeLiveUnlessLater(trx, workspaceId, targetId, source.status);
}

/** Two threads of one contact that a message bridges become one: `from`'s messages move into `into`. */
export async function foldThread(trx: Knex.Transaction, workspaceId: string, fromId: string, intoId: string): Promise<void> {
  const from: { status: string } | undefined = await trx('conversation').where({ workspace_id: workspaceId, id: fromId }).first('status');
  await trx('message').where({ workspace_id: workspaceId, conversation_id: fromId }).update({ conversation_id: intoId });
  await refreshTimes(trx, workspaceId, intoId);
  await dropEmptyThread(trx, workspaceId, fromId, intoId);
  if (from && from.status !== 'closed') await makeLiveUnlessLater(trx, workspaceId, intoId, from.status);
}

async function newThread(trx: Knex.Transaction, workspaceId: string, contactId: string, source: SourceThread): Promise<string> {
  const [row]: { id: string }[] = await trx('conversation')
    .insert({
      workspace_id: workspaceId, contact_id: contactId, whatsapp_number_id: source.whatsapp_number_id, status: 'closed',
      opened_at: source.first_at, last_message_at: source.last_at, closed_at: trx.fn.now(),
    })
    .returning('id');
  if (!row) throw new Error('thread not inserted');
  return row.id;
}

/** A thread's clocks from the messages it holds (`opened_at` the earliest, as placement keeps it). */
async function refreshTimes(trx: Knex.Transaction, workspaceId: string, conversationId: string): Promise<void> {
  await trx.raw(
    `update conversation c set opened_at = s.first_at, last_message_at = s.last_at, last_inbound_at = s.last_inbound_at,
            window_expires_at = s.last_inbound_at + ${WINDOW}
       from (select min(sent_at) as first_at, max(sent_at) as last_at, max(sent_at) filter (where direction = 'inbound') as last_inbound_at
               from message where workspace_id = ? and conversation_id = ?) s
      where c.workspace_id = ? and c.id = ? and s.first_at is not null`,
    [workspaceId, conversationId, workspaceId, conversationId],
  );
}

/** Makes the thread live with `status`, unless its contact has a later live thread on the number. */
async function makeLiveUnlessLater(trx: Knex.Transaction, workspaceId: string, conversationId: string, status: string): Promise<void> {
  const thread: { contact_id: string; whatsapp_number_id: string; status: string; last_message_at: Date } | undefined = await trx('conversation')
    .where({ workspace_id: workspaceId, id: conversationId }).first('contact_id', 'whatsapp_number_id', 'status', 'last_message_at');
  if (!thread || thread.status !== 'closed') return;
  const other: { id: string; last_message_at: Date } | undefined = await trx('conversation')
    .where({ workspace_id: workspaceId, contact_id: thread.contact_id, whatsapp_number_id: thread.whatsapp_number_id })
    .whereNot('status', 'closed')
    .first('id', 'last_message_at');
  if (other && other.last_message_at >= thread.last_message_at) return;
  if (other) await trx('conversation').where({ workspace_id: workspaceId, id: other.id }).update({ status: 'closed', closed_at: trx.fn.now() });
  await trx('conversation').where({ workspace_id: workspaceId, id: conversationId }).update({ status, closed_at: null });
}

/** A thread whose messages all moved into another: platform links follow (where free), then it goes. */
async function dropEmptyThread(trx: Knex.Transaction, workspaceId: string, emptyId: string, intoId: string): Promise<void> {
  await trx.raw(
    `update external_link l set entity_id = ?
      where l.workspace_id = ? and l.entity_type = 'conversation' and l.entity_id = ?
        and not exists (select 1 from external_link o where o.installation_id = l.installation_id and o.entity_type = 'conversation'
                           and o.entity_id = ? and o.external_type = l.external_type)`,
    [intoId, workspaceId, emptyId, intoId],
  );
  await trx('external_link').where({ workspace_id: workspaceId, entity_type: 'conversation', entity_id: emptyId }).delete();
  // Deleting a conversation deletes its messages: only if it really is empty.
  await trx('conversation').where({ workspace_id: workspaceId, id: emptyId })
    .whereNotExists(trx('message').where({ workspace_id: workspaceId, conversation_id: emptyId }).select(trx.raw('1')))
    .delete();
}

/** Consent recorded in `range` follows the messages, where the other contact has none on that number. */
export async function moveConsent(trx: Knex.Transaction, workspaceId: string, fromId: string, toId: string, range: TimeRange): Promise<void> {
  await trx.raw(
    `update consent set contact_id = ?
      where workspace_id = ? and contact_id = ? and ${inRange('changed_at')}
        and whatsapp_number_id not in (select whatsapp_number_id from consent where workspace_id = ? and contact_id = ?)`,
    [toId, workspaceId, fromId, range.after, range.upTo, workspaceId, toId],
  );
}

/** Whether a contact has threads or consent from up to `at`, and from after it. */
export async function historyAround(trx: Knex.Transaction, workspaceId: string, contactId: string, at: Date): Promise<{ before: boolean; after: boolean }> {
  const threads = 'select 1 from conversation where workspace_id = ? and contact_id = ?';
  const consent = 'select 1 from consent where workspace_id = ? and contact_id = ?';
  const result = await trx.raw<{ rows: { before: boolean; after: boolean }[] }>(
    `select exists(${threads} and opened_at <= ?) or exists(${consent} and changed_at <= ?) as before,
            exists(${threads} and last_message_at > ?) or exists(${consent} and changed_at > ?) as after`,
    [workspaceId, contactId, at, workspaceId, contactId, at, workspaceId, contactId, at, workspaceId, contactId, at],
  );
  return result.rows[0] ?? { before: false, after: false };
}
