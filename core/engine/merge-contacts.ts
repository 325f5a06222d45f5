import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { withPreviousWaIds, type ContactRow } from './contact-row';
import { ALL_TIME, moveConsent, moveMessages } from './move-messages';

/**
 * Folds `absorbed` into `survivor` when two rows turn out to be one person (a phone number and a
 * business-scoped user id seen apart, then together; or a number change seen late). The survivor
 * takes the absorbed row's threads (folded into its own where within the quiet period of them,
 * as if they had been one contact all along), consent and recorded number changes; the absorbed
 * row is deleted, freeing its keys for the caller to set on the survivor. `carriedWaIds` go to
 * the survivor's previous numbers.
 */
export async function mergeContacts(trx: Knex.Transaction, workspaceId: string, survivor: ContactRow, absorbed: ContactRow, carriedWaIds: (string | null)[], actor: string): Promise<void> {
  await moveMessages(trx, workspaceId, absorbed.id, survivor.id, ALL_TIME);
  // Threads without messages (a message insert lost a race) go along, closed.
  await trx('conversation').where({ workspace_id: workspaceId, contact_id: absorbed.id })
    .update({ contact_id: survivor.id, status: 'closed', closed_at: trx.raw('coalesce(closed_at, now())') });
  await trx('contact_number_change').where({ workspace_id: workspaceId, contact_id: absorbed.id }).update({ contact_id: survivor.id });
  // The survivor's own consent wins where both have one; the rest moves over.
  await moveConsent(trx, workspaceId, absorbed.id, survivor.id, ALL_TIME);
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
