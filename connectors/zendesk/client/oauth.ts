import { z } from 'zod';
import { accountBaseUrl, type ZendeskClientConfig } from './config';
import { fail, ok, type ZendeskResult } from './errors';
import { requestJson } from './http';

/**
 * The global OAuth client's token endpoint, `POST /oauth/tokens` (reference §3), with plain fetch: it is
 * outside /api/v2, where node-zendesk's base URL points. Since 2026-02 tokens expire (30 min by default)
 * and every refresh returns a new refresh token and deletes the old pair, so the caller must persist the
 * returned pair before using it, and refresh one at a time per account.
 */
const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  scope: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().positive().optional(),
  refresh_token_expires_in: z.number().int().positive().optional(),
});

export interface TokenPair {
  accessToken: string;
  /** Undefined only for a grant that issued no refresh token (a non-expiring legacy token). */
  refreshToken: string | undefined;
  scopes: string[];
  /** Undefined when the token does not expire. */
  expiresAt: Date | undefined;
  refreshTokenExpiresAt: Date | undefined;
}

export interface ExchangeCodeInput {
  subdomain: string;
  code: string;
  redirectUri: string;
  codeVerifier?: string;
  /** Seconds, 300..172800; Zendesk's default otherwise. */
  expiresIn?: number;
  refreshTokenExpiresIn?: number;
}

export interface RefreshInput {
  subdomain: string;
  refreshToken: string;
  expiresIn?: number;
  refreshTokenExpiresIn?: number;
}

export async function exchangeAuthorizationCode(config: ZendeskClientConfig, input: ExchangeCodeInput, now = () => Date.now()): Promise<ZendeskResult<TokenPair>> {
  return requestToken(config, input.subdomain, now, {
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
    expires_in: input.expiresIn,
    refresh_token_expires_in: input.refreshTokenExpiresIn,
  });
}

/** One rotation. INVALID_GRANT means the refresh token is spent or expired: the account must re-authorise. */
export async function refreshAccessToken(config: ZendeskClientConfig, input: RefreshInput, now = () => Date.now()): Promise<ZendeskResult<TokenPair>> {
  return requestToken(config, input.subdomain, now, {
    grant_type: 'refresh_token',
    refresh_token: input.refreshToken,
    expires_in: input.expiresIn,
    refresh_token_expires_in: input.refreshTokenExpiresIn,
  });
}

async function requestToken(config: ZendeskClientConfig, subdomain: string, now: () => number, grant: Record<string, string | number | undefined>): Promise<ZendeskResult<TokenPair>> {
  const startedAt = now();
  const answer = await requestJson(`${accountBaseUrl(config.apiBase, subdomain)}/oauth/tokens`, {
    method: 'POST',
    body: { ...grant, client_id: config.clientId, client_secret: config.clientSecret },
    timeoutMs: config.timeoutMs,
  });
  if (!answer.ok) return answer;
  const parsed = tokenResponse.safeParse(answer.value.body);
  if (!parsed.success) return fail({ code: 'BAD_RESPONSE', message: `Unexpected token response: ${parsed.error.message}`, status: answer.value.status });
  const t = parsed.data;
  // Measured from when the request started, so a slow answer never makes a token look fresher than it is.
  const at = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(startedAt + seconds * 1000));
  return ok({
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    scopes: (t.scope ?? '').split(/\s+/).filter((s) => s !== ''),
    expiresAt: at(t.expires_in),
    refreshTokenExpiresAt: at(t.refresh_token_expires_in),
  });
}
