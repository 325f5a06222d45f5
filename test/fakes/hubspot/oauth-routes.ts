import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { HubSpotFakeState } from './fake-state';
import { sendError } from './http-helpers';
import { oauthError } from './hubspot-errors';
import type { AccessToken, RefreshToken } from './oauth-store';

const scopeList = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(/[\s+]+/).filter((s) => s !== ''));

const authorizeQuery = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  scope: scopeList,
  optional_scope: scopeList,
  state: z.string().optional(),
});

/** HubSpot's install error page: the browser stays on HubSpot, nothing reaches redirect_uri (§1.1). */
function installFailed(res: Response, reason: string): void {
  res.status(400).type('text/html').send(`<html><body><h1>Couldn't complete the connection</h1><p>${reason}</p></body></html>`);
}

/**
 * The authorize page on the auth base (`/oauth/authorize`, `/oauth/{accountId}/authorize`, §1.1): the installing
 * user consents at once and is sent to `redirect_uri?code&state`. The portal is the pinned account, else
 * `state.installingPortalId`. Granted scopes: the required ones, plus each optional one the portal's tier allows.
 */
export function authorizeRouter(state: HubSpotFakeState): express.Router {
  const router = express.Router();
  const authorize = (req: Request<{ accountId?: string }>, res: Response) => {
    const query = authorizeQuery.safeParse(req.query);
    if (!query.success) return installFailed(res, 'The install link is missing client_id or redirect_uri.');
    const { client_id: clientId, redirect_uri: redirectUri, scope, optional_scope: optionalScope } = query.data;
    const app = state.app;
    if (clientId !== app.clientId) return installFailed(res, 'Invalid client id.');
    if (!app.redirectUrls.includes(redirectUri)) return installFailed(res, `Authorization failed as the redirect URL '${redirectUri}' doesn't match the app's registered redirect URL.`);
    const configured = new Set([...app.requiredScopes, ...app.optionalScopes]);
    if ([...scope, ...optionalScope].some((s) => !configured.has(s))) return installFailed(res, "The app developer doesn't have permissions to request the set of scopes.");
    if (app.requiredScopes.some((s) => !scope.includes(s))) return installFailed(res, 'Authorization failed because the provided scopes are insufficient.');
    const portalId = req.params.accountId === undefined ? state.installingPortalId : Number(req.params.accountId);
    const portal = portalId === undefined ? undefined : state.portals.get(portalId);
    if (!portal) return installFailed(res, 'You do not have access to this account.');
    const grantable = (s: string) => portal.grantableScopes === undefined || portal.grantableScopes.includes(s);
    if (scope.some((s) => !grantable(s))) return installFailed(res, "This account's subscription does not include every scope the app requires.");
    const user = portal.users.get(portal.signingInUserId ?? portal.userId);
    if (!user) return installFailed(res, 'You do not have access to this account.');
    // §1.1: installing takes a Super Admin [U: App Marketplace Access is not modelled]; once installed, any user authorises.
    if (!portal.installed && !user.superAdmin) return installFailed(res, "You don't have permission to install apps in this account. Ask a Super Admin.");
    portal.installed = true;
    const code = state.oauth.issueCode({ portalId: portal.portalId, userId: user.id, redirectUri, scopes: [...scope, ...optionalScope.filter(grantable)] });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code.code);
    if (query.data.state !== undefined) target.searchParams.set('state', query.data.state);
    res.redirect(302, target.toString());
  };
  router.get('/oauth/authorize', authorize);
  router.get('/oauth/:accountId/authorize', authorize);
  return router;
}

const clientAuth = { client_id: z.string().min(1), client_secret: z.string().min(1) };
const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('authorization_code'), code: z.string().min(1), redirect_uri: z.string().min(1), ...clientAuth }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1), ...clientAuth }),
]);
const tokenOnly = z.object({ token: z.string().min(1), token_type_hint: z.enum(['access_token', 'refresh_token']).optional(), ...clientAuth });

/**
 * `POST /oauth/2026-03/token` (and `/oauth/v3/…`, same contract), `/token/introspect`, `/token/revoke` (§1.2, §1.3).
 * Form-encoded bodies only: parameters in the query string (v1 style) or JSON count as missing.
 */
