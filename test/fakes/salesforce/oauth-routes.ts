import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FakeOrg } from './fake-org';
import type { SalesforceFakeState } from './fake-state';
import { bearerToken, originOf, sendError } from './http-helpers';
import type { AccessToken, LoginHost, RefreshToken } from './oauth-store';
import { oauthError } from './salesforce-errors';

/** The base URL of a login host on the fake: production `/`, sandbox `/sandbox`, My Domain `/domains/<name>`. */
export function loginBase(origin: string, host: LoginHost): string {
  if (host.kind === 'production') return origin;
  if (host.kind === 'sandbox') return `${origin}/sandbox`;
  return `${origin}/domains/${host.name}`;
}

export function instanceUrl(origin: string, orgId: string): string {
  return `${origin}/instances/${orgId}`;
}

/** Scopes that open the identity URL: `id` and its synonyms, `openid`, and `full`, which encompasses every scope (§1.3). */
const IDENTITY_SCOPES = ['id', 'profile', 'email', 'address', 'phone', 'openid', 'full'];

/** The requested scopes the app's ECA does not select. */
function scopesOutsideApp(state: SalesforceFakeState, requested: string[]): string[] {
  return requested.filter((s) => !state.app.scopes.includes(s));
}

const scopeList = (scope: string) => scope.split(/\s+/).filter((s) => s !== '');

/** Whether a user of this org can log in (and a token of it be refreshed) at this host. */
function servesOrg(host: LoginHost, org: FakeOrg): boolean {
  if (host.kind === 'myDomain') return org.myDomain === host.name;
  return org.sandbox === (host.kind === 'sandbox');
}

const authorizeQuery = z.object({
  response_type: z.string(),
  client_id: z.string(),
  redirect_uri: z.string(),
  scope: z.string().optional(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  prompt: z.string().optional(),
});

/** Salesforce's error page: shown when it cannot trust redirect_uri, so nothing reaches the app. */
function errorPage(res: Response, error: string, description: string): void {
  res.status(400).type('text/html').send(`<html><body><h1>OAuth Error</h1><p>error=${error}&amp;error_description=${description}</p></body></html>`);
}

function redirectWith(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(key, value);
  res.redirect(302, target.toString());
}

const codeExchange = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  redirect_uri: z.string().min(1),
  code_verifier: z.string().optional(),
});
const refreshRequest = z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1), client_id: z.string().min(1), client_secret: z.string().optional() });

/**
 * `/services/oauth2/authorize`, `/token`, `/revoke` and the identity URL `/id/<org>/<user>` of one login host
 * (reference §1.3–§1.5). PKCE S256 is required and the client secret too (§1.2); refresh rotates (§1.2).
 */
