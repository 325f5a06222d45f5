import { Client } from '@hubspot/api-client';
import { withAccessToken } from '../access-token';
import type { HubSpotError, HubSpotResult } from '../hubspot-result';
import { hubspotApiBase } from '../hubspot-settings';
import type { HubSpotInstallation } from './portal-installation';

/** What the SDK's generated APIs throw (`ApiException`): the status and HubSpot's error body. */
function errorOf(err: unknown): HubSpotError {
  const status = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : undefined;
  const body = (err as { body?: { message?: unknown; category?: unknown } }).body;
  const message = typeof body?.message === 'string' ? body.message : String(err);
  const category = typeof body?.category === 'string' ? body.category : undefined;
  const detail = { message, ...(status === undefined ? {} : { status }), ...(category === undefined ? {} : { category }) };
  if (status === undefined || status >= 500) return { code: 'PLATFORM_UNAVAILABLE', ...detail };
  if (status === 401) return { code: 'UNAUTHORIZED', ...detail };
  if (status === 403) return { code: 'FORBIDDEN', ...detail };
  if (status === 404) return { code: 'NOT_FOUND', ...detail };
  // HubSpot sends no Retry-After (§7.5): its rolling window is 10 s.
  if (status === 429) return { code: 'RATE_LIMITED', retryAfterMs: 10_000, ...detail };
  return { code: 'VALIDATION', ...detail };
}

/**
 * One SDK call for an installation, with a fresh token (HS1's `withAccessToken`), its failure as a value.
 * Used for the card's and the workflow action's few interactive calls, which are not retried: the person
 * (or HubSpot's own retry of the action) tries again. When HS2's client lands, these calls move onto it.
 */
export function sdkCall<T>(installation: HubSpotInstallation, call: (client: Client) => Promise<T>): Promise<HubSpotResult<T>> {
  return withAccessToken(installation, async (accessToken) => {
    try {
      return { ok: true, value: await call(new Client({ accessToken, basePath: hubspotApiBase() })) };
    } catch (err) {
      return { ok: false, error: errorOf(err) };
    }
  });
}
