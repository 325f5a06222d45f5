import { defineConnector } from '../../core/connectors/define-connector';
import { CONTACT_LINK_TYPE, CONVERSATION_CONTACT_LINK_TYPE } from './contact-link';
import { HUBSPOT_CONNECTOR_ID } from './hubspot-id';
import { hubspotConfigSchema, hubspotCredentialsSchema } from './hubspot-settings';
import { hubspotPrivacy } from './privacy';
import { deliverToHubSpot, hubspotLimits } from './timeline/deliver-to-hubspot';
import { timelineLinkTypes } from './timeline/link-types';

/** HubSpot's object type ids (contact 0-1, communication 0-18, task 0-27) of the links that name a record; the rest name none. */
function recordObjectType(externalType: string): string | undefined {
  if (externalType === CONTACT_LINK_TYPE || externalType === CONVERSATION_CONTACT_LINK_TYPE) return '0-1';
  if (externalType === timelineLinkTypes.communication) return '0-18';
  return externalType.startsWith(`${timelineLinkTypes.slaTask}:`) ? '0-27' : undefined;
}

/**
 * HubSpot (issue 5): WhatsApp messages logged as communications on contact (and deal) timelines. Installed by
 * the OAuth flow at /connectors/hubspot/install, one installation per portal per workspace; the CRM card, the
 * workflow action and CRM webhooks are routes of their own (`routes.ts`), scoped to the portal that signed them.
 */
export const hubspotConnector = defineConnector({
  id: HUBSPOT_CONNECTOR_ID,
  displayName: 'HubSpot',
  ownRequestRoutes: true,
  configSchema: hubspotConfigSchema,
  credentialsSchema: hubspotCredentialsSchema,
  // Absent: the portal sees every number of the workspace; set, only that number's conversations.
  numberOf: (config) => config.phoneNumberId,
  recordUrl: ({ config }, link) => {
    const objectTypeId = recordObjectType(link.externalType);
    return objectTypeId && /^\d+$/.test(link.externalId)
      ? `https://${config.hubDomain ?? 'app.hubspot.com'}/contacts/${config.portalId}/record/${objectTypeId}/${link.externalId}`
      : undefined;
  },
  capabilities: {
    timeline: { limits: hubspotLimits, deliver: deliverToHubSpot },
    privacy: hubspotPrivacy,
  },
});
