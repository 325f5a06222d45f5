import type { Knex } from 'knex';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { writeAudit } from '../audit/write-audit';

export interface NumberAccess {
  id: string;
  workspaceId: string;
  phoneNumberId: string;
  wabaId: string;
  token: string;
}

/** The number's Graph credentials, unsealed only for the call that needs them. */
export async function loadNumberAccess(db: Db | Knex.Transaction, secrets: SecretBox, workspaceId: string, numberId: string): Promise<NumberAccess | null> {
  const row: { id: string; phone_number_id: string; waba_id: string; access_token_sealed: string } | undefined = await db('whatsapp_number')
    .where({ id: numberId, workspace_id: workspaceId })
    .first('id', 'phone_number_id', 'waba_id', 'access_token_sealed');
  return row ? { id: row.id, workspaceId, phoneNumberId: row.phone_number_id, wabaId: row.waba_id, token: secrets.open(row.access_token_sealed) } : null;
}

/** Meta rejected the token (190): the admin must reconnect the number; say so once, in the audit log. */
export async function markNumberNeedsAttention(db: Db, workspaceId: string, numberId: string, reason: string): Promise<void> {
  const updated = await db('whatsapp_number')
    .where({ id: numberId, workspace_id: workspaceId })
    .whereNot({ state: 'needs_attention' })
    .update({ state: 'needs_attention', state_reason: reason, updated_at: db.fn.now() });
  if (updated) await writeAudit(db, { workspaceId, actor: 'system', action: 'number.needs_attention', entityType: 'whatsapp_number', entityId: numberId, data: { reason } });
}
