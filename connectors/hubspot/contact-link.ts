/**
 * How a WhatsApp contact is mapped to its HubSpot contact: an `external_link` of entity type `contact` and this
 * external type, per installation. Identity writes it; the card reads it; CRM webhooks re-point or drop it.
 */
export const CONTACT_LINK_TYPE = 'hubspot_contact';

/**
 * The HubSpot contact a conversation was last logged on: an `external_link` of entity type `conversation`, written
 * with each message delivered, re-pointed by merges and dropped by deletions like the contact's own link. Events that
 * name no customer (routing, missed response targets) find the contact through it.
 */
export const CONVERSATION_CONTACT_LINK_TYPE = 'hubspot_conversation_contact';