export function loginRouter(state: SalesforceFakeState, host: LoginHost): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false });

  router.get('/services/oauth2/authorize', (req: Request, res: Response) => {
    const parsed = authorizeQuery.safeParse(req.query);
    if (!parsed.success) return errorPage(res, 'invalid_request', 'missing required parameter: response_type, client_id and redirect_uri');
    const q = parsed.data;
    if (q.client_id !== state.app.clientId) return errorPage(res, 'invalid_client_id', 'client identifier invalid');
    if (!state.app.callbackUrls.includes(q.redirect_uri)) return errorPage(res, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    const fail = (error: string, description: string) => redirectWith(res, q.redirect_uri, { error, error_description: description, state: q.state });
    if (q.response_type !== 'code') return fail('unsupported_response_type', 'response type not supported');
    // [U] descriptions: PKCE is mandatory for the ECA (§1.2), and only S256 is accepted here.
    if (!q.code_challenge) return fail('invalid_request', 'missing required code challenge');
    if (q.code_challenge_method !== 'S256') return fail('invalid_request', 'invalid code challenge method: send code_challenge_method=S256');
    // No `scope`: the ECA's selected scopes. Any scope it does not select fails the whole request ([U] description).
    const scopes = q.scope === undefined ? state.app.scopes : scopeList(q.scope);
    if (scopesOutsideApp(state, scopes).length > 0) return fail('invalid_scope', 'the requested scope is not allowed');
    const org = state.loggingInOrgId === undefined ? undefined : state.orgs.get(state.loggingInOrgId);
    // A sandbox user cannot log in at the production host, nor anyone at another org's My Domain: the login page stays up.
    if (!org || !servesOrg(host, org)) return void res.status(200).type('text/html').send('<html><body><p>Please check your username and password. If you still can\'t log in, contact your Salesforce administrator.</p></body></html>');
    const userId = state.loggingInUserId !== undefined && org.users.has(state.loggingInUserId) ? state.loggingInUserId : org.userId;
    const code = state.oauth.issueCode({ orgId: org.orgId, userId, redirectUri: q.redirect_uri, scopes, codeChallenge: q.code_challenge, loginHost: host });
    redirectWith(res, q.redirect_uri, { code: code.code, state: q.state });
  });

  router.post('/services/oauth2/token', form, (req: Request, res: Response) => {
    const failure = state.takeFailure('oauth', undefined);
    if (failure) return sendError(res, failure);
    const body: Record<string, unknown> = req.is('application/x-www-form-urlencoded') ? (req.body as Record<string, unknown>) : {};
    const grantType = body.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return sendError(res, oauthError(400, 'unsupported_grant_type', 'grant type not supported'));
    if (body.client_id !== state.app.clientId) return sendError(res, oauthError(400, 'invalid_client_id', 'client identifier invalid'));
    if (typeof body.client_secret !== 'string' || !safeEqual(body.client_secret, state.app.clientSecret)) return sendError(res, oauthError(400, 'invalid_client', 'invalid client credentials'));
    // [U] RFC 6749 §6 lets a refresh narrow `scope`; one the ECA does not select is refused as on the authorize page.
    if (typeof body.scope === 'string' && scopesOutsideApp(state, scopeList(body.scope)).length > 0) return sendError(res, oauthError(400, 'invalid_scope', 'the requested scope is not allowed'));
    const origin = originOf(req);
    if (grantType === 'refresh_token') {
      const parsed = refreshRequest.safeParse(body);
      if (!parsed.success) return sendError(res, oauthError(400, 'invalid_request', 'missing required parameter: refresh_token'));
      const presented = state.oauth.refreshTokens.get(parsed.data.refresh_token);
      if (presented && !servesOrg(host, state.org(presented.orgId))) return sendError(res, oauthError(400, 'invalid_grant', 'expired access/refresh token'));
      const refreshed = state.oauth.refresh(parsed.data.refresh_token);
      if (!refreshed || refreshed === 'reused') return sendError(res, oauthError(400, 'invalid_grant', 'expired access/refresh token'));
      return void res.status(200).json(tokenJson(origin, host, refreshed.access, refreshed.refresh, state));
    }
    const parsed = codeExchange.safeParse(body);
    if (!parsed.success) return sendError(res, oauthError(400, 'invalid_request', `missing required parameter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`));
    const code = state.oauth.takeCode(parsed.data.code);
    if (!code || code.loginHost.kind !== host.kind) return sendError(res, oauthError(400, 'invalid_grant', 'invalid authorization code'));
    if (code.redirectUri !== parsed.data.redirect_uri) return sendError(res, oauthError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration'));
    // §1.3: a challenge without a verifier is invalid_grant; a wrong or malformed verifier invalid_request.
    const verifier = parsed.data.code_verifier;
    if (verifier === undefined) return sendError(res, oauthError(400, 'invalid_grant', 'invalid code verifier'));
    const wellFormed = /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);
    if (!wellFormed || crypto.createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge) return sendError(res, oauthError(400, 'invalid_request', 'invalid code verifier'));
    const { access, refresh } = state.oauth.grant({ orgId: code.orgId, userId: code.userId, scopes: code.scopes, loginHost: host });
    res.status(200).json(tokenJson(origin, host, access, code.scopes.includes('refresh_token') || code.scopes.includes('offline_access') ? refresh : undefined, state));
  });

  router.post('/services/oauth2/revoke', form, (req: Request, res: Response) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token === '') return sendError(res, oauthError(400, 'unsupported_token_type', 'unsupported token type'));
    if (!state.oauth.revoke(token)) return sendError(res, oauthError(400, 'invalid_token', 'invalid token'));
    res.status(200).end();
  });

  router.get('/id/:orgId/:userId', (req: Request<{ orgId: string; userId: string }>, res: Response) => {
    // jsforce's identity() sends the token as `oauth_token` in the query (§1.6); a header works too.
    const presented = bearerToken(req) ?? (typeof req.query.oauth_token === 'string' ? req.query.oauth_token : undefined);
    const access = presented === undefined ? undefined : state.oauth.useAccessToken(presented);
    if (!access || access.orgId !== req.params.orgId || access.userId !== req.params.userId) return void res.status(403).type('text/plain').send('Bad_OAuth_Token');
    // An `api`-only token cannot read the identity URL (§1.3: `id` "allows access to the identity URL service"); [U] answer.
    if (!access.scopes.some((s) => IDENTITY_SCOPES.includes(s))) return void res.status(403).type('text/plain').send('Bad_OAuth_Token');
    res.status(200).json(identity(originOf(req), host, access, state));
  });

  return router;
}

