import type { Installation } from '../../core/connectors/contract';
import { withFreshToken } from '../../core/connectors/fresh-token';
import type { HubSpotError, HubSpotResult } from './hubspot-result';
import type { HubSpotConfig, HubSpotCredentials } from './hubspot-settings';
import { hubspotOAuthAppFromEnv, type HubSpotOAuthApp } from './oauth/oauth-app';
import { refreshGrant } from './oauth/token-endpoint';

type HubSpotInstallation = Installation<HubSpotConfig, HubSpotCredentials>;

/** HubSpot: refresh ahead of expiry, e.g. 5 minutes early, never wait for a 401 (reference §1.2). */
export const refreshMarginMs = 5 * 60_000;

export interface AccessTokenOptions {
  /** The OAuth app; read from HUBSPOT_CLIENT_ID / HUBSPOT_CLIENT_SECRET / HUBSPOT_API_BASE when absent. */
  app?: HubSpotOAuthApp;
  /** The clock deciding expiry (tests follow the fake's). */
  now?: () => number;
}

/**
 * What this process last knew of an installation's credentials: `installation.credentials` is what was
 * loaded when the job started; after a refresh the new pair is the one for the rest of the job.
 */
const latest = new WeakMap<HubSpotInstallation, HubSpotCredentials>();

/**
 * Calls HubSpot with a fresh access token. It is refreshed first when it expires within 5 minutes; a 401
 * anyway refreshes once more (only if the stored token is still the one HubSpot refused) and retries once.
 * Refreshes run under the installation's row lock (`updateCredentials`), so across workers and processes
 * one caller refreshes and the others use the pair it saved, rotated or not. A refused refresh token
 * (uninstalled in HubSpot, revoked) is recorded in the credentials and answered as INVALID_GRANT from then
 * on without calling HubSpot: error rates count for certification (§1.5); an admin must re-install.
 */
export async function withAccessToken<T>(
  installation: HubSpotInstallation, call: (accessToken: string) => Promise<HubSpotResult<T>>, options: AccessTokenOptions = {},
): Promise<HubSpotResult<T>> {
  const now = options.now ?? Date.now;
  return withFreshToken({
    current: () => current(installation),
    tokenOf: (c) => (c.refreshRefusedAt === undefined ? { ok: true, value: c.accessToken } : { ok: false, error: grantRefused(c.refreshRefusedAt) }),
    expiresSoon: (c) => expiresSoon(c, now()),
    refreshIf: (stale) => refreshUnderLock(installation, stale, options),
    isUnauthorized: (error) => error.code === 'UNAUTHORIZED',
  }, call);
}

/**
 * Refreshes while holding the row lock if `stale(stored)` still holds for what is stored now; otherwise
 * another caller refreshed already and its token is used. Resolves to the access token.
 */
async function refreshUnderLock(
  installation: HubSpotInstallation, stale: (stored: HubSpotCredentials) => boolean, options: AccessTokenOptions,
): Promise<HubSpotResult<string>> {
  const now = options.now ?? Date.now;
  let failure: HubSpotError | undefined;
  const stored = await installation.updateCredentials(async (atLock) => {
    if (atLock.refreshRefusedAt !== undefined || !stale(atLock)) return null;
    const app = options.app ?? hubspotOAuthAppFromEnv();
    if (app === undefined) {
      failure = { code: 'PLATFORM_UNAVAILABLE', message: 'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set, so Threadline cannot refresh HubSpot tokens' };
      return null;
    }
    const grant = await refreshGrant(app, atLock.refreshToken, now);
    if (grant.ok) {
      return { accessToken: grant.value.accessToken, refreshToken: grant.value.refreshToken, accessTokenExpiresAt: grant.value.expiresAt.toISOString() };
    }
    failure = grant.error;
    // Kept, so every other caller stops at once instead of asking HubSpot again.
    return grant.error.code === 'INVALID_GRANT' ? { ...atLock, refreshRefusedAt: new Date(now()).toISOString() } : null;
  });
  latest.set(installation, stored);
  if (stored.refreshRefusedAt !== undefined) {
    // Uninstalled in HubSpot (or the grant revoked): no more events or calls until an admin installs it again.
    if (failure?.code === 'INVALID_GRANT') await installation.requireReinstall(`HubSpot refused the refresh token: ${failure.message}`);
    return { ok: false, error: failure ?? grantRefused(stored.refreshRefusedAt) };
  }
  if (failure) return { ok: false, error: failure };
  return { ok: true, value: stored.accessToken };
}

/** True when the credentials say HubSpot refused the refresh token: the installation needs a re-install. */
export function needsReinstall(credentials: HubSpotCredentials): boolean {
  return credentials.refreshRefusedAt !== undefined;
}

function current(installation: HubSpotInstallation): HubSpotCredentials {
  return latest.get(installation) ?? installation.credentials;
}

function expiresSoon(credentials: HubSpotCredentials, now: number): boolean {
  return Date.parse(credentials.accessTokenExpiresAt) - now < refreshMarginMs;
}

function grantRefused(since: string): HubSpotError {
  return { code: 'INVALID_GRANT', message: `HubSpot refused Threadline's refresh token on ${since} (the app was uninstalled in HubSpot, or its access revoked): an admin must install Threadline in HubSpot again` };
}
