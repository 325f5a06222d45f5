import type { Db } from '../../../core/db/connect';
import { numbersOfContact } from '../../../core/conversations/read-consent';
import { setConsent } from '../../../core/engine/set-consent';
import { findLinkedEntity } from '../../../core/sync/external-links';
import { appProperties } from '../client/app-properties';
import { CONTACT_LINK_TYPE } from '../contact-link';

export interface HubSpotConsentChange {
  installationId: string;
  /** The HubSpot contact whose `threadline_whatsapp_consent` changed (the webhook's `objectId`). */
  hubspotContactId: string;
  /** The property's new value (`propertyValue`). */
  value: string | null | undefined;
}

/** Consent as set in HubSpot: only a deliberate opt-in or opt-out counts; `unknown` or clearing it changes nothing. */
function consentValue(value: string | null | undefined): 'opted_in' | 'opted_out' | undefined {
  return value === 'opted_in' || value === 'opted_out' ? value : undefined;
}

/**
 * HubSpot-side consent (issue 5 item 6): a rep or workflow sets `threadline_whatsapp_consent` on a contact, the
 * CRM webhook (`contact.propertyChange` on that property) calls this, and core records it (source `platform`)
 * for the WhatsApp contact linked to that HubSpot contact, on the number the installation serves (or every
 * number the customer has a conversation on), so `send` refuses with CONSENT_REVOKED from then on. Our own
 * writes of the property come back here as no-ops: core ignores a change to what is already recorded.
 * Resolves to the numbers (ids) it was recorded on: none when the contact is not linked or the value is not a choice.
 */
export async function recordConsentFromHubSpot(db: Db, change: HubSpotConsentChange): Promise<string[]> {
  const value = consentValue(change.value);
  if (value === undefined) return [];
  const installation: { workspace_id: string; account_id: string; whatsapp_number_id: string | null } | undefined = await db('installation')
    .where({ id: change.installationId, state: 'active' })
    .first('workspace_id', 'account_id', 'whatsapp_number_id');
  if (!installation) return [];
  const workspaceId = installation.workspace_id;
  const linked = await findLinkedEntity(db, workspaceId, [change.installationId], { entityType: 'contact', externalType: CONTACT_LINK_TYPE, externalId: change.hubspotContactId });
  if (!linked) return [];
  const numbers = installation.whatsapp_number_id === null ? await numbersOfContact(db, workspaceId, linked.entityId) : [installation.whatsapp_number_id];
  for (const whatsappNumberId of numbers) {
    await setConsent(db, workspaceId, {
      contactId: linked.entityId, whatsappNumberId, change: { field: 'status', value }, source: 'platform',
      actor: `hubspot:${installation.account_id}`, note: `set in HubSpot (contact ${change.hubspotContactId}, ${appProperties.consent})`,
    });
  }
  return numbers;
}
