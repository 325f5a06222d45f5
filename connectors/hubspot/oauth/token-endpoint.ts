import { z } from 'zod';
import type { HubSpotError, HubSpotResult } from '../hubspot-result';
import type { HubSpotOAuthApp } from './oauth-app';

/**
 * HubSpot's 2026-03 OAuth endpoints (reference §1.2, §1.3) with plain fetch, form-encoded: the SDK's
 * helpers still call `/oauth/v1/*`, deprecated on 2027-02-16 (§8.4).
 */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  hub_id: z.number().int().positive().optional(),
  user_id: z.number().int().positive().optional(),
  // [U] the spec names `scopes` without saying array or space-separated string: take both.
  scopes: z.union([z.array(z.string()), z.string().transform((s) => s.split(/\s+/).filter(Boolean))]).optional(),
});

const introspection = z.object({
  active: z.boolean(),
  hub_id: z.number().int().positive().optional(),
  user_id: z.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
});

const errorBody = z.object({ message: z.string().optional(), category: z.string().optional(), subCategory: z.string().optional(), correlationId: z.string().optional() });

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Measured from when the request started, so a slow answer never makes a token look fresher than it is. */
  expiresAt: Date;
  portalId: number | undefined;
  /** The HubSpot user who authorised (`user_id`, optional in the answer like `hub_id`, §1.2). */
  userId: number | undefined;
  scopes: string[] | undefined;
}

/** Whose token this is, when the token answer did not say (§1.3). */
export interface TokenOwner {
  portalId: number;
  userId: number | undefined;
  scopes: string[];
}

const timeoutMs = 10_000;

export async function exchangeCode(
  app: HubSpotOAuthApp, input: { code: string; redirectUri: string; codeVerifier?: string }, now: () => number = Date.now,
): Promise<HubSpotResult<TokenGrant>> {
  const grant: Record<string, string> = { grant_type: 'authorization_code', code: input.code, redirect_uri: input.redirectUri };
  if (input.codeVerifier !== undefined) grant.code_verifier = input.codeVerifier;
  return requestGrant(app, grant, now);
}

/** HubSpot may return the same refresh token or a new one: the caller stores whatever comes back. */
export async function refreshGrant(app: HubSpotOAuthApp, refreshToken: string, now: () => number = Date.now): Promise<HubSpotResult<TokenGrant>> {
  return requestGrant(app, { grant_type: 'refresh_token', refresh_token: refreshToken }, now);
}

/** The portal, user and scopes of an access token, when the token answer lacked them (§1.3). */
export async function introspectToken(app: HubSpotOAuthApp, accessToken: string): Promise<HubSpotResult<TokenOwner>> {
  const answer = await postForm(app, '/oauth/2026-03/token/introspect', { token: accessToken, token_type_hint: 'access_token' });
  if (!answer.ok) return answer;
  const parsed = introspection.safeParse(answer.value);
  if (!parsed.success) return badResponse('introspection', parsed.error.message);
  if (!parsed.data.active || parsed.data.hub_id === undefined) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'HubSpot says the new access token is not active' } };
  return { ok: true, value: { portalId: parsed.data.hub_id, userId: parsed.data.user_id, scopes: parsed.data.scopes ?? [] } };
}

async function requestGrant(app: HubSpotOAuthApp, grant: Record<string, string>, now: () => number): Promise<HubSpotResult<TokenGrant>> {
  const startedAt = now();
  const answer = await postForm(app, '/oauth/2026-03/token', grant);
  if (!answer.ok) return answer;
  const parsed = tokenResponse.safeParse(answer.value);
  if (!parsed.success) return badResponse('token', parsed.error.message);
  const t = parsed.data;
  return { ok: true, value: { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: new Date(startedAt + t.expires_in * 1000), portalId: t.hub_id, userId: t.user_id, scopes: t.scopes } };
}

async function postForm(app: HubSpotOAuthApp, path: string, fields: Record<string, string>): Promise<HubSpotResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(`${app.apiBase}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...fields, client_id: app.clientId, client_secret: app.clientSecret }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: `HubSpot's token endpoint did not answer: ${(error as Error).message}` } };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok) return body === undefined ? badResponse('token', `not JSON (HTTP ${response.status})`) : { ok: true, value: body };
  return { ok: false, error: tokenError(response.status, body) };
}

/**
 * A refused refresh token (BAD_REFRESH_TOKEN: uninstalled, revoked) is INVALID_GRANT, final; a refused code
 * or client is VALIDATION (a bug or a misconfiguration, not worth retrying); 5xx and 429 are worth a retry.
 */
function tokenError(status: number, body: unknown): HubSpotError {
  const parsed = errorBody.safeParse(body);
  const detail = parsed.success ? parsed.data : {};
  const base = { status, message: `HubSpot refused the token request (HTTP ${status}${detail.subCategory ? `, ${detail.subCategory}` : ''}): ${detail.message ?? 'no message'}`, category: detail.category, subCategory: detail.subCategory, correlationId: detail.correlationId };
  if (detail.subCategory === 'BAD_REFRESH_TOKEN') return { ...base, code: 'INVALID_GRANT' };
  if (status === 429) return { ...base, code: 'RATE_LIMITED', retryAfterMs: 10_000 };
  if (status >= 500) return { ...base, code: 'PLATFORM_UNAVAILABLE' };
  return { ...base, code: 'VALIDATION' };
}

function badResponse(what: string, detail: string): HubSpotResult<never> {
  return { ok: false, error: { code: 'BAD_RESPONSE', message: `Unexpected HubSpot ${what} answer: ${detail}` } };
}
