import crypto from 'node:crypto';
import { ruleExample } from '../../core/automation/rule-examples';
import type { Db } from '../../core/db/connect';

/** What `seedTenant` made in a workspace: the ids the console's routes take. */
export interface Tenant {
  workspaceId: string;
  marker: string;
  numberId: string;
  /** Meta's id of the number (what installations and triggers name). */
  phoneNumberId: string;
  /** Meta's id of the number's WhatsApp Business Account. */
  wabaId: string;
  contactId: string;
  conversationId: string;
  messageId: string;
  installationId: string;
  inboxDeadId: number;
  syncDeadId: number;
  botDeadId: string;
}

let phoneSeq = 0;

/**
 * One of everything the console shows, in one workspace, each text carrying `marker` (a number, a customer and their
 * conversation with a message, a Zendesk installation, a dead letter of each kind, a template, a closing rule, a rate
 * card, an audit entry), written straight to the tables.
 */
export async function seedTenant(db: Db, workspaceId: string, marker: string): Promise<Tenant> {
  const phoneNumberId = `10000000009${String(++phoneSeq).padStart(4, '0')}`;
  const one = async <T = { id: string }>(table: string, row: Record<string, unknown>): Promise<T> => {
    const [inserted] = await db(table).insert(row).returning('*');
    return inserted as T;
  };
  const number = await one<{ id: string; waba_id: string }>('whatsapp_number', { workspace_id: workspaceId, phone_number_id: phoneNumberId, waba_id: `20000000009${phoneSeq}`, display_phone_number: `1555000${phoneSeq}`, verified_name: `${marker} Business`, access_token_sealed: 'sealed-elsewhere' });
  const contact = await one('contact', { workspace_id: workspaceId, wa_id: `1555999${phoneSeq}000`, profile_name: `${marker} Customer` });
  const now = new Date();
  const conversation = await one('conversation', { workspace_id: workspaceId, contact_id: contact.id, whatsapp_number_id: number.id, opened_at: now, last_message_at: now, last_inbound_at: now });
  const message = await one('message', {
    workspace_id: workspaceId, conversation_id: conversation.id, wamid: `wamid.${marker}`, direction: 'inbound', type: 'text',
    body: JSON.stringify({ text: `${marker} secret message` }), text: `${marker} secret message`, status: 'received', sent_at: now,
  });
  const installation = await one('installation', { workspace_id: workspaceId, connector: 'zendesk', account_id: `${marker.toLowerCase()}-desk`, settings: JSON.stringify({}) });
  const inboxDead = await one<{ id: number }>('inbox_event', {
    workspace_id: workspaceId, phone_number_id: phoneNumberId, dedupe_key: `dead-${marker}`, kind: 'malformed', conversation_key: `${phoneNumberId}:x`, shard: 0,
    event_at: now, payload: JSON.stringify({ kind: 'malformed', problem: `${marker} broken payload` }), state: 'dead', attempts: 10, last_error: `${marker} inbox failure`,
  });
  const syncDead = await one<{ id: number }>('sync_outbox', {
    workspace_id: workspaceId, installation_id: installation.id, event_id: crypto.randomUUID(), type: 'message.received', conversation_id: conversation.id,
    message_id: message.id, state: 'dead', attempts: 12, last_error: `${marker} platform refused`,
  });
  const botDead = await one('bot_forward', { workspace_id: workspaceId, conversation_id: conversation.id, message_id: message.id, state: 'dead', attempts: 8, last_error: `${marker} bot down`, finished_at: now });
  await one('template', {
    workspace_id: workspaceId, waba_id: number.waba_id, meta_template_id: `9${phoneSeq}`, name: `${marker.toLowerCase()}_template`, language: 'en', category: 'UTILITY',
    status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: `${marker} template body` }]), synced_at: now,
  });
  const closing = JSON.parse(ruleExample('closing') ?? 'null') as Record<string, unknown>;
  await one('automation_rule', { workspace_id: workspaceId, kind: 'closing', version: 1, definition: JSON.stringify({ ...closing, text: `${marker} goodbye` }), created_by: `${marker}-admin` });
  await db('rate_card').insert({ workspace_id: workspaceId, currency: 'EUR', updated_by: `${marker}-admin` });
  await db('audit_log').insert({ workspace_id: workspaceId, actor: `${marker}-admin`, action: 'test.seeded', entity_type: 'workspace', entity_id: workspaceId, data: JSON.stringify({ marker }) });
  return {
    workspaceId, marker, numberId: number.id, phoneNumberId, wabaId: number.waba_id, contactId: contact.id, conversationId: conversation.id, messageId: message.id, installationId: installation.id,
    inboxDeadId: inboxDead.id, syncDeadId: syncDead.id, botDeadId: botDead.id,
  };
}
