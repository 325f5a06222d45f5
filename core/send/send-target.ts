import type { Knex } from 'knex';
import { isUuid } from '../engine/is-uuid';

/** Everything policy and the send task need to know about where a message goes. */
export interface SendTarget {
  workspaceId: string;
  conversationId: string;
  windowExpiresAt: Date | null;
  contactId: string;
  waId: string | null;
  language: string | null;
  numberId: string;
  phoneNumberId: string;
  wabaId: string;
  numberState: string;
  numberStateReason: string | null;
  throughputMps: number;
  consentStatus: string | null;
  marketing: string | null;
}

interface TargetRow {
  conversation_id: string;
  window_expires_at: Date | null;
  contact_id: string;
  wa_id: string | null;
  language: string | null;
  number_id: string;
  phone_number_id: string;
  waba_id: string;
  number_state: string;
  number_state_reason: string | null;
  throughput_mps: number;
  consent_status: string | null;
  marketing: string | null;
}

/** One read; null when the conversation is not in this workspace. */
export async function loadSendTarget(db: Knex | Knex.Transaction, workspaceId: string, conversationId: string): Promise<SendTarget | null> {
  if (!isUuid(conversationId)) return null;
  const row: TargetRow | undefined = await db('conversation as c')
    .join('contact as k', function joinContact() { this.on('k.id', 'c.contact_id').andOn('k.workspace_id', 'c.workspace_id'); })
    .join('whatsapp_number as n', function joinNumber() { this.on('n.id', 'c.whatsapp_number_id').andOn('n.workspace_id', 'c.workspace_id'); })
    .leftJoin('consent as s', function joinConsent() {
      this.on('s.contact_id', 'c.contact_id').andOn('s.whatsapp_number_id', 'c.whatsapp_number_id').andOn('s.workspace_id', 'c.workspace_id');
    })
    .where({ 'c.workspace_id': workspaceId, 'c.id': conversationId })
    .first(
      'c.id as conversation_id', 'c.window_expires_at', 'k.id as contact_id', 'k.wa_id', 'k.language', 'n.id as number_id', 'n.phone_number_id',
      'n.waba_id', 'n.state as number_state', 'n.state_reason as number_state_reason', 'n.throughput_mps', 's.status as consent_status', 's.marketing',
    );
  if (!row) return null;
  return {
    workspaceId,
    conversationId: row.conversation_id,
    windowExpiresAt: row.window_expires_at,
    contactId: row.contact_id,
    waId: row.wa_id,
    language: row.language,
    numberId: row.number_id,
    phoneNumberId: row.phone_number_id,
    wabaId: row.waba_id,
    numberState: row.number_state,
    numberStateReason: row.number_state_reason,
    throughputMps: row.throughput_mps,
    consentStatus: row.consent_status,
    marketing: row.marketing,
  };
}

/** Marketing templates need an explicit opt-in, and no "stop" since (§9). */
export function marketingAllowed(target: SendTarget): boolean {
  return target.consentStatus === 'opted_in' && target.marketing !== 'stopped';
}
