import type { Knex } from 'knex';
import { CONTACT_COLUMNS, type ContactRow } from './contact-row';
import { contactThatMoved } from './contact-that-moved';
import { preparedQuery } from './prepared-query';
import { contactUpsert, type ContactIdentity } from './resolve-contact';

/** Whether the wamid is stored already, and the contact's latest thread on the number (live first). */
export interface ThreadLookup {
  duplicate: boolean;
  thread_id: string | null;
  thread_status: string | null;
  thread_opened_at: Date | null;
  thread_last_message_at: Date | null;
}

const LOOKUP_COLUMNS = 'd.duplicate, t.id as thread_id, t.status as thread_status, t.opened_at as thread_opened_at, t.last_message_at as thread_last_message_at';

function lookupJoins(contactIdSql: string): string {
  return `cross join (select exists(select 1 from message where workspace_id = ? and wamid = ?) as duplicate) d
     left join lateral (
       select id, status, opened_at, last_message_at from conversation
        where workspace_id = ? and contact_id = ${contactIdSql} and whatsapp_number_id = ?
        order by status <> 'closed' desc, last_message_at desc
        limit 1
     ) t on true`;
}

interface Target {
  workspaceId: string;
  numberId: string;
  wamid: string;
}

const lookupBindings = (t: Target): Knex.RawBinding[] => [t.workspaceId, t.wamid, t.workspaceId, t.numberId];

/**
 * The common case in one round trip: upsert a single-id sender and look up its thread. A message
 * sent before a recorded change of its number takes a second trip, to the contact who moved.
 */
export async function upsertSenderAndFindThread(
  trx: Knex.Transaction, target: Target, identity: ContactIdentity, at: Date,
): Promise<{ contact: ContactRow; lookup: ThreadLookup }> {
  const upsert = contactUpsert(target.workspaceId, identity, at);
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await preparedQuery<ContactRow & ThreadLookup>(trx,
      `with ${upsert.ctes}, sender as (${upsert.select})
       select ${CONTACT_COLUMNS.map((c) => `sender.${c}`).join(', ')}, ${LOOKUP_COLUMNS}
         from sender ${lookupJoins('sender.id')}`,
      [...upsert.bindings, ...lookupBindings(target)],
    );
    const row = result.rows[0];
    if (row) {
      const { id, wa_id, user_id, previous_wa_ids, ...lookup } = row;
      return { contact: { id, wa_id, user_id, previous_wa_ids }, lookup };
    }
    // No row: sent before a number change, or another shard inserted the contact after this
    // statement's snapshot (then read again).
    const moved = await contactThatMoved(trx, target.workspaceId, identity, at);
    if (moved) return { contact: moved, lookup: await findThread(trx, target, moved.id) };
  }
  throw new Error('contact upsert returned no row');
}

/** The lookup alone, for a contact resolved some other way (linking, number change). */
export async function findThread(trx: Knex.Transaction, target: Target, contactId: string): Promise<ThreadLookup> {
  const result = await preparedQuery<ThreadLookup>(trx,
    `select ${LOOKUP_COLUMNS} from (select ?::uuid as id) s ${lookupJoins('s.id')}`,
    [contactId, ...lookupBindings(target)],
  );
  const row = result.rows[0];
  if (!row) throw new Error('thread lookup returned no row');
  return row;
}
