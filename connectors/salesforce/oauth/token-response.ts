import crypto from 'node:crypto';
import { z } from 'zod';
import { toId18 } from '../salesforce-ids';
import type { SalesforceError } from '../salesforce-result';

/**
 * The token endpoint's answer to a code exchange or a refresh (reference §1.4, §1.5): no `expires_in`; a new
 * `refresh_token` on every refresh (rotation, §1.2), absent only when the scope was not granted.
 */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.url(),
  id: z.url(),
  issued_at: z.string().regex(/^\d+$/),
  signature: z.string().min(1),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** `signature` = Base64 HMAC-SHA256(client secret, id + issued_at): the answer came from Salesforce for our app. */
export function signatureMatches(response: TokenResponse, clientSecret: string): boolean {
  const expected = crypto.createHmac('sha256', clientSecret).update(response.id + response.issued_at).digest();
  const given = Buffer.from(response.signature, 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The org and user of an identity URL `…/id/<orgId>/<userId>`, as 18-character ids. */
export function identityOf(identityUrl: string): { orgId: string; userId: string } | undefined {
  const [orgId, userId] = new URL(identityUrl).pathname.split('/').slice(-2).map((part) => toId18(part));
  return orgId && userId ? { orgId, userId } : undefined;
}

/**
 * What jsforce throws at the token endpoint, as our error: it names the error after OAuth's `error` (invalid_grant …),
 * or ERROR_HTTP_<status> without a body; 5xx and unnamed failures (the network) are worth a retry, the rest is refused.
 * `invalid_grant` means a dead refresh token (an admin must reconnect) but only a spent or wrong code in an exchange.
 */
export function tokenEndpointError(thrown: unknown, grant: 'authorization_code' | 'refresh_token'): SalesforceError {
  const name = thrown instanceof Error ? thrown.name : '';
  const message = (thrown instanceof Error ? thrown.message : String(thrown)).slice(0, 300);
  if (grant === 'refresh_token' && name === 'invalid_grant') return { code: 'INVALID_GRANT', message: `invalid_grant: ${message}` };
  const code = /^ERROR_HTTP_5\d\d$/.test(name) || !name.includes('_') ? 'PLATFORM_UNAVAILABLE' : 'VALIDATION';
  return { code, message: grant === 'refresh_token' ? `Salesforce refused the refresh (${name}): ${message}` : `${name || 'error'}: ${message}` };
}
