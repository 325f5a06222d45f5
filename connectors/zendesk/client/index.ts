/** The typed Zendesk client: REST through node-zendesk, the Push API and OAuth through fetch. */
export { accountBaseUrl, zendeskClientConfigFromEnv, zendeskClientConfigSchema, type ZendeskClientConfig } from './config';
export { parseRetryAfter, type FieldError, type ZendeskError, type ZendeskErrorCode, type ZendeskResult } from './errors';
export { exchangeAuthorizationCode, refreshAccessToken, type ExchangeCodeInput, type RefreshInput, type TokenPair } from './oauth';
export { maxResourcesPerPush, pushExternalResources, type PushInput, type PushItemResult, type PushOutcome, type PushStatusCode } from './push';
export type { ExternalResourceInput } from './push-schema';
export { ZendeskRestClient, type TicketUpdate, type UserInput } from './rest-client';
export type { TicketPriority, TicketStatus, ZendeskIdentity, ZendeskTicket, ZendeskUser } from './schemas';