/** `GET <instance>/services/oauth2/userinfo` with the bearer token (§1.3). */
export function userinfoRouter(state: SalesforceFakeState): express.Router {
  const router = express.Router({ mergeParams: true });
  router.get('/services/oauth2/userinfo', (req: Request<{ orgId: string }>, res: Response) => {
    const presented = bearerToken(req);
    const access = presented === undefined ? undefined : state.oauth.useAccessToken(presented);
    if (!access || access.orgId !== req.params.orgId) return void res.status(403).type('text/plain').send('Bad_OAuth_Token');
    const org = state.org(access.orgId);
    const info = identity(originOf(req), { kind: org.sandbox ? 'sandbox' : 'production' }, access, state);
    res.status(200).json({ sub: info.id, user_id: access.userId, organization_id: access.orgId, preferred_username: info.username, name: info.display_name, email: info.email, is_app_installed: true });
  });
  return router;
}

/** The identity URL's answer (§1.4): the token's user as the org knows them; `user_type` tells internal users from portal ones. */
function identity(origin: string, host: LoginHost, access: AccessToken, state: SalesforceFakeState) {
  const user = state.org(access.orgId).users.get(access.userId);
  if (!user) throw new Error(`Salesforce fake: token of unknown user ${access.userId}`);
  return {
    id: `${loginBase(origin, host)}/id/${access.orgId}/${access.userId}`,
    asserted_user: true,
    user_id: access.userId,
    organization_id: access.orgId,
    username: user.username,
    display_name: user.displayName,
    email: user.email,
    user_type: user.userType,
    active: true,
    urls: { rest: `${instanceUrl(origin, access.orgId)}/services/data/v{version}/`, query: `${instanceUrl(origin, access.orgId)}/services/data/v{version}/query/` },
  };
}

/** §1.4: no `expires_in`; `signature` = Base64 HMAC-SHA256(id + issued_at) keyed with the consumer secret. */
function tokenJson(origin: string, host: LoginHost, access: AccessToken, refresh: RefreshToken | undefined, state: SalesforceFakeState) {
  const id = `${loginBase(origin, host)}/id/${access.orgId}/${access.userId}`;
  const issuedAt = String(state.now());
  return {
    access_token: access.token,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    signature: crypto.createHmac('sha256', state.app.clientSecret).update(id + issuedAt).digest('base64'),
    scope: access.scopes.join(' '),
    instance_url: instanceUrl(origin, access.orgId),
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
