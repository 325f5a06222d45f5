import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { CONTACT_COLUMNS, withPreviousWaIds, type ContactRow } from './contact-row';
import { mergeContacts } from './merge-contacts';
import type { MessageBody } from './message-body';
import { historyAround, moveConsent, moveMessages, type TimeRange } from './move-messages';
import { changesAround, recordNumberChange, waIdSince, type ChangesAround } from './number-history';

/** `customer_changed_number` is the name older docs and Meta's SDK use. */
const NUMBER_CHANGE_TYPES = new Set(['user_changed_number', 'customer_changed_number']);

/** The customer's new wa_id if this is a number-change system message. */
export function newNumberIn(body: MessageBody): string | null {
  if (body.type !== 'system' || !NUMBER_CHANGE_TYPES.has(body.system.type ?? '')) return null;
  return body.system.wa_id || null;
}

/** `from` is the old number (X), `system.wa_id` the new one (Y), the message's timestamp the time of change (T). */
export interface NumberChange {
  oldWaId: string | null;
  userId: string | null;
  newWaId: string;
  wamid: string;
  at: Date;
}

const NOTHING_AROUND: ChangesAround = { recordedContactId: null, previousAt: null, nextContactId: null };

/**
 * Moves the customer to the new number and records the change, so that the outcome does not
 * depend on the order events arrive in: messages from X sent up to T are the mover's, later ones
 * belong to whoever holds X after it (`contactThatMoved` routes late-arriving old ones).
 * - The contact holding X with history up to T moves to Y, keeping X in `previous_wa_ids`; what
 *   it got from X after T (messages processed before this notice) splits off to a new contact at X.
 * - A contact holding X with history only after T is the number's new holder and stays; the mover
 *   is then the contact at Y, or a new one. If X changed again later, the later mover holds X's
 *   messages up to then: those up to T go to this mover.
 * - A contact already at Y (its messages came first) is the same person: merged into the mover.
 * The system message carries no contacts block. A redelivered notice changes nothing.
 */
export async function changeContactNumber(trx: Knex.Transaction, workspaceId: string, change: NumberChange): Promise<ContactRow> {
  const { oldWaId, userId, newWaId, at } = change;
  const around = oldWaId ? await changesAround(trx, workspaceId, oldWaId, at) : NOTHING_AROUND;
  const rows: ContactRow[] = await trx('contact')
    .where('workspace_id', workspaceId)
    .andWhere((q) => {
      q.whereIn('wa_id', oldWaId ? [oldWaId, newWaId] : [newWaId]);
      if (userId) q.orWhere('user_id', userId);
      const known = around.recordedContactId ?? around.nextContactId;
      if (known) q.orWhere('id', known);
    })
    .forUpdate()
    .select(...CONTACT_COLUMNS);
  const recorded = rows.find((r) => r.id === around.recordedContactId);
  if (recorded) return recorded; // redelivered
  const holderY = rows.find((r) => r.wa_id === newWaId);
  const byUser = rows.find((r) => userId && r.user_id === userId);
  const owner = rows.find((r) => oldWaId && r.wa_id === oldWaId) ?? byUser;
  const later = rows.find((r) => r.id === around.nextContactId);
  const actor = `customer:${oldWaId ?? userId ?? newWaId}`;
  if (!oldWaId && owner && owner.id === holderY?.id) return owner; // a username user's notice, redelivered

  const history = owner && !later ? await historyAround(trx, workspaceId, owner.id, at) : null;
  // The owner moves unless all it has is from after T (then it is X's new holder).
  const mover = owner && history && (history.before || !history.after || owner.id === holderY?.id)
    ? await moveOwner(trx, workspaceId, { owner, holderY, hasLaterHistory: history.after, change, actor })
    : await moveToNewNumber(trx, workspaceId, { owner, holderY, later, byUser, around, change, actor });
  if (oldWaId) await recordNumberChange(trx, workspaceId, { contactId: mover.id, oldWaId, newWaId, at, wamid: change.wamid });
  await writeAudit(trx, {
    workspaceId,
    actor,
    action: 'contact.number_changed',
    entityType: 'contact',
    entityId: mover.id,
    data: { from: oldWaId, to: newWaId, wamid: change.wamid },
  });
  return mover;
}

