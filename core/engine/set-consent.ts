import type { Knex } from 'knex';
import { isUuid } from './is-uuid';
import { recordConsent, type ConsentChange, type ConsentRow, type ConsentSource } from './record-consent';

/**
 * The admin API's consent command (e.g. an agent recording an opt-in collected on paper).
 * Returns the consent row as it now stands; null when the contact or number is not in this workspace.
 */
export async function setConsent(
  db: Knex,
  workspaceId: string,
  input: { contactId: string; whatsappNumberId: string; change: ConsentChange; actor: string; source?: Extract<ConsentSource, 'admin' | 'platform'>; note?: string },
): Promise<ConsentRow | null> {
  if (!isUuid(input.contactId) || !isUuid(input.whatsappNumberId)) return null;
  return db.transaction(async (trx) => {
    const owned = await trx.raw<{ rows: { ok: boolean }[] }>(
      `select exists(select 1 from contact where workspace_id = ? and id = ?)
          and exists(select 1 from whatsapp_number where workspace_id = ? and id = ?) as ok`,
      [workspaceId, input.contactId, workspaceId, input.whatsappNumberId],
    );
    if (!owned.rows[0]?.ok) return null;
    const changed = await recordConsent(trx, {
      workspaceId,
      contactId: input.contactId,
      whatsappNumberId: input.whatsappNumberId,
      change: input.change,
      source: input.source ?? 'admin',
      at: new Date(),
      actor: input.actor,
      data: input.note ? { note: input.note } : {},
    });
    if (changed) return changed;
    const current: ConsentRow | undefined = await trx('consent')
      .where({ workspace_id: workspaceId, contact_id: input.contactId, whatsapp_number_id: input.whatsappNumberId })
      .first();
    return current ?? null;
  });
}
