import type { Knex } from 'knex';

/** The recorded changes of one number around a moment, as a number change needs them. */
export interface ChangesAround {
  /** This very change (same number, same time) is recorded already: its contact. */
  recordedContactId: string | null;
  /** The latest recorded change of the number before the moment. */
  previousAt: Date | null;
  /** The earliest recorded change after it: that contact holds the number's messages up to then. */
  nextContactId: string | null;
}

export async function changesAround(trx: Knex.Transaction, workspaceId: string, waId: string, at: Date): Promise<ChangesAround> {
  const changes = `from contact_number_change where workspace_id = ? and old_wa_id = ?`;
  const result = await trx.raw<{ rows: ChangesAround[] }>(
    `select (select contact_id ${changes} and changed_at = ?) as "recordedContactId",
            (select max(changed_at) ${changes} and changed_at < ?) as "previousAt",
            (select contact_id ${changes} and changed_at > ? order by changed_at limit 1) as "nextContactId"`,
    [workspaceId, waId, at, workspaceId, waId, at, workspaceId, waId, at],
  );
  const row = result.rows[0];
  if (!row) throw new Error('number change lookup returned no row');
  return row;
}

/**
 * `contact.wa_id_since` for whoever holds `waId` now: the latest recorded change away from it
 * (null when there is none). It tells the contact lookup that older messages from the number
 * may be someone else's.
 */
export function waIdSince(db: Knex, workspaceId: string, waId: string): Knex.Raw {
  return db.raw('(select max(changed_at) from contact_number_change where workspace_id = ? and old_wa_id = ?)', [workspaceId, waId]);
}

export async function recordNumberChange(
  trx: Knex.Transaction, workspaceId: string, change: { contactId: string; oldWaId: string; newWaId: string; at: Date; wamid: string },
): Promise<void> {
  await trx('contact_number_change').insert({
    workspace_id: workspaceId, contact_id: change.contactId, old_wa_id: change.oldWaId, new_wa_id: change.newWaId, changed_at: change.at, wamid: change.wamid,
  });
}
