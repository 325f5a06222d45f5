import type { Installation } from '../../core/connectors/contract';
import { withFreshToken } from '../../core/connectors/fresh-token';
import { refreshAccessToken, zendeskClientConfigFromEnv, type ZendeskClientConfig, type ZendeskError, type ZendeskResult } from './client';
import type { ZendeskConfig, ZendeskCredentials } from './zendesk-settings';

type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;

/** A token this close to its end is refreshed first, so it cannot expire between our check and Zendesk's. */
const refreshMarginMs = 60_000;

export interface RestTokenOptions {
  /** The global OAuth client; read from ZENDESK_CLIENT_ID / ZENDESK_CLIENT_SECRET / ZENDESK_API_BASE when absent. */
  oauth?: ZendeskClientConfig;
  now?: () => number;
}

/**
 * What this process last knew of an installation's credentials. `installation.credentials` is what was
 * loaded when the job started; after a refresh the new pair is the one to use for the rest of the job.
 */
const latest = new WeakMap<ZendeskInstallation, ZendeskCredentials>();

/** The installation has no REST OAuth pair yet (the install flow has not stored one). */
export function hasRestToken(installation: ZendeskInstallation): boolean {
  return current(installation).accessToken !== undefined;
}

/**
 * Calls the REST API with a fresh access token: refreshed first when it expires within a minute, and on a
 * 401 refreshed once more (only if the stored token is still the one Zendesk refused) and the call retried
 * once. Refreshes go through `updateCredentials`, so across every worker and process one caller spends the
 * rotating refresh token and the others use the pair it saved (reference §3). INVALID_GRANT means the
 * refresh token is dead: an admin must re-authorise the account.
 */
export async function withRestToken<T>(
  installation: ZendeskInstallation, call: (accessToken: string) => Promise<ZendeskResult<T>>, options: RestTokenOptions = {},
): Promise<ZendeskResult<T>> {
  const now = options.now ?? Date.now;
  return withFreshToken({
    current: () => current(installation),
    tokenOf: (c) => (c.accessToken === undefined ? { ok: false, error: notAuthorised() } : { ok: true, value: c.accessToken }),
    expiresSoon: (c) => expiresSoon(c, now()),
    refreshIf: (stale) => refreshUnderLock(installation, stale, options),
    isUnauthorized: (error) => error.code === 'UNAUTHORIZED',
  }, call);
}

/**
 * Refreshes while holding the installation's row lock if `stale(stored)` still holds for what is stored
 * now; otherwise another caller refreshed already and its token is used. Resolves to the access token.
 */
async function refreshUnderLock(
  installation: ZendeskInstallation, stale: (stored: ZendeskCredentials) => boolean, options: RestTokenOptions,
): Promise<ZendeskResult<string>> {
  let failure: ZendeskError | undefined;
  const stored = await installation.updateCredentials(async (atLock) => {
    if (!stale(atLock)) return null;
    if (atLock.refreshToken === undefined) {
      failure = { code: 'INVALID_GRANT', message: 'Zendesk refused the access token and there is no refresh token' };
      return null;
    }
    const oauth = options.oauth ?? oauthClientFromEnv();
    if (oauth === undefined) {
      failure = { code: 'PLATFORM_UNAVAILABLE', message: 'ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET are not set, so Threadline cannot refresh Zendesk tokens' };
      return null;
    }
    const pair = await refreshAccessToken(oauth, { subdomain: installation.config.subdomain, refreshToken: atLock.refreshToken }, options.now);
    if (!pair.ok) {
      failure = pair.error;
      return null;
    }
    // Saved and committed before anyone uses it: Zendesk has already deleted the old pair.
    return {
      ...atLock,
      accessToken: pair.value.accessToken,
      refreshToken: pair.value.refreshToken ?? atLock.refreshToken,
      accessTokenExpiresAt: pair.value.expiresAt?.toISOString(),
    };
  });
  latest.set(installation, stored);
  if (failure) return { ok: false, error: failure };
  return stored.accessToken === undefined ? { ok: false, error: notAuthorised() } : { ok: true, value: stored.accessToken };
}

function oauthClientFromEnv(): ZendeskClientConfig | undefined {
  try {
    return zendeskClientConfigFromEnv(process.env);
  } catch {
    return undefined;
  }
}

function current(installation: ZendeskInstallation): ZendeskCredentials {
  return latest.get(installation) ?? installation.credentials;
}

function expiresSoon(credentials: ZendeskCredentials, now: number): boolean {
  if (credentials.accessTokenExpiresAt === undefined) return false;
  return Date.parse(credentials.accessTokenExpiresAt) - now < refreshMarginMs;
}

function notAuthorised(): ZendeskError {
  return { code: 'UNAUTHORIZED', message: 'Threadline has no Zendesk REST token for this account: an admin must authorise it' };
}
