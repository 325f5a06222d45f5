import { accountBaseUrl, type ZendeskClientConfig, type ZendeskResult } from '../client';
import { requestJson } from '../client/http';

/**
 * Asks Zendesk whether a push token is valid for this account's integration instance
 * (`POST /api/v2/any_channel/validate_token`, reference §1.4): the admin UI form names a subdomain, and only
 * Zendesk can say the token that came with it is that account's.
 */
export async function validatePushToken(app: Pick<ZendeskClientConfig, 'apiBase' | 'timeoutMs'>, subdomain: string, pushToken: string, instancePushId: string): Promise<ZendeskResult<unknown>> {
  return requestJson(`${accountBaseUrl(app.apiBase, subdomain)}/api/v2/any_channel/validate_token`, {
    method: 'POST', token: pushToken, body: { instance_push_id: instancePushId }, timeoutMs: app.timeoutMs,
  });
}