export function tokenRouter(state: HubSpotFakeState): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false });
  const clientKnown = (res: Response, clientId: string, secret: string): boolean => {
    if (clientId !== state.app.clientId) {
      sendError(res, oauthError('BAD_CLIENT_ID'));
      return false;
    }
    if (!safeEqual(secret, state.app.clientSecret)) {
      sendError(res, oauthError('BAD_CLIENT_SECRET'));
      return false;
    }
    return true;
  };

  router.post('/token', form, (req: Request, res: Response) => {
    const failure = state.takeFailure('oauth', undefined);
    if (failure) return sendError(res, failure);
    const body: unknown = req.is('application/x-www-form-urlencoded') ? req.body : {};
    const grantType = z.object({ grant_type: z.string() }).safeParse(body);
    if (!grantType.success) return sendError(res, oauthError('MISSING_PARAMETER', 'grant_type'));
    const parsed = tokenRequest.safeParse(body);
    if (!parsed.success) {
      const known = grantType.data.grant_type === 'authorization_code' || grantType.data.grant_type === 'refresh_token';
      return sendError(res, known ? oauthError('MISSING_PARAMETER', parsed.error.issues.map((i) => i.path.join('.')).join(', ')) : oauthError('BAD_GRANT_TYPE'));
    }
    const request = parsed.data;
    if (!clientKnown(res, request.client_id, request.client_secret)) return;
    if (request.grant_type === 'authorization_code') {
      const code = state.oauth.takeCode(request.code);
      if (!code) return sendError(res, oauthError('BAD_AUTH_CODE'));
      if (code.redirectUri !== request.redirect_uri) return sendError(res, oauthError('BAD_REDIRECT_URI'));
      const grant = { portalId: code.portalId, userId: code.userId, scopes: code.scopes };
      return void res.status(200).json(tokenJson(state, state.oauth.issueAccessToken(grant), state.oauth.issueRefreshToken(grant)));
    }
    const refreshed = state.oauth.refresh(request.refresh_token);
    if (!refreshed) return sendError(res, oauthError('BAD_REFRESH_TOKEN'));
    res.status(200).json(tokenJson(state, refreshed.access, refreshed.refresh));
  });

  router.post('/token/introspect', form, (req: Request, res: Response) => {
    const parsed = tokenOnly.safeParse(req.is('application/x-www-form-urlencoded') ? req.body : {});
    if (!parsed.success) return sendError(res, oauthError('MISSING_PARAMETER', parsed.error.issues.map((i) => i.path.join('.')).join(', ')));
    if (!clientKnown(res, parsed.data.client_id, parsed.data.client_secret)) return;
    const { token } = parsed.data;
    const access = state.oauth.accessTokens.get(token);
    const refresh = state.oauth.refreshTokens.get(token);
    const base = { app_id: state.app.appId, client_id: state.app.clientId, is_private_distribution: false };
    if (access && access.expiresAt > state.now()) {
      return void res.status(200).json({
        active: true,
        ...base,
        token_use: 'access_token',
        hub_id: access.portalId,
        user_id: access.userId,
        scopes: access.scopes,
        expires_in: Math.ceil((access.expiresAt - state.now()) / 1000),
      });
    }
    if (refresh) return void res.status(200).json({ active: true, ...base, token_use: 'refresh_token', hub_id: refresh.portalId, user_id: refresh.userId, scopes: refresh.scopes });
    // RFC 7662: anything unknown, expired or revoked is just inactive.
    res.status(200).json({ active: false });
  });

  router.post('/token/revoke', form, (req: Request, res: Response) => {
    const parsed = tokenOnly.safeParse(req.is('application/x-www-form-urlencoded') ? req.body : {});
    if (!parsed.success) return sendError(res, oauthError('MISSING_PARAMETER', parsed.error.issues.map((i) => i.path.join('.')).join(', ')));
    if (!clientKnown(res, parsed.data.client_id, parsed.data.client_secret)) return;
    state.oauth.revoke(parsed.data.token);
    res.status(200).end();
  });

  return router;
}

/** The 2026-03 token answer: `hub_id` and `user_id` name the portal and user, so no metadata call is needed (§1.3). */
function tokenJson(state: HubSpotFakeState, access: AccessToken, refresh: RefreshToken): Record<string, unknown> {
  const answer: Record<string, unknown> = {
    access_token: access.token,
    refresh_token: refresh.token,
    expires_in: Math.round((access.expiresAt - state.now()) / 1000), // a fresh token: its TTL, whatever millisecond the answer is built in
    token_type: 'bearer',
    token_use: 'access_token',
    hub_id: access.portalId,
    user_id: access.userId,
    scopes: access.scopes,
  };
  for (const field of state.tokenAnswerOmits) delete answer[field];
  return answer;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
