import type { NextFunction, Request, Response } from 'express';
import type { HubSpotFakeState } from './fake-state';
import { bearerToken, grantOf, sendError, setGrant } from './http-helpers';
import { expiredAuthentication, invalidAuthentication, missingScopes, searchLimit, tenSecondlyLimit } from './hubspot-errors';

/** CRM search (`POST …/search`) has its own limit and answers without rate headers (§7.1, §7.5). */
function isSearch(req: Request): boolean {
  return req.method === 'POST' && req.path.endsWith('/search');
}

/**
 * Every API request, in order: a scripted failure, the OAuth access token (none or unknown: 401
 * INVALID_AUTHENTICATION; expired: 401 EXPIRED_AUTHENTICATION), then the portal's limit. Non-search answers carry
 * `X-HubSpot-RateLimit-Max`, `-Remaining` and `-Interval-Milliseconds`; over the limit, 429 TEN_SECONDLY_ROLLING
 * (search: 429 "secondly limit"). No Retry-After: the reference does not say HubSpot sends one.
 */
export function apiGuard(state: HubSpotFakeState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const search = isSearch(req);
    const presented = bearerToken(req);
    const token = presented === undefined ? undefined : state.oauth.accessTokens.get(presented);
    const failure = state.takeFailure(search ? 'search' : 'api', token?.portalId);
    if (failure) return sendError(res, failure);
    if (!token) return sendError(res, invalidAuthentication());
    if (token.expiresAt <= state.now()) return sendError(res, expiredAuthentication(token.expiresAt, state.now()));
    const portal = state.portal(token.portalId);
    setGrant(req, portal, token);
    if (search) {
      if (!portal.searchLimit.take(state.now()).allowed) return sendError(res, searchLimit());
      return next();
    }
    const { allowed, remaining } = portal.apiLimit.take(state.now());
    res.set({
      'X-HubSpot-RateLimit-Max': String(portal.apiLimit.max),
      'X-HubSpot-RateLimit-Remaining': String(remaining),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(portal.apiLimit.intervalMs),
    });
    if (!allowed) return sendError(res, tenSecondlyLimit());
    next();
  };
}

/** True when the token holds every scope named; otherwise answers 403 MISSING_SCOPES and returns false. */
export function hasScopes(req: Request, res: Response, needed: string[]): boolean {
  const granted = grantOf(req).scopes;
  if (needed.every((s) => granted.includes(s))) return true;
  sendError(res, missingScopes(needed));
  return false;
}
