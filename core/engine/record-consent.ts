import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';

export type ConsentStatus = 'opted_in' | 'opted_out';
export type MarketingPreference = 'subscribed' | 'stopped';
export type ConsentSource = 'keyword' | 'user_preferences' | 'admin' | 'platform';

export type ConsentChange = { field: 'status'; value: ConsentStatus } | { field: 'marketing'; value: MarketingPreference };

export interface ConsentRow {
  workspace_id: string;
  contact_id: string;
  whatsapp_number_id: string;
  status: ConsentStatus | 'unknown';
  marketing: MarketingPreference;
  source: ConsentSource;
  changed_at: Date;
}

const ACTIONS = {
  opted_in: 'consent.opted_in',
  opted_out: 'consent.opted_out',
  subscribed: 'consent.marketing_subscribed',
  stopped: 'consent.marketing_stopped',
} as const;

/**
 * Records a consent change for a contact on one number, and audits it. An event older than the
 * recorded change, or one that changes nothing, is a no-op (returns null), so late or repeated
 * webhooks never undo a newer choice. A row first created by a marketing preference has status
 * 'unknown': a preference is not an opt-in.
 */
export async function recordConsent(
  db: Knex,
  args: { workspaceId: string; contactId: string; whatsappNumberId: string; change: ConsentChange; source: ConsentSource; at: Date; actor: string; data?: Record<string, unknown> },
): Promise<ConsentRow | null> {
  const { workspaceId, contactId, whatsappNumberId, change, source, at } = args;
  const column = change.field === 'status' ? 'status' : 'marketing';
  const result = await db.raw<{ rows: ConsentRow[] }>(
    `insert into consent as c (workspace_id, contact_id, whatsapp_number_id, status, marketing, source, changed_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (contact_id, whatsapp_number_id) do update set
       ${column} = excluded.${column}, source = excluded.source, changed_at = excluded.changed_at
     where c.workspace_id = excluded.workspace_id and c.${column} is distinct from excluded.${column} and c.changed_at <= excluded.changed_at
     returning *`,
    [workspaceId, contactId, whatsappNumberId, change.field === 'status' ? change.value : 'unknown', change.field === 'marketing' ? change.value : 'subscribed', source, at],
  );
  const row = result.rows[0];
  if (!row) return null;
  await writeAudit(db, {
    workspaceId,
    actor: args.actor,
    action: ACTIONS[change.value],
    entityType: 'contact',
    entityId: contactId,
    data: { whatsappNumberId, source, ...args.data },
  });
  return row;
}
