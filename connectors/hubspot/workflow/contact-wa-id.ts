import { e164Of, internationalForm } from '../../../core/whatsapp/phone-number';
import { appProperties } from '../client/app-properties';
import { callHubSpot, type HubSpotInstallation } from '../client/hubspot-call';

/**
 * The contact properties a WhatsApp number is read from, in this order: the customer's wa_id Threadline wrote
 * on a contact it created, HubSpot's WhatsApp number, then the mobile and the phone as typed and as HubSpot
 * calculated them in international format (reference §7.1; a number typed without its country code has one
 * there when HubSpot knows the contact's country).
 */
const WHATSAPP_NUMBER_PROPERTIES = [
  appProperties.whatsappId, 'hs_whatsapp_phone_number', 'mobilephone', 'hs_calculated_mobile_number', 'phone', 'hs_calculated_phone_number',
] as const;

export type ContactWaId =
  | { ok: true; waId: string }
  | { ok: false; code: 'NO_WHATSAPP_NUMBER' | 'RECORD_NOT_FOUND' | 'HUBSPOT_UNAVAILABLE'; message: string };

/**
 * The wa_id of a HubSpot contact nobody wrote from yet, so a workflow's template can start the conversation:
 * the first property above that holds a number with its country code. A national number alone is not used:
 * guessing its country could message a stranger.
 */
export async function waIdOfContact(installation: HubSpotInstallation, contactId: string): Promise<ContactWaId> {
  const read = await callHubSpot(installation, 'api', (client) => client.crm.contacts.basicApi.getById(contactId, [...WHATSAPP_NUMBER_PROPERTIES]));
  if (!read.ok && read.error.code === 'NOT_FOUND') return { ok: false, code: 'RECORD_NOT_FOUND', message: `HubSpot has no contact ${contactId} in portal ${installation.config.portalId}` };
  if (!read.ok) return { ok: false, code: 'HUBSPOT_UNAVAILABLE', message: `HubSpot did not answer about contact ${contactId}: ${read.error.message}` };
  const { properties } = read.value;
  for (const name of WHATSAPP_NUMBER_PROPERTIES) {
    const value = properties[name];
    // Threadline's own property holds a bare wa_id (or a user id, which is no number); the others are typed.
    const e164 = name === appProperties.whatsappId ? e164Of(value ?? '') : internationalForm(value);
    if (e164 !== undefined) return { ok: true, waId: e164.slice(1) };
  }
  return {
    ok: false,
    code: 'NO_WHATSAPP_NUMBER',
    message: `Contact ${contactId} has no phone number with its country code (+…) in ${WHATSAPP_NUMBER_PROPERTIES.join(', ')}, so Threadline cannot tell which WhatsApp number to write to`,
  };
}
