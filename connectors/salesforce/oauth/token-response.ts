import crypto from 'node:crypto';
import { z } from 'zod';
import { toId18 } from '../salesforce-ids';

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
