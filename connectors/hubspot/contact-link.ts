/**
 * How a WhatsApp contact is mapped to its HubSpot contact: an `external_link` of entity type `contact` and this
 * external type, per installation. Identity writes it; the card reads it; CRM webhooks re-point or drop it.
 */
export const CONTACT_LINK_TYPE = 'hubspot_contact';
