import type { Knex } from 'knex';
import type { Db } from '../db/connect';
import type { BlobStore } from '../media/blob-store';

/** What erasing a contact removed here: counts only, so the report itself holds no personal data. */
export interface LocalErasure {
  messages: number;
  media_files: number;
  inbox_events: number;
  outbox_rows: number;
  outbound_requests: number;
  sms_messages: number;
  trigger_requests: number;
}

/** A removed body: the row stays (type, direction, status, times) so analytics keep counting it. */
export const REMOVED_BODY = JSON.stringify({ removed: true });

/**
 * Deletes the bytes of every stored file of these messages. First, outside the transaction that forgets the rows:
 * deleting a missing blob is no error, so a retry after a crash in between deletes nothing twice and loses no key.
 */
export async function deleteMediaBlobs(db: Db, blobs: BlobStore, workspaceId: string, messageIds: Knex.QueryBuilder): Promise<number> {
  const rows: Array<{ blob_key: string }> = await db('media').where({ workspace_id: workspaceId }).whereIn('message_id', messageIds).whereNotNull('blob_key').select('blob_key');
  for (const row of rows) await blobs.delete(row.blob_key);
  return rows.length;
}

/** The columns that clear a message's body, text and everything referred to, keeping the row (see REMOVED_BODY). */
export function removedBody(knex: Knex) {
  return { body: REMOVED_BODY, text: null, referral: null, referred_product: null, reactions: '{}', error_details: null, body_removed_at: knex.fn.now() };
}

/**
 * Forgets a contact in this database (GDPR erasure): identifiers and name cleared (the row stays as a tombstone,
 * `erased_at`), message bodies and wamids removed, media rows and blobs, inbox payloads, sync outbox rows, queued
 * sends, SMS copies and trigger requests of theirs deleted. Conversations, consent rows and message rows stay
 * (counts, analytics). External links stay until each platform has forgotten them too (`erase-contact.ts`).
 */
export async function eraseLocally(db: Db, blobs: BlobStore, workspaceId: string, contactId: string): Promise<LocalErasure> {
  const conversationIds = db('conversation').where({ workspace_id: workspaceId, contact_id: contactId }).select('id');
  const messageIds = db('message').where({ workspace_id: workspaceId }).whereIn('conversation_id', conversationIds).select('id');
  const mediaFiles = await deleteMediaBlobs(db, blobs, workspaceId, messageIds);
  return db.transaction(async (trx) => {
    const contact: { wa_id: string | null; user_id: string | null; previous_wa_ids: string[] } = await trx('contact')
      .where({ workspace_id: workspaceId, id: contactId }).forUpdate().first('wa_id', 'user_id', 'previous_wa_ids');
    const customerIds = [contact.wa_id, contact.user_id, ...contact.previous_wa_ids].filter((v): v is string => typeof v === 'string' && v !== '');
    const trxConversations = trx('conversation').where({ workspace_id: workspaceId, contact_id: contactId }).select('id');
    const trxMessages = trx('message').where({ workspace_id: workspaceId }).whereIn('conversation_id', trxConversations);
    // Meta's payloads of this customer: keyed `<phone_number_id>:<wa_id or user id>` (extract-events.ts).
    const inboxEvents = customerIds.length === 0 ? 0 : await trx('inbox_event').where({ workspace_id: workspaceId })
      .whereRaw("split_part(conversation_key, ':', 2) = any(?)", [customerIds]).delete();
    await trx('message_status').where({ workspace_id: workspaceId }).whereIn('wamid', trxMessages.clone().whereNotNull('wamid').select('wamid')).delete();
    await trx('media').where({ workspace_id: workspaceId }).whereIn('message_id', trxMessages.clone().select('id')).delete();
    const smsMessages = await trx('sms_message').where({ workspace_id: workspaceId }).whereIn('source_message_id', trxMessages.clone().select('id')).delete();
    const outboundRequests = await trx('outbound_request').where({ workspace_id: workspaceId, contact_id: contactId }).delete();
    const outboxRows = await trx('sync_outbox').where({ workspace_id: workspaceId }).whereIn('conversation_id', trxConversations.clone()).delete();
    const triggerRequests = customerIds.length === 0 ? 0 : await trx('trigger_request').where({ workspace_id: workspaceId }).whereIn('wa_id', customerIds).delete();
    // A wamid encodes the customer's number, so it goes with the body.
    const messages = await trxMessages.clone().update({ ...removedBody(trx), wamid: null, context_wamid: null });
    await trx('contact_number_change').where({ workspace_id: workspaceId, contact_id: contactId }).delete();
    await trx('contact').where({ workspace_id: workspaceId, id: contactId }).update({
      wa_id: null, user_id: null, username: null, profile_name: null, country_code: null, language: null,
      previous_wa_ids: '[]', wa_id_since: null, erased_at: trx.fn.now(), updated_at: trx.fn.now(),
    });
    return {
      messages, media_files: mediaFiles, inbox_events: inboxEvents, outbox_rows: outboxRows, outbound_requests: outboundRequests,
      sms_messages: smsMessages, trigger_requests: triggerRequests,
    };
  });
}
