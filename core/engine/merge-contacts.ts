import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { withPreviousWaIds, type ContactRow } from './contact-row';

/**
 * Folds `absorbed` into `survivor` when two rows turn out to be one person (a phone number and a
 * business-scoped user id seen apart, then together; or a number change seen late). The survivor
 * takes the absorbed row's threads and consent; the absorbed row is deleted, freeing its keys for
 * the caller to set on the survivor. `carriedWaIds` go to the survivor's previous numbers.
 */
export async function mergeContacts(trx: Knex.Transaction, workspaceId: string, survivor: ContactRow, absorbed: ContactRow, carriedWaIds: (string | null)[], actor: string): Promise<void> {
  // Only one live thread per contact and number: where both have one, the absorbed one closes.
  await trx.raw(
    `update conversation set status = 'closed', closed_at = now()
      where workspace_id = ? and contact_id = ? and status <> 'closed'
        and whatsapp_number_id in (select whatsapp_number_id from conversation where workspace_id = ? and contact_id = ? and status <> 'closed')`,
    [workspaceId, absorbed.id, workspaceId, survivor.id],
  );
  await trx('conversation').where({ workspace_id: workspaceId, contact_id: absorbed.id }).update({ contact_id: survivor.id });
  // The survivor's own consent wins where both have one; the rest moves over.
  await trx.raw(
    `update consent set contact_id = ?
      where workspace_id = ? and contact_id = ?
        and whatsapp_number_id not in (select whatsapp_number_id from consent where workspace_id = ? and contact_id = ?)`,
    [survivor.id, workspaceId, absorbed.id, workspaceId, survivor.id],
  );
  await trx('contact').where({ workspace_id: workspaceId, id: absorbed.id }).delete();
  const carried = [...absorbed.previous_wa_ids, ...carriedWaIds];
  if (carried.length) {
    await trx('contact').where({ workspace_id: workspaceId, id: survivor.id }).update({ previous_wa_ids: withPreviousWaIds(trx, carried) });
  }
  await writeAudit(trx, {
    workspaceId,
    actor,
    action: 'contact.merged',
    entityType: 'contact',
    entityId: survivor.id,
    data: { absorbedId: absorbed.id, absorbedWaId: absorbed.wa_id, absorbedUserId: absorbed.user_id },
  });
}
