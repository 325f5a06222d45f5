import { defineConnector } from '../../core/connectors/define-connector';
import { HUBSPOT_CONNECTOR_ID } from './hubspot-id';
import { hubspotConfigSchema, hubspotCredentialsSchema } from './hubspot-settings';
import { deliverToHubSpot, hubspotLimits } from './timeline/deliver-to-hubspot';

/**
 * HubSpot (issue 5): WhatsApp messages logged as communications on contact (and deal) timelines. Installed by
 * the OAuth flow at /connectors/hubspot/install, one installation per portal per workspace; the CRM card, the
 * workflow action and CRM webhooks are routes of their own (`routes.ts`), scoped to the portal that signed them.
 */
export const hubspotConnector = defineConnector({
  id: HUBSPOT_CONNECTOR_ID,
  displayName: 'HubSpot',
  configSchema: hubspotConfigSchema,
  credentialsSchema: hubspotCredentialsSchema,
  // Absent: the portal sees every number of the workspace; set, only that number's conversations.
  numberOf: (config) => config.phoneNumberId,
  capabilities: {
    timeline: { limits: hubspotLimits, deliver: deliverToHubSpot },
  },
});
