import type OAuth2Strategy from 'passport-oauth2';
import { z } from 'zod';
import type { ConsoleSignInProvider, IdentifyResult } from '../../core/auth/console-sign-in';
import { HubSpotOAuthStrategy } from './oauth/hubspot-oauth-strategy';
import type { HubSpotOAuthApp } from './oauth/oauth-app';
import { APP_OPTIONAL_SCOPES, USERS_READ_SCOPE } from './oauth/scopes';
import { introspectToken } from './oauth/token-endpoint';

/** What HubSpotOAuthStrategy hands passport: the token grant, with whose token it is when the answer said (§1.2). */
const signInGrant = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  portalId: z.number().int().positive().optional(),
  userId: z.number().int().positive().optional(),
  scopes: z.array(z.string()).optional(),
});
/** `GET /settings/users/2026-03/{userId}` (HubSpot user provisioning API). */
const settingsUser = z.object({ id: z.string(), email: z.string(), firstName: z.string().nullish(), lastName: z.string().nullish(), superAdmin: z.boolean() });
const timeoutMs = 10_000;

/** The install's strategy, asking in addition for the users scope; the required `scope` must stay the app's own (§1.1). */
class HubSpotSignInStrategy extends HubSpotOAuthStrategy {
  override authorizationParams(): Record<string, string> {
    return { optional_scope: APP_OPTIONAL_SCOPES.join(' ') };
  }
}

/**
 * Console sign-in with a HubSpot user: the app's authorize page (the same flow as the install, PKCE included); the
 * portal, user and scopes from the token answer (`hub_id`, `user_id`, `scopes`), or from introspection when the
 * answer lacks one (all three are optional, §1.2); then that user's settings. Role: a Super Admin of the
 * portal → admin (the same users HubSpot lets install apps, §1.1), anyone else → viewer. The refresh token is
 * revoked at once; the access token dies on its own within 30 minutes (revoking it is not offered, §1.3).
 */
export function hubspotConsoleSignIn(app: HubSpotOAuthApp): ConsoleSignInProvider {
  return {
    connector: 'hubspot',
    label: 'HubSpot',
    accountNoun: 'HubSpot portal',
    installHint: 'A Super Admin of the portal installs Threadline from the HubSpot App Marketplace with a connect code from a Threadline admin; then sign in again.',
    begin: () => ({ ok: true, start: { account: '', data: {}, destination: new URL(app.authBase).host, query: {} } }),
    strategy: (_start, callbackUrl, store: OAuth2Strategy.StateStore) => new HubSpotSignInStrategy(app, callbackUrl, store),
    async identify(grant): Promise<IdentifyResult> {
      const token = signInGrant.parse(grant);
      try {
        return await whoIs(app, token);
      } finally {
        await call(app, 'POST', '/oauth/2026-03/token/revoke', { form: { token: token.refreshToken, token_type_hint: 'refresh_token' } });
      }
    },
    installationAccount: (portalId) => ({ exact: portalId }),
  };
}

async function whoIs(app: HubSpotOAuthApp, token: z.infer<typeof signInGrant>): Promise<IdentifyResult> {
  const { accessToken } = token;
  let { portalId, userId, scopes } = token;
  if (portalId === undefined || userId === undefined || scopes === undefined) {
    const introspected = await introspectToken(app, accessToken);
    if (!introspected.ok) return { ok: false, code: introspected.error.code, message: `HubSpot did not say which portal and user signed in: ${introspected.error.message}` };
    portalId ??= introspected.value.portalId;
    userId ??= introspected.value.userId;
    scopes ??= introspected.value.scopes;
  }
  if (userId === undefined) return { ok: false, code: 'BAD_RESPONSE', message: 'HubSpot did not say which user signed in' };
  const base = { accountId: String(portalId), userId: String(userId) };
  if (!scopes.includes(USERS_READ_SCOPE)) return { ok: true, user: { ...base, displayName: `HubSpot user ${userId}`, role: 'viewer' } };
  const answer = await call(app, 'GET', `/settings/users/2026-03/${userId}`, { bearer: accessToken });
  const user = settingsUser.safeParse(answer.body);
  if (answer.status !== 200 || !user.success) {
    return { ok: false, code: answer.status === 403 ? 'FORBIDDEN' : 'BAD_RESPONSE', message: `HubSpot did not show the user's settings (HTTP ${answer.status})` };
  }
  const { firstName, lastName, email, superAdmin } = user.data;
  const displayName = [firstName, lastName].filter(Boolean).join(' ') || email;
  return { ok: true, user: { ...base, displayName, role: superAdmin ? 'admin' : 'viewer' } };
}

/** One call on HUBSPOT_API_BASE; OAuth endpoints take the client's credentials in the form (§1.2). Network failures read as status 0. */
async function call(app: HubSpotOAuthApp, method: 'GET' | 'POST', path: string, auth: { form: Record<string, string> } | { bearer: string }): Promise<{ status: number; body: unknown }> {
  const init: RequestInit = 'form' in auth
    ? { method, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ ...auth.form, client_id: app.clientId, client_secret: app.clientSecret }) }
    : { method, headers: { authorization: `Bearer ${auth.bearer}`, accept: 'application/json' } };
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${app.apiBase}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch {
    return { status: 0, body: undefined };
  }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: undefined };
  }
}
