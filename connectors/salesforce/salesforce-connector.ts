import { defineConnector } from '../../core/connectors/define-connector';
import { salesforcePrivacy } from './privacy';
import { SALESFORCE_CONNECTOR_ID } from './salesforce-id';
import { salesforceConfigSchema, salesforceCredentialsSchema } from './salesforce-settings';
import { deliverToSalesforce, salesforceLimits } from './sync/deliver-to-salesforce';

/**
 * Salesforce (issue 6): WhatsApp threads as packaged records (`WhatsApp_Conversation__c`, `WhatsApp_Message__c`)
 * on the customer's Contact or Lead, Cases for support numbers, optional summary Tasks. Installed by the OAuth
 * flow at /connectors/salesforce/install, one installation per org per workspace; the package's Apex callouts
 * (thread, send, Flow action) are routes of their own, signed with the org's callout key.
 */
export const salesforceConnector = defineConnector({
  id: SALESFORCE_CONNECTOR_ID,
  displayName: 'Salesforce',
  ownRequestRoutes: true,
  configSchema: salesforceConfigSchema,
  credentialsSchema: salesforceCredentialsSchema,
  numberOf: (config) => config.phoneNumberId,
  // Every link of ours names a record by its id, which Salesforce opens at the org's instance URL (known while connected).
  recordUrl: ({ credentials }, link) => (credentials && /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(link.externalId)
    ? `${credentials.instanceUrl.replace(/\/$/, '')}/${link.externalId}`
    : undefined),
  capabilities: {
    timeline: { limits: salesforceLimits, deliver: deliverToSalesforce },
    privacy: salesforcePrivacy,
  },
});
