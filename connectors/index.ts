import type { Connector } from '../core/connectors/define-connector';
import { zendeskConnector } from './zendesk/zendesk-connector';

/**
 * Every platform connector this build ships, one line each; the server builds its
 * ConnectorRegistry from this list. Zendesk, HubSpot and Salesforce arrive with their issues.
 */
export const connectors: readonly Connector[] = [zendeskConnector];
