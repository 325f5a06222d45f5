import { defineConnector } from '../../core/connectors/define-connector';
import { receiveChannelback } from './channelback';
import { receiveTicketSolved } from './csat/ticket-solved';
import { deliverToZendesk } from './deliver-to-zendesk';
import { linkTypes } from './map-event-to-resource';
import { zendeskPrivacy } from './privacy';
import { zendeskConfigSchema, zendeskCredentialsSchema, zendeskLimits } from './zendesk-settings';

/**
 * Zendesk through the Channel framework (issue 4): WhatsApp conversations as tickets via the Push API,
 * agents' replies back through channelback. Installed by the Zendesk admin UI flow, which stores the
 * settings and credentials declared here.
 */
export const zendeskConnector = defineConnector({
  id: 'zendesk',
  displayName: 'Zendesk',
  ownRequestRoutes: true,
  configSchema: zendeskConfigSchema,
  credentialsSchema: zendeskCredentialsSchema,
  // An integration account answers one WhatsApp number: only its conversations become its tickets.
  numberOf: (config) => config.phoneNumberId,
  // Tickets and requesters have agent pages; thread keys and pushed comment ids do not.
  recordUrl: ({ config }, link) => {
    const page = ({ [linkTypes.ticket]: 'tickets', [linkTypes.user]: 'users' } as Record<string, string | undefined>)[link.externalType];
    return page && /^\d+$/.test(link.externalId) ? `https://${config.subdomain}.zendesk.com/agent/${page}/${link.externalId}` : undefined;
  },
  capabilities: {
    ticketing: { ticketExternalType: linkTypes.ticket, limits: zendeskLimits, deliver: deliverToZendesk },
    replySource: { receive: receiveChannelback },
    // The "ticket solved" webhook sends the CSAT template (csat/).
    templateTrigger: { receive: receiveTicketSolved },
    privacy: zendeskPrivacy,
  },
});
