import { latestConversationOfContacts } from '../../../core/conversations/read-conversations';
import type { Db } from '../../../core/db/connect';
import { findLinkedEntity } from '../../../core/sync/external-links';
import type { HubSpotResult } from '../hubspot-result';
import type { HubSpotInstallation } from './portal-installation';
import { callHubSpot } from '../client/hubspot-call';
import { CONTACT_LINK_TYPE } from '../contact-link';

/** CRM object type ids as cards name them (§3.2) and the names workflow actions use. */
export const RECORD_TYPES = { contact: '0-1', deal: '0-3' } as const;
export type RecordType = keyof typeof RECORD_TYPES;

export type RecordConversation =
  /** Threadline's contact for the record (null: nobody Threadline knows) and their conversation (null: none yet). */
  | { ok: true; contactIds: string[]; conversationId: string | null }
  | { ok: false; code: 'RECORD_NOT_FOUND'; message: string }
  | { ok: false; code: 'HUBSPOT_UNAVAILABLE'; message: string };

/** Deals list at most this many contacts here: a deal's buyers, not a mailing list. */
const DEAL_CONTACTS = 100;

/**
 * A HubSpot record's WhatsApp conversation, scoped to one installation: a contact through the link HS2's
 * identity code wrote for it (only this installation's links count; an unlinked id is checked with HubSpot, so
 * another portal's contact is a 404, not an empty thread); a deal through its associated contacts, read from HubSpot with this portal's token (another
 * portal's deal is HubSpot's 404). Then the contacts' live conversation on the installation's number.
 */
export async function conversationOfRecord(db: Db, installation: HubSpotInstallation, record: { type: RecordType; id: string }): Promise<RecordConversation> {
  const hubspotContactIds = record.type === 'contact' ? { ok: true as const, value: [record.id] } : await dealContactIds(installation, record.id);
  if (!hubspotContactIds.ok) {
    return hubspotContactIds.error.code === 'NOT_FOUND'
      ? { ok: false, code: 'RECORD_NOT_FOUND', message: `HubSpot has no deal ${record.id} in portal ${installation.config.portalId}` }
      : { ok: false, code: 'HUBSPOT_UNAVAILABLE', message: `HubSpot did not list the deal's contacts: ${hubspotContactIds.error.message}` };
  }
  const linked = await Promise.all(hubspotContactIds.value.map((externalId) =>
    findLinkedEntity(db, installation.workspaceId, [installation.id], { entityType: 'contact', externalType: CONTACT_LINK_TYPE, externalId })));
  const contactIds = linked.flatMap((l) => (l ? [l.entityId] : []));
  if (record.type === 'contact' && contactIds.length === 0) {
    // Unlinked: a contact of this portal nobody wrote from yet, or another portal's id; only HubSpot knows which.
    const exists = await callHubSpot(installation, 'api', (client) => client.crm.contacts.basicApi.getById(record.id, []));
    if (!exists.ok && exists.error.code === 'NOT_FOUND') return { ok: false, code: 'RECORD_NOT_FOUND', message: `HubSpot has no contact ${record.id} in portal ${installation.config.portalId}` };
    if (!exists.ok) return { ok: false, code: 'HUBSPOT_UNAVAILABLE', message: `HubSpot did not answer about contact ${record.id}: ${exists.error.message}` };
  }
  const conversationId = await latestConversationOfContacts(db, installation.workspaceId, contactIds, installation.config.phoneNumberId);
  return { ok: true, contactIds, conversationId };
}

async function dealContactIds(installation: HubSpotInstallation, dealId: string): Promise<HubSpotResult<string[]>> {
  const page = await callHubSpot(installation, 'api', (client) => client.crm.associations.v4.basicApi.getPage('deals', dealId, 'contacts', undefined, DEAL_CONTACTS));
  return page.ok ? { ok: true, value: page.value.results.map((r) => String(r.toObjectId)) } : page;
}
