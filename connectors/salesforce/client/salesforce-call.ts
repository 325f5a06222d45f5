import { Connection, OAuth2 } from 'jsforce';
import type { Installation } from '../../../core/connectors/contract';
import { withFreshToken } from '../../../core/connectors/fresh-token';
import { withTimeout } from '../../../core/connectors/with-timeout';
import { salesforceOAuthAppFromEnv, type SalesforceOAuthApp } from '../oauth/oauth-app';
import { tokenEndpointError, tokenResponseSchema, type TokenResponse } from '../oauth/token-response';
import { SALESFORCE_API_VERSION } from '../salesforce-id';
import type { SalesforceError, SalesforceResult } from '../salesforce-result';
import type { SalesforceConfig, SalesforceCredentials } from '../salesforce-settings';
import { salesforceErrorOf } from './salesforce-errors';

export type SalesforceInstallation = Installation<SalesforceConfig, SalesforceCredentials>;

export interface SalesforceCallOptions {
  /** The External Client App; read from SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET when absent. */
  app?: SalesforceOAuthApp;
  timeoutMs?: number;
  /**
   * How long an org whose daily API quota is spent rests before it is tried again. Salesforce's window rolls
   * over 24 hours and says nothing of when calls free up (§6), so the sync engine pauses the org this long
   * (costing no attempt) and the next call is the probe. `SALESFORCE_QUOTA_RETRY_MS`, default 15 minutes.
   */
  quotaRetryMs?: number;
  now?: () => number;
}

const defaultTimeoutMs = 30_000;

export function quotaRetryMs(options: SalesforceCallOptions = {}): number {
  const configured = Number(process.env.SALESFORCE_QUOTA_RETRY_MS);
  return options.quotaRetryMs ?? (Number.isInteger(configured) && configured > 0 ? configured : 15 * 60_000);
}

/**
 * What this process last knew of an installation's credentials: after a refresh the new pair (and maybe a new
 * instance URL) is the one for the rest of the job.
 */
const latest = new WeakMap<SalesforceInstallation, SalesforceCredentials>();

export function currentCredentials(installation: SalesforceInstallation): SalesforceCredentials {
  return latest.get(installation) ?? installation.credentials;
}

/**
 * One Salesforce API call as a value (reference §1.6, §6). The jsforce Connection gets no OAuth client, so
 * jsforce never refreshes by itself (its refresh drops rotated refresh tokens, §1.6); instead a 401
 * INVALID_SESSION_ID refreshes under the installation's row lock and the call is retried once (`withFreshToken`).
 * Every failure is a `SalesforceError`: REQUEST_LIMIT_EXCEEDED (a 403: Salesforce has no 429) is RATE_LIMITED
 * with the quota pause. jsforce retries GETs on 5xx and socket errors by itself; writes are the caller's to retry.
 */
export async function callSalesforce<T>(
  installation: SalesforceInstallation, call: (conn: Connection) => PromiseLike<T>, options: SalesforceCallOptions = {},
): Promise<SalesforceResult<T>> {
  return withFreshToken<T, SalesforceCredentials, SalesforceError>({
    current: () => currentCredentials(installation),
    tokenOf: (c) => (c.refreshRefusedAt === undefined ? { ok: true, value: c.accessToken } : { ok: false, error: grantRefused(c.refreshRefusedAt) }),
    // No expiry is given (§1.5): the 401 is the signal.
    expiresSoon: () => false,
    refreshIf: (stale) => refreshUnderLock(installation, stale, options),
    isUnauthorized: (error) => error.code === 'UNAUTHORIZED',
  }, async (accessToken) => {
    const conn = new Connection({ instanceUrl: currentCredentials(installation).instanceUrl, accessToken, version: SALESFORCE_API_VERSION });
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    try {
      return { ok: true, value: await withTimeout(Promise.resolve(call(conn)), timeoutMs, `Salesforce did not answer within ${timeoutMs} ms`) };
    } catch (thrown) {
      return { ok: false, error: salesforceErrorOf(thrown, quotaRetryMs(options)) };
    }
  });
}

/**
 * Refreshes the org's token (§1.5) while holding the installation's row lock, if `stale(stored)` still holds for
 * what is stored then; otherwise another worker refreshed first and its token is used. The rotated refresh token
 * is saved in the same transaction (§1.2: spending a retired one revokes the whole family).
 */
export async function refreshUnderLock(
  installation: SalesforceInstallation, stale: (stored: SalesforceCredentials) => boolean, options: SalesforceCallOptions = {},
): Promise<SalesforceResult<string>> {
  const now = options.now ?? Date.now;
  let failure: SalesforceError | undefined;
  const stored = await installation.updateCredentials(async (atLock) => {
    if (atLock.refreshRefusedAt !== undefined || !stale(atLock)) return null;
    const app = options.app ?? salesforceOAuthAppFromEnv();
    if (app === undefined) {
      failure = { code: 'PLATFORM_UNAVAILABLE', message: 'SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET are not set, so Threadline cannot refresh Salesforce tokens' };
      return null;
    }
    const refreshed = await refreshGrant(app, atLock);
    if (refreshed.ok) {
      const { access_token: accessToken, refresh_token: refreshToken, instance_url: instanceUrl } = refreshed.value;
      return { ...atLock, accessToken, refreshToken: refreshToken ?? atLock.refreshToken, instanceUrl, refreshedAt: new Date(now()).toISOString() };
    }
    failure = refreshed.error;
    // Kept, so every other caller stops at once instead of spending the dead token again.
    return refreshed.error.code === 'INVALID_GRANT' ? { ...atLock, refreshRefusedAt: new Date(now()).toISOString() } : null;
  });
  latest.set(installation, stored);
  if (stored.refreshRefusedAt !== undefined) {
    if (failure?.code === 'INVALID_GRANT') await installation.requireReinstall(`Salesforce refused the refresh token: ${failure.message}`);
    return { ok: false, error: failure ?? grantRefused(stored.refreshRefusedAt) };
  }
  if (failure) return { ok: false, error: failure };
  return { ok: true, value: stored.accessToken };
}

/** The refresh grant at the login host the org connected through (§1.5, §1.6), with the client secret. */
async function refreshGrant(app: SalesforceOAuthApp, credentials: SalesforceCredentials): Promise<SalesforceResult<TokenResponse>> {
  const oauth2 = new OAuth2({ clientId: app.clientId, clientSecret: app.clientSecret, loginUrl: credentials.loginUrl });
  try {
    const parsed = tokenResponseSchema.safeParse(await oauth2.refreshToken(credentials.refreshToken));
    if (!parsed.success) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'Salesforce answered the refresh without an access token and instance URL' } };
    return { ok: true, value: parsed.data };
  } catch (thrown) {
    return { ok: false, error: tokenEndpointError(thrown, 'refresh_token') };
  }
}

function grantRefused(since: string): SalesforceError {
  return { code: 'INVALID_GRANT', message: `Salesforce refused Threadline's refresh token on ${since} (revoked, idle for 30 days, or the app was removed): an admin must connect the org again` };
}
