import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { ZendeskFakeState } from './fake-state';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { ttlLimits, type FakeOAuthClient } from './oauth-store';
import { invalidToken, oauthError } from './zendesk-errors';

const authorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  scope: z.string().min(1),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.literal('S256').optional(),
});

// Numbers may arrive as strings when the body is form-encoded.
const ttl = z.coerce.number().int().optional();
const tokenRequest = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    redirect_uri: z.string().min(1),
    code_verifier: z.string().optional(),
    scope: z.string().optional(),
    expires_in: ttl,
    refresh_token_expires_in: ttl,
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    scope: z.string().optional(),
    expires_in: ttl,
    refresh_token_expires_in: ttl,
  }),
]);

/** `GET /oauth/authorizations/new` (the admin approves at once) and `POST /oauth/tokens` (§3). */
export function oauthRouter(state: ZendeskFakeState): express.Router {
  const router = express.Router();

  router.get('/oauth/authorizations/new', (req: Request, res: Response) => {
    const query = authorizeQuery.safeParse(req.query);
    const client = query.success ? state.oauthClients.get(query.data.client_id) : undefined;
    // RFC 6749 §4.1.2.1: never redirect to an unverified redirect_uri; answer the browser directly.
    if (!query.success || !client || !client.redirectUris.includes(query.data.redirect_uri)) {
      res.status(400).type('text/html').send('<html><body>Invalid OAuth request</body></html>');
      return;
    }
    const code = accountOf(req).oauth.issueCode({
      clientId: client.clientId,
      redirectUri: query.data.redirect_uri,
      scopes: query.data.scope.split(/\s+/),
      codeChallenge: query.data.code_challenge,
      userId: accountOf(req).signedInUserId,
    });
    const target = new URL(query.data.redirect_uri);
    target.searchParams.set('code', code.code);
    if (query.data.state !== undefined) target.searchParams.set('state', query.data.state);
    res.redirect(302, target.toString());
  });

  router.post('/oauth/tokens', (req: Request, res: Response) => {
    const account = accountOf(req);
    const failure = state.takeFailure('oauth', account);
    if (failure) return sendError(res, failure);
    const grant = z.looseObject({ grant_type: z.unknown() }).safeParse(req.body);
    const grantType = grant.success ? grant.data.grant_type : undefined;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return sendError(res, oauthError(grantType === undefined ? 'invalid_request' : 'unsupported_grant_type'));
    }
    const parsed = tokenRequest.safeParse(req.body);
    if (!parsed.success) return sendError(res, oauthError('invalid_request'));
    const body = parsed.data;
    const client = state.oauthClients.get(body.client_id);
    if (!client || !safeEqual(client.secret, body.client_secret)) return sendError(res, oauthError('invalid_client'));
    const ttls = requestedTtls(client, body.expires_in, body.refresh_token_expires_in);
    if ('error' in ttls) return sendError(res, oauthError('invalid_request', ttls.error));

    if (body.grant_type === 'authorization_code') {
      const code = account.oauth.takeCode(body.code);
      if (!code || code.clientId !== client.clientId || code.redirectUri !== body.redirect_uri || !pkceMatches(code.codeChallenge, body.code_verifier)) {
        return sendError(res, oauthError('invalid_grant'));
      }
      res.status(200).json(account.oauth.issuePair(client.clientId, code.scopes, ttls.access, ttls.refresh, code.userId));
      return;
    }
    // Rotation: the old refresh token and its access token are gone once this answers (§3).
    const old = account.oauth.rotate(body.refresh_token, client.clientId);
    if (!old) return sendError(res, oauthError('invalid_grant'));
    res.status(200).json(account.oauth.issuePair(client.clientId, old.scopes, ttls.access, ttls.refresh, old.userId));
  });

  return router;
}

function requestedTtls(client: FakeOAuthClient, expiresIn: number | undefined, refreshExpiresIn: number | undefined): { access: number; refresh: number } | { error: string } {
  const access = expiresIn ?? client.defaultExpiresIn;
  const refresh = refreshExpiresIn ?? client.defaultRefreshExpiresIn;
  if (access < ttlLimits.accessMin || access > ttlLimits.accessMax) return { error: `expires_in must be between ${ttlLimits.accessMin} and ${ttlLimits.accessMax}` };
  if (refresh < ttlLimits.refreshMin || refresh > ttlLimits.refreshMax) {
    return { error: `refresh_token_expires_in must be between ${ttlLimits.refreshMin} and ${ttlLimits.refreshMax}` };
  }
  return { access, refresh };
}

function pkceMatches(challenge: string | undefined, verifier: string | undefined): boolean {
  if (challenge === undefined) return true;
  if (verifier === undefined) return false;
  return crypto.createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/**
 * `DELETE /api/v2/oauth/tokens/current` (Zendesk's "Revoking an OAuth access token"): revokes the token the request
 * is made with, whatever its scopes; 204. A token that is not valid (any more) is a 401, as every REST call.
 */
export function oauthTokensRouter(): express.Router {
  const router = express.Router();
  router.delete('/current', (req: Request, res: Response) => {
    const account = accountOf(req);
    const token = account.oauth.validAccessToken(bearerToken(req));
    if (!token) return sendError(res, invalidToken());
    account.oauth.revoke(token.token);
    res.status(204).end();
  });
  return router;
}
