import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { CONTACT_COLUMNS, withPreviousWaIds, type ContactRow } from './contact-row';
import { mergeContacts } from './merge-contacts';
import type { MessageBody } from './message-body';

/** `customer_changed_number` is the name older docs and Meta's SDK use. */
const NUMBER_CHANGE_TYPES = new Set(['user_changed_number', 'customer_changed_number']);

/** The customer's new wa_id if this is a number-change system message. */
export function newNumberIn(body: MessageBody): string | null {
  if (body.type !== 'system' || !NUMBER_CHANGE_TYPES.has(body.system.type ?? '')) return null;
  return body.system.wa_id || null;
}

/**
 * Moves the contact to its new number, keeping the old one in `previous_wa_ids`. The system
 * message carries no contacts block: `from` is the old number, `system.wa_id` the new one.
 * Idempotent, and it copes with messages from the new number having been processed first
 * (they ride another conversation key, so another shard): that contact is merged in.
 */
export async function changeContactNumber(
  trx: Knex.Transaction, workspaceId: string, change: { oldWaId: string | null; userId: string | null; newWaId: string; wamid: string },
): Promise<ContactRow> {
  const { oldWaId, userId, newWaId } = change;
  const rows: ContactRow[] = await trx('contact')
    .where('workspace_id', workspaceId)
    .andWhere((q) => {
      q.whereIn('wa_id', oldWaId ? [oldWaId, newWaId] : [newWaId]);
      if (userId) q.orWhere('user_id', userId);
    })
    .forUpdate()
    .select(...CONTACT_COLUMNS);
  const current = rows.find((r) => oldWaId && r.wa_id === oldWaId) ?? rows.find((r) => userId && r.user_id === userId);
  const holder = rows.find((r) => r.wa_id === newWaId);
  const actor = `customer:${oldWaId ?? userId ?? newWaId}`;

  if (current && holder && current.id === holder.id) return current; // already moved
  if (!current && holder?.previous_wa_ids.includes(oldWaId ?? '')) return holder; // redelivered
  if (current && holder) await mergeContacts(trx, workspaceId, current, holder, [], actor);

  let contact: ContactRow | undefined;
  if (current) {
    [contact] = await trx('contact')
      .where({ workspace_id: workspaceId, id: current.id })
      .update({
        wa_id: newWaId,
        // A new number brings a new business-scoped user id; keep the one seen with it.
        user_id: holder?.user_id ?? current.user_id,
        previous_wa_ids: withPreviousWaIds(trx, [oldWaId]),
        updated_at: trx.fn.now(),
      })
      .returning([...CONTACT_COLUMNS]);
  } else if (holder) {
    // Only the new number was known so far: it is the same person, remember the old number.
    [contact] = await trx('contact')
      .where({ workspace_id: workspaceId, id: holder.id })
      .update({ previous_wa_ids: withPreviousWaIds(trx, [oldWaId]), updated_at: trx.fn.now() })
      .returning([...CONTACT_COLUMNS]);
  } else {
    // A concurrent insert of the new number makes this return nothing; the event is then retried.
    [contact] = await trx('contact')
      .insert({ workspace_id: workspaceId, wa_id: newWaId, user_id: userId, previous_wa_ids: JSON.stringify(oldWaId ? [oldWaId] : []) })
      .onConflict()
      .ignore()
      .returning([...CONTACT_COLUMNS]);
  }
  if (!contact) throw new Error('number change left no contact');
  await writeAudit(trx, {
    workspaceId,
    actor,
    action: 'contact.number_changed',
    entityType: 'contact',
    entityId: contact.id,
    data: { from: oldWaId, to: newWaId, wamid: change.wamid },
  });
  return contact;
}
