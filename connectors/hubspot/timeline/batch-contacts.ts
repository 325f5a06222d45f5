import type { BatchError, DeliverContext, EventResult, SyncEvent } from '../../../core/connectors/contract';
import { customerOfEvent } from '../../../core/sync/customer-of-event';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import { CONTACT_LINK_TYPE, CONVERSATION_CONTACT_LINK_TYPE } from '../contact-link';
import { linkedContact, resolveContact } from '../identity/resolve-contact';
import { batchError } from './batch-error';
import { timelineLinkTypes } from './link-types';

type ContactOutcome =
  | { ok: true; id: string; contactId: string }
  | { ok: false; batch: BatchError }
  | { ok: false; batch?: undefined; result: Extract<EventResult, { status: 'retry' | 'rejected' }> };

/**
 * The HubSpot contacts of a batch's customers: from their links first, resolved (and linked) once per customer.
 * Also each conversation's contact, for events that name no customer: the one its latest message in the batch was
 * logged on, else the conversation's link.
 */
export class ContactIndex {
  private readonly byContact = new Map<string, string>();
  private readonly byConversation = new Map<string, string>();

  constructor(events: readonly SyncEvent[]) {
    for (const event of events) {
      const conversationContact = event.links.conversation[CONVERSATION_CONTACT_LINK_TYPE];
      if (conversationContact !== undefined && !this.byConversation.has(event.conversationId)) this.byConversation.set(event.conversationId, conversationContact);
      const linked = event.links.contact?.[CONTACT_LINK_TYPE];
      const contactId = typeof event.data.contactId === 'string' ? event.data.contactId : undefined;
      if (linked !== undefined && contactId !== undefined) this.byContact.set(contactId, linked);
    }
  }

  /** Already known, without asking HubSpot: the contact of an event that names one (consent changes). */
  known(event: SyncEvent): string | undefined {
    return typeof event.data.contactId === 'string' ? this.byContact.get(event.data.contactId) : undefined;
  }

  /** The HubSpot contact the conversation is logged on, as far as this batch knows. */
  ofConversation(event: SyncEvent): string | undefined {
    return this.byConversation.get(event.conversationId);
  }

  async resolve(installation: HubSpotInstallation, event: SyncEvent, ctx: DeliverContext, options?: CallOptions): Promise<ContactOutcome> {
    const customer = customerOfEvent(event);
    if (customer === undefined) return { ok: false, result: { status: 'rejected', error: 'the event names no customer to file it under' } };
    const known = this.byContact.get(customer.contactId);
    if (known !== undefined) {
      this.byConversation.set(event.conversationId, known);
      return { ok: true, id: known, contactId: customer.contactId };
    }
    const resolved = await resolveContact(installation, customer, ctx, options);
    if (!resolved.ok) {
      const { error } = resolved;
      if (error.code === 'VALIDATION' || error.code === 'NOT_FOUND') {
        ctx.logger.warn({ code: error.code, message: error.message }, 'HubSpot refused the contact for a WhatsApp customer');
        return { ok: false, result: { status: 'rejected', error: `HubSpot contact: ${error.code}: ${error.message}` } };
      }
      return { ok: false, batch: batchError(error) };
    }
    if (resolved.value.kind === 'none') return { ok: false, result: { status: 'retry', error: `waiting for a HubSpot contact: ${resolved.value.reason}` } };
    this.byContact.set(customer.contactId, resolved.value.hubspotContactId);
    this.byConversation.set(event.conversationId, resolved.value.hubspotContactId);
    return { ok: true, id: resolved.value.hubspotContactId, contactId: customer.contactId };
  }

  /** For a failed message sent from this portal: the HubSpot contact its customer has now; undefined for any other. */
  async ofSend(event: SyncEvent, ownSends: ReadonlyMap<string, string>, ctx: DeliverContext): Promise<string | undefined> {
    const contactId = event.messageId === null ? undefined : event.links.message[timelineLinkTypes.sentFromHubSpot] ?? ownSends.get(event.messageId);
    if (contactId === undefined) return undefined;
    const known = this.byContact.get(contactId) ?? await linkedContact(ctx, contactId);
    if (known !== undefined) this.byContact.set(contactId, known);
    return known;
  }
}
