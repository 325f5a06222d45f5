import type { DeliverContext, LinkStore } from '../../../core/connectors/contract';
import type { Customer } from '../../../core/sync/customer-of-event';
import { internationalForm, nationalDigits, phoneFormsOf, type PhoneForms } from '../../../core/whatsapp/phone-number';
import { appProperties } from '../client/app-properties';
import { createContact, findContactBy, searchContactsByPhone, type CrmObject } from '../client/crm';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import { CONTACT_LINK_TYPE } from '../contact-link';
import type { HubSpotResult } from '../hubspot-result';

/** Found (or created), or none and `createContacts` is off. */
export type ContactResolution = { kind: 'linked'; hubspotContactId: string; created: boolean } | { kind: 'none'; reason: string };

/**
 * The HubSpot contact of a WhatsApp customer, without duplicates (issue 5 item 2, reference §7.1):
 * 1. the local mapping (an `external_link` of type `hubspot_contact`, which CRM webhooks drop or re-point),
 *    which search's lag cannot fool;
 * 2. under a PostgreSQL advisory lock on this installation and contact (`ctx.exclusive`), so bursts and
 *    other worker processes wait here: the mapping again, then a contact carrying our unique
 *    `threadline_whatsapp_id` (a read, no lag: one we created whose link was lost), then a search on the
 *    calculated phone properties (a contact a person created), then, when `createContacts`, a new contact;
 *    the link commits with the lock, whatever becomes of the batch that asked.
 * A business-scoped user without a number (BSUID) is matched by `threadline_whatsapp_id` = their user id
 * only, and created with their profile name or username: there is no phone to search on.
 */
export async function resolveContact(
  installation: HubSpotInstallation, customer: Customer, ctx: DeliverContext, options?: CallOptions,
): Promise<HubSpotResult<ContactResolution>> {
  if (ctx.exclusive === undefined) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'The sync engine gave no lock to resolve HubSpot contacts under' } };
  return ctx.exclusive(`contact:${customer.contactId}`, (links) => resolveLocked(installation, customer, links, options));
}

async function resolveLocked(installation: HubSpotInstallation, customer: Customer, links: LinkStore, options?: CallOptions): Promise<HubSpotResult<ContactResolution>> {
  const linked = (await links.read('contact', customer.contactId))[CONTACT_LINK_TYPE];
  if (linked !== undefined) return { ok: true, value: { kind: 'linked', hubspotContactId: linked, created: false } };
  const key = customer.waId ?? customer.userId;
  if (key === null) return { ok: true, value: { kind: 'none', reason: 'the customer has neither a WhatsApp number nor a user id to find them by' } };
  const link = async (hubspotContactId: string, created: boolean): Promise<HubSpotResult<ContactResolution>> => {
    await links.save([{ entityType: 'contact', entityId: customer.contactId, externalType: CONTACT_LINK_TYPE, externalId: hubspotContactId }]);
    return { ok: true, value: { kind: 'linked', hubspotContactId, created } };
  };

  const ours = await findContactBy(installation, appProperties.whatsappId, key, options);
  if (!ours.ok) return ours;
  if (ours.value) return link(ours.value.id, false);

  const phone = customer.waId === null ? undefined : phoneFormsOf(customer.waId);
  if (phone) {
    const found = await searchContactsByPhone(installation, phone, options);
    if (!found.ok) return found;
    const match = bestMatch(found.value, phone);
    if (match) return link(match.id, false);
  }
  if (!installation.config.createContacts) {
    return { ok: true, value: { kind: 'none', reason: 'no HubSpot contact has this WhatsApp number, and creating contacts is off for this installation' } };
  }
  const created = await createContact(installation, newContactProperties(customer, key, phone), options);
  if (!created.ok) return created;
  return link(created.value.id, true);
}

/**
 * Search matches loosely (a national number is the same digits in any country), so each candidate is
 * checked here (§7.1): a stored international form must be ours; a number typed without country code
 * matches on its digits. The oldest matching contact wins, as HubSpot's own dedupe keeps the oldest.
 */
function bestMatch(candidates: readonly CrmObject[], phone: PhoneForms): CrmObject | undefined {
  const matches = candidates.filter((c) => {
    const p = c.properties;
    const international = [p.hs_whatsapp_phone_number, p.hs_calculated_phone_number, p.hs_calculated_mobile_number, p.phone, p.mobilephone]
      .map((v) => internationalForm(v))
      .filter((v) => v !== undefined);
    if (international.includes(phone.e164)) return true;
    const typed = [p.phone, p.mobilephone].filter((v): v is string => typeof v === 'string' && v !== '');
    return international.length === 0 && typed.some((v) => nationalDigits(v) === phone.national);
  });
  return matches.sort((a, b) => Date.parse(a.properties.createdate ?? '') - Date.parse(b.properties.createdate ?? '') || Number(a.id) - Number(b.id))[0];
}

function newContactProperties(customer: Customer, key: string, phone: PhoneForms | undefined): Record<string, string> {
  const properties: Record<string, string> = { [appProperties.whatsappId]: key };
  // `phone` only: HubSpot derives the searchable forms from it; hs_whatsapp_phone_number belongs to its native integration [U: writable by apps].
  if (phone) properties.phone = phone.e164;
  const name = customer.name ?? (phone ? phone.e164 : 'WhatsApp customer');
  properties.firstname = name;
  return properties;
}

/** The HubSpot contact a Threadline contact is linked to now (read under the same lock), if any. */
export async function linkedContact(ctx: DeliverContext, contactId: string): Promise<string | undefined> {
  if (ctx.exclusive === undefined) return undefined;
  return ctx.exclusive(`contact:${contactId}`, async (links) => (await links.read('contact', contactId))[CONTACT_LINK_TYPE]);
}
