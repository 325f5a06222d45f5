import type { Knex } from 'knex';
import type { Db } from '../../../core/db/connect';
import { appProperties } from '../client/app-properties';
import { CONTACT_LINK_TYPE, CONVERSATION_CONTACT_LINK_TYPE } from '../contact-link';
import { recordConsentFromHubSpot } from '../identity/consent-from-hubspot';
import { HUBSPOT_CONNECTOR_ID } from '../hubspot-id';
import { PHONE_PROPERTIES, typeOf, type CrmEvent } from './crm-events';

export interface AppliedEvents {
  /** Events seen for the first time and handled (or knowingly ignored). */
  fresh: number;
  /** Redeliveries of events already handled. */
  duplicates: number;
}

/**
 * Handles one webhook request's events in one transaction, oldest first (HubSpot does not order them):
 * each event is recorded in `hubspot_webhook_event` and acted on only if it was not recorded before, so
 * a redelivery is a no-op and a failure rolls both back for HubSpot's retry. What the events change is our
 * mapping of WhatsApp contacts to HubSpot contacts (`external_link` of type `hubspot_contact`), in every
 * workspace that installed the portal.
 */
export async function applyCrmEvents(db: Db, events: readonly CrmEvent[]): Promise<AppliedEvents> {
  const ordered = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
  return db.transaction(async (trx) => {
    let fresh = 0;
    for (const event of ordered) {
      if (!(await recordFirstSight(trx, event))) continue;
      fresh += 1;
      const installations = await installationsOfPortal(trx, event.portalId);
      if (installations.length > 0) await applyEvent(trx, installations, event);
    }
    return { fresh, duplicates: ordered.length - fresh };
  });
}

/** True the first time this event is seen: the dedupe key of §6.2, not `eventId` (not unique). */
async function recordFirstSight(trx: Knex.Transaction, event: CrmEvent): Promise<boolean> {
  const inserted: unknown[] = await trx('hubspot_webhook_event')
    .insert({
      portal_id: event.portalId, subscription_id: event.subscriptionId, object_id: event.objectId, occurred_at: event.occurredAt,
      property_name: event.propertyName ?? '', event_type: typeOf(event),
    })
    .onConflict(['portal_id', 'subscription_id', 'object_id', 'occurred_at', 'property_name'])
    .ignore()
    .returning('portal_id');
  return inserted.length > 0;
}

async function installationsOfPortal(trx: Knex.Transaction, portalId: number): Promise<string[]> {
  const rows: { id: string }[] = await trx('installation').where({ connector: HUBSPOT_CONNECTOR_ID, account_id: String(portalId), state: 'active' }).select('id');
  return rows.map((r) => r.id);
}

async function applyEvent(trx: Knex.Transaction, installationIds: string[], event: CrmEvent): Promise<void> {
  const links = () => trx('external_link').whereIn('installation_id', installationIds).where({ entity_type: 'contact', external_type: CONTACT_LINK_TYPE });
  // Conversations' contacts (for routing and breach events) follow merges and deletions; a phone change leaves them to the next message.
  const contactAndConversationLinks = () => trx('external_link').whereIn('installation_id', installationIds)
    .where((q) => q.where({ entity_type: 'contact', external_type: CONTACT_LINK_TYPE }).orWhere({ entity_type: 'conversation', external_type: CONVERSATION_CONTACT_LINK_TYPE }));
  switch (typeOf(event)) {
    case 'contact.deletion':
    case 'contact.privacyDeletion':
      // The contact is gone: a later message must not be logged on a dead record (nor recreate a deleted person's link).
      await contactAndConversationLinks().where({ external_id: String(event.objectId) }).delete();
      return;
    case 'contact.merge': {
      // [U] `newObjectId` names the surviving record when HubSpot gave it a new id; otherwise the primary survives.
      const survivor = event.newObjectId ?? event.primaryObjectId ?? event.objectId;
      const absorbed = [event.objectId, event.primaryObjectId, ...(event.mergedObjectIds ?? [])].filter((v): v is number => v !== undefined && v !== survivor);
      if (absorbed.length > 0) await contactAndConversationLinks().whereIn('external_id', absorbed.map(String)).update({ external_id: String(survivor) });
      return;
    }
    case 'contact.propertyChange':
      // The record may now be someone else's number: identity resolves it again by phone on the next message.
      if (event.propertyName !== undefined && PHONE_PROPERTIES.has(event.propertyName)) await links().where({ external_id: String(event.objectId) }).delete();
      // An opt-out set in HubSpot is honoured by every send from then on (issue 5 item 6).
      if (event.propertyName === appProperties.consent) {
        for (const installationId of installationIds) {
          await recordConsentFromHubSpot(trx, { installationId, hubspotContactId: String(event.objectId), value: event.propertyValue });
        }
      }
      return;
    default:
      // Subscribed elsewhere or new: acknowledged, never refused (a 4xx makes HubSpot retry for a day, §6.2).
  }
}
