import type { HubSpotResult } from '../hubspot-result';
import { ensureProperty, type PropertySpec } from './crm';
import type { CallOptions, HubSpotInstallation } from './hubspot-call';

/**
 * Threadline's own CRM properties, created in the portal on first use (scope `crm.schemas.contacts.write`;
 * communications' schemas go by the contacts scopes too, §7.2). Unique-value properties can be read by
 * `idProperty` without the search index's lag: that is how a contact Threadline created, or a message it
 * logged, is found again however soon and from whichever process. [U] HubSpot enforcing unique values on
 * communications' custom properties (documented for contacts and objects generally; the fake does not enforce it).
 */
export const appProperties = {
  /** Contact: the customer's WhatsApp id (wa_id digits) or, for a business-scoped user without a number, their user id. */
  whatsappId: 'threadline_whatsapp_id',
  /** Contact: opted_in | opted_out | unknown, kept in step both ways (issue 5 item 6). */
  consent: 'threadline_whatsapp_consent',
  /** Contact: when and why the last message a HubSpot user or workflow sent failed (item 5). */
  lastFailure: 'threadline_whatsapp_last_failure',
  /** Communication: the Threadline message it logs (`failed:<id>` for a failure note): the idempotency key. */
  messageId: 'threadline_message_id',
  /** Communication: pending | sent | delivered | read | failed. */
  status: 'threadline_whatsapp_status',
  /** Communication: why WhatsApp did not deliver it. */
  error: 'threadline_whatsapp_error',
} as const;

export const consentValues = ['opted_in', 'opted_out', 'unknown'] as const;
export const statusValues = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;

const options = (values: readonly string[]) => values.map((value) => ({ label: value.replace('_', ' '), value }));

export const appPropertySpecs: readonly PropertySpec[] = [
  { objectType: 'contacts', name: appProperties.whatsappId, label: 'WhatsApp id (Threadline)', description: 'The WhatsApp number (digits) or business-scoped user id Threadline knows this contact by.', type: 'string', hasUniqueValue: true },
  { objectType: 'contacts', name: appProperties.consent, label: 'WhatsApp consent (Threadline)', description: 'Opted in or out of WhatsApp messages. Set it to opted out to stop every send from Threadline.', type: 'enumeration', options: options(consentValues) },
  { objectType: 'contacts', name: appProperties.lastFailure, label: 'Last WhatsApp failure (Threadline)', description: 'When and why the last WhatsApp message sent from HubSpot was not delivered.', type: 'string' },
  { objectType: 'communications', name: appProperties.messageId, label: 'Threadline message id', description: 'The Threadline message this communication logs.', type: 'string', hasUniqueValue: true },
  { objectType: 'communications', name: appProperties.status, label: 'WhatsApp status', description: 'Delivery status reported by WhatsApp.', type: 'enumeration', options: options(statusValues) },
  { objectType: 'communications', name: appProperties.error, label: 'WhatsApp error', description: 'Why WhatsApp did not deliver this message.', type: 'string' },
];

/** Installations whose properties this process has made sure of: checked once per process, not per batch. */
const ensured = new Set<string>();

export async function ensureAppProperties(installation: HubSpotInstallation, callOptions?: CallOptions): Promise<HubSpotResult<void>> {
  const key = `${installation.id}:${installation.config.portalId}`;
  if (ensured.has(key)) return { ok: true, value: undefined };
  for (const spec of appPropertySpecs) {
    const result = await ensureProperty(installation, spec, callOptions);
    if (!result.ok) return result;
  }
  ensured.add(key);
  return { ok: true, value: undefined };
}
