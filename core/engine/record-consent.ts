import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { emitConversationEvent } from '../sync/emit-conversation-event';

export type ConsentStatus = 'opted_in' | 'opted_out';
export type MarketingPreference = 'subscribed' | 'stopped';
export type ConsentSource = 'keyword' | 'user_preferences' | 'admin' | 'platform';

/** `sms`: consent to SMS on this number (the SMS fallback), explicit only: never implied by WhatsApp consent. */
export type ConsentChange = { field: 'status'; value: ConsentStatus } | { field: 'marketing'; value: MarketingPreference } | { field: 'sms'; value: ConsentStatus };

export interface ConsentRow {
  workspace_id: string;
  contact_id: string;
  whatsapp_number_id: string;
  status: ConsentStatus | 'unknown';
  marketing: MarketingPreference;
  sms: ConsentStatus | 'unknown';
  source: ConsentSource;
  changed_at: Date;
}

const ACTIONS = {
  status: { opted_in: 'consent.opted_in', opted_out: 'consent.opted_out' },
  marketing: { subscribed: 'consent.marketing_subscribed', stopped: 'consent.marketing_stopped' },
  sms: { opted_in: 'consent.sms_opted_in', opted_out: 'consent.sms_opted_out' },
} as const;

function auditAction(change: ConsentChange): string {
  switch (change.field) {
    case 'status': return ACTIONS.status[change.value];
    case 'marketing': return ACTIONS.marketing[change.value];
    case 'sms': return ACTIONS.sms[change.value];
  }
}

/**
 * Records a consent change for a contact on one number, audits it and tells connected platforms
 * (`consent.changed`). An event older than the recorded change, or one that changes nothing, is
 * a no-op (returns null), so late or repeated webhooks never undo a newer choice. A row first
 * created by a marketing preference has status 'unknown': a preference is not an opt-in.
 */
export async function recordConsent(
  db: Knex.Transaction,
  args: { workspaceId: string; contactId: string; whatsappNumberId: string; change: ConsentChange; source: ConsentSource; at: Date; actor: string; data?: Record<string, unknown> },
): Promise<ConsentRow | null> {
  const { workspaceId, contactId, whatsappNumberId, change, source, at } = args;
  const column = change.field;
  const result = await db.raw<{ rows: ConsentRow[] }>(
    `insert into consent as c (workspace_id, contact_id, whatsapp_number_id, status, marketing, sms, source, changed_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (contact_id, whatsapp_number_id) do update set
       ${column} = excluded.${column}, source = excluded.source, changed_at = excluded.changed_at
     where c.workspace_id = excluded.workspace_id and c.${column} is distinct from excluded.${column} and c.changed_at <= excluded.changed_at
     returning *`,
    [workspaceId, contactId, whatsappNumberId, change.field === 'status' ? change.value : 'unknown', change.field === 'marketing' ? change.value : 'subscribed',
      change.field === 'sms' ? change.value : 'unknown', source, at],
  );
  const row = result.rows[0];
  if (!row) return null;
  await writeAudit(db, {
    workspaceId,
    actor: args.actor,
    action: auditAction(change),
    entityType: 'contact',
    entityId: contactId,
    data: { whatsappNumberId, source, ...args.data },
  });
  await emitConsentChanged(db, row, change);
  return row;
}

/**
 * Platforms show consent on the conversation (an agent must see "opted out" before replying):
 * the contact's live one on this number, else its latest. A contact who never wrote on the
 * number has no conversation to show it on; the policy check still uses the row.
 */
async function emitConsentChanged(trx: Knex.Transaction, row: ConsentRow, change: ConsentChange): Promise<void> {
  const conversation: { id: string } | undefined = await trx('conversation')
    .where({ workspace_id: row.workspace_id, contact_id: row.contact_id, whatsapp_number_id: row.whatsapp_number_id })
    .orderByRaw(`status <> 'closed' desc, last_message_at desc nulls last`)
    .first('id');
  if (!conversation) return;
  await emitConversationEvent(trx, {
    workspaceId: row.workspace_id,
    conversationId: conversation.id,
    type: 'consent.changed',
    data: {
      contactId: row.contact_id,
      whatsappNumberId: row.whatsapp_number_id,
      changed: change.field,
      status: row.status,
      marketing: row.marketing,
      sms: row.sms,
      source: row.source,
      changedAt: new Date(row.changed_at).toISOString(),
    },
  });
}
