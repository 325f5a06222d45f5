import type { Connector } from '../core/connectors/define-connector';
import { hubspotConnector } from './hubspot/hubspot-connector';
import { salesforceConnector } from './salesforce/salesforce-connector';
import { zendeskConnector } from './zendesk/zendesk-connector';

/**
 * Every platform connector this build ships, one line each; the server builds its
 * ConnectorRegistry from this list.
 */
export const connectors: readonly Connector[] = [zendeskConnector, hubspotConnector, salesforceConnector];
