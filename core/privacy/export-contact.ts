import type { Db } from '../db/connect';

/** A GDPR access request's answer: everything Threadline holds on one contact, as stored (the shape is the schema's). */
export interface ContactExport {
  exported_at: string;
  contact: Record<string, unknown>;
  consent: Record<string, unknown>[];
  conversations: Record<string, unknown>[];
  messages: Record<string, unknown>[];
  /** Each stored file with a link that downloads it (signed, valid a few days) while its bytes are kept. */
  media: Record<string, unknown>[];
  external_links: Record<string, unknown>[];
  audit: Record<string, unknown>[];
  sms_messages: Record<string, unknown>[];
}

/**
 * Reads everything about one contact of the workspace, or undefined when it is not one of its contacts. Audit
 * entries are those naming the contact, one of its conversations or one of its messages (consent changes among them).
 */
export async function exportContact(db: Db, workspaceId: string, contactId: string, mediaUrlFor: (messageId: string) => string): Promise<ContactExport | undefined> {
  const contact: Record<string, unknown> | undefined = await db('contact').where({ workspace_id: workspaceId, id: contactId }).first();
  if (!contact) return undefined;
  const conversations: Array<Record<string, unknown> & { id: string }> = await db('conversation as c')
    .join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id')
    .where({ 'c.workspace_id': workspaceId, 'c.contact_id': contactId })
    .orderBy('c.opened_at')
    .select('c.id', 'n.phone_number_id', 'n.display_phone_number', 'c.status', 'c.assignee_platform', 'c.assignee_id', 'c.assignee_name',
      'c.opened_at', 'c.closed_at', 'c.last_message_at', 'c.last_inbound_at');
  const conversationIds = conversations.map((c) => c.id);
  const messages: Array<Record<string, unknown> & { id: string }> = await db('message')
    .where({ workspace_id: workspaceId }).whereIn('conversation_id', conversationIds)
    .orderBy([{ column: 'sent_at' }, { column: 'id' }])
    .select('id', 'conversation_id', 'wamid', 'direction', 'type', 'body', 'text', 'context_wamid', 'forwarded', 'referral', 'reactions',
      'status', 'status_at', 'error_code', 'error_title', 'error_details', 'sent_by', 'sent_at');
  const messageIds = messages.map((m) => m.id);
  const media: Array<{ message_id: string; state: string; blob_key: string | null } & Record<string, unknown>> = await db('media')
    .where({ workspace_id: workspaceId }).whereIn('message_id', messageIds)
    .select('id', 'message_id', 'mime_type', 'filename', 'size_bytes', 'sha256', 'state', 'blob_key', 'created_at');
  const entityIds = [contactId, ...conversationIds, ...messageIds];
  const [consent, links, audit, sms] = await Promise.all([
    db('consent as k').join('whatsapp_number as n', 'n.id', 'k.whatsapp_number_id')
      .where({ 'k.workspace_id': workspaceId, 'k.contact_id': contactId })
      .select('n.phone_number_id', 'k.status', 'k.marketing', 'k.sms', 'k.source', 'k.changed_at'),
    db('external_link as l').join('installation as i', 'i.id', 'l.installation_id')
      .where({ 'l.workspace_id': workspaceId }).whereIn('l.entity_id', entityIds)
      .orderBy('l.id')
      .select('i.connector', 'i.account_id', 'l.entity_type', 'l.entity_id', 'l.external_type', 'l.external_id', 'l.created_at'),
    db('audit_log').where({ workspace_id: workspaceId }).whereIn('entity_id', entityIds)
      .orderBy('id').select('actor', 'action', 'entity_type', 'entity_id', 'data', 'at'),
    db('sms_message').where({ workspace_id: workspaceId }).whereIn('source_message_id', messageIds)
      .select('id', 'source_message_id', 'from_number', 'to_number', 'body', 'state', 'created_at'),
  ]);
  return {
    exported_at: new Date().toISOString(),
    contact,
    consent,
    conversations,
    messages,
    media: media.map(({ blob_key: blobKey, ...row }) => ({ ...row, download_url: row.state === 'stored' && blobKey ? mediaUrlFor(row.message_id) : null })),
    external_links: links,
    audit,
    sms_messages: sms,
  };
}
