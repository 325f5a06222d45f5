import crypto from 'node:crypto';
import { OAuth2 } from 'jsforce';
import type { SalesforceResult } from '../salesforce-result';
import type { SalesforceOAuthApp } from './oauth-app';
import { signatureMatches, tokenEndpointError, tokenResponseSchema, type TokenResponse } from './token-response';

/** `api` for the REST and Connect APIs, `refresh_token` for the keep-alive and every later call (reference §1.3). */
export const SCOPES = 'api refresh_token';

/**
 * A PKCE verifier of our own (§1.6: not jsforce's `useVerifier`, whose 171 characters exceed RFC 7636's 128):
 * 48 random bytes, 64 base64url characters.
 */
export function newCodeVerifier(): string {
  return crypto.randomBytes(48).toString('base64url');
}

function oauth2(app: SalesforceOAuthApp, loginUrl: string, redirectUri: string): OAuth2 {
  return new OAuth2({ clientId: app.clientId, clientSecret: app.clientSecret, redirectUri, loginUrl });
}

/** The authorize page at the login host the admin chose, with the S256 challenge jsforce does not send itself (§1.3, §1.6). */
export function authorizeUrl(app: SalesforceOAuthApp, input: { loginUrl: string; redirectUri: string; state: string; codeVerifier: string }): string {
  return oauth2(app, input.loginUrl, input.redirectUri).getAuthorizationUrl({
    scope: SCOPES,
    state: input.state,
    code_challenge: crypto.createHash('sha256').update(input.codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    // The admin picks the org to connect, rather than whichever session the browser holds.
    prompt: 'login',
  });
}

/**
 * The code exchange at the same login host (§1.3): code, verifier and client secret. The answer must be signed
 * with our consumer secret (`signature`, §1.4) and carry a refresh token, or the org cannot stay connected.
 */
export async function exchangeCode(
  app: SalesforceOAuthApp, input: { loginUrl: string; redirectUri: string; code: string; codeVerifier: string },
): Promise<SalesforceResult<TokenResponse & { refresh_token: string }>> {
  let answer: unknown;
  try {
    answer = await oauth2(app, input.loginUrl, input.redirectUri).requestToken(input.code, { code_verifier: input.codeVerifier });
  } catch (thrown) {
    return { ok: false, error: tokenEndpointError(thrown, 'authorization_code') };
  }
  const parsed = tokenResponseSchema.safeParse(answer);
  if (!parsed.success) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the token answer lacks an access token, instance URL, identity URL or signature' } };
  if (!signatureMatches(parsed.data, app.clientSecret)) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the token answer is not signed with Threadline\'s consumer secret' } };
  const { refresh_token: refreshToken } = parsed.data;
  if (refreshToken === undefined) return { ok: false, error: { code: 'FORBIDDEN', message: 'Salesforce granted no refresh token: the app\'s policy in this org must allow the refresh_token scope' } };
  return { ok: true, value: { ...parsed.data, refresh_token: refreshToken } };
}
