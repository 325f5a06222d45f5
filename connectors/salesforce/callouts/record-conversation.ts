import { latestConversationOfContacts } from '../../../core/conversations/read-conversations';
import type { Db } from '../../../core/db/connect';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { salesforceLinkTypes } from '../link-types';

/** Link types whose record stands for a customer (Contact, Lead) or for one conversation (Case, WhatsApp_Conversation__c). */
const CUSTOMER_LINKS = [salesforceLinkTypes.contact, salesforceLinkTypes.lead];
const CONVERSATION_LINKS = [salesforceLinkTypes.case, salesforceLinkTypes.conversation];

/**
 * The conversation a Salesforce record (18-character id) stands for, through the links the sync wrote for this
 * installation only (so another org's record is nobody here): a Contact or Lead → that customer's conversation on
 * the installation's number (the live one, else the most recent); a Case or WhatsApp_Conversation__c → the
 * conversation linked to it (the newest link, should several conversations share a Case). Null otherwise.
 */
export async function conversationOfRecord(db: Db, installation: SalesforceInstallation, recordId: string): Promise<string | null> {
  const link: { entity_type: string; entity_id: string } | undefined = await db('external_link')
    .where({ workspace_id: installation.workspaceId, installation_id: installation.id, external_id: recordId })
    .where((q) => q.where('entity_type', 'contact').whereIn('external_type', CUSTOMER_LINKS)
      .orWhere((c) => c.where('entity_type', 'conversation').whereIn('external_type', CONVERSATION_LINKS)))
    .orderBy('created_at', 'desc')
    .first('entity_type', 'entity_id');
  if (link === undefined) return null;
  if (link.entity_type === 'conversation') return link.entity_id;
  return latestConversationOfContacts(db, installation.workspaceId, [link.entity_id], installation.config.phoneNumberId);
}