/** The usual case: the contact holding X moves to Y; anything it got from X after T goes to a new contact at X. */
async function moveOwner(
  trx: Knex.Transaction, workspaceId: string,
  args: { owner: ContactRow; holderY: ContactRow | undefined; hasLaterHistory: boolean; change: NumberChange; actor: string },
): Promise<ContactRow> {
  const { owner, holderY, change } = args;
  const { oldWaId, newWaId, at } = change;
  // Split before the merge, while the owner's threads hold only its own messages.
  const newHolderId = oldWaId && owner.wa_id === oldWaId && args.hasLaterHistory
    ? await splitOff(trx, workspaceId, owner.id, { after: at, upTo: null }, args.actor)
    : null;
  if (holderY && holderY.id !== owner.id) await mergeContacts(trx, workspaceId, owner, holderY, [], args.actor);
  const [moved]: ContactRow[] = await trx('contact')
    .where({ workspace_id: workspaceId, id: owner.id })
    .update({
      wa_id: newWaId,
      // A new number brings a new business-scoped user id; keep the one seen with it.
      user_id: holderY?.user_id ?? owner.user_id,
      previous_wa_ids: withPreviousWaIds(trx, [oldWaId, owner.wa_id !== newWaId ? owner.wa_id : null]),
      wa_id_since: waIdSince(trx, workspaceId, newWaId),
      updated_at: trx.fn.now(),
    })
    .returning([...CONTACT_COLUMNS]);
  if (!moved) throw new Error('number change left no contact');
  if (newHolderId) {
    // X's holder from T on; older messages from X are the mover's (see contact-that-moved.ts).
    await trx('contact').where({ workspace_id: workspaceId, id: newHolderId }).update({ wa_id: oldWaId, wa_id_since: at });
  }
  return moved;
}

/** X stays with its holder (history only after T): the mover is the contact at Y, or a new one. */
async function moveToNewNumber(
  trx: Knex.Transaction, workspaceId: string,
  args: {
    owner: ContactRow | undefined; holderY: ContactRow | undefined; later: ContactRow | undefined; byUser: ContactRow | undefined;
    around: ChangesAround; change: NumberChange; actor: string;
  },
): Promise<ContactRow> {
  const { owner, holderY, later, change } = args;
  const { oldWaId, newWaId, userId, at } = change;
  const [mover]: ContactRow[] = holderY
    ? await trx('contact')
      .where({ workspace_id: workspaceId, id: holderY.id })
      .update({ previous_wa_ids: withPreviousWaIds(trx, [oldWaId]), updated_at: trx.fn.now() })
      .returning([...CONTACT_COLUMNS])
    // A concurrent insert of the new number makes this return nothing; the event is then retried.
    : await trx('contact')
      .insert({
        workspace_id: workspaceId, wa_id: newWaId, user_id: args.byUser ? null : userId,
        previous_wa_ids: JSON.stringify(oldWaId ? [oldWaId] : []), wa_id_since: waIdSince(trx, workspaceId, newWaId),
      })
      .onConflict()
      .ignore()
      .returning([...CONTACT_COLUMNS]);
  if (!mover) throw new Error('number change left no contact');
  if (later && later.id !== mover.id) {
    // X changed hands again after T, recorded first: its messages from X up to T are this mover's.
    await moveHistory(trx, workspaceId, later.id, mover.id, { after: args.around.previousAt, upTo: at }, args.actor);
  } else if (owner && owner.wa_id === oldWaId) {
    await trx('contact').where({ workspace_id: workspaceId, id: owner.id })
      .update({ wa_id_since: trx.raw('greatest(wa_id_since, ?::timestamptz)', [at]) });
  }
  return mover;
}

/** A new contact (no wa_id yet: the caller gives it one) takes the contact's history in `range`. */
async function splitOff(trx: Knex.Transaction, workspaceId: string, contactId: string, range: TimeRange, actor: string): Promise<string> {
  // The profile is whatever the messages said last: it may have come from either person.
  const inserted = await trx.raw<{ rows: { id: string }[] }>(
    `insert into contact (workspace_id, profile_name, username, country_code)
     select workspace_id, profile_name, username, country_code from contact where workspace_id = ? and id = ?
     returning id`,
    [workspaceId, contactId],
  );
  const newId = inserted.rows[0]?.id;
  if (!newId) throw new Error('split contact not inserted');
  await moveHistory(trx, workspaceId, contactId, newId, range, actor);
  return newId;
}

async function moveHistory(trx: Knex.Transaction, workspaceId: string, fromId: string, toId: string, range: TimeRange, actor: string): Promise<void> {
  await moveMessages(trx, workspaceId, fromId, toId, range);
  await moveConsent(trx, workspaceId, fromId, toId, range);
  await writeAudit(trx, {
    workspaceId, actor, action: 'contact.history_moved', entityType: 'contact', entityId: toId, data: { fromId, after: range.after, upTo: range.upTo },
  });
}
