import type { NextFunction, Request, Response } from 'express';
import type { ZendeskFakeState } from './fake-state';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { forbidden, invalidToken, rateLimited, unauthorized } from './zendesk-errors';

/**
 * Every `/api/v2` request, in order: a scripted failure, then the account-wide per-minute limit (429 with
 * Retry-After, X-Rate-Limit headers on every answer, §4.7). Push requests count against the same limit.
 */
export function apiLimits(state: ZendeskFakeState, scope: 'api' | 'push') {
  return (req: Request, res: Response, next: NextFunction): void => {
    const account = accountOf(req);
    const failure = state.takeFailure(scope, account);
    if (failure) {
      sendError(res, failure);
      return;
    }
    const { remaining, retryAfterSeconds } = account.countRequest();
    res.set({ 'X-Rate-Limit': String(account.rateLimitPerMinute), 'X-Rate-Limit-Remaining': String(remaining) });
    if (retryAfterSeconds !== undefined) {
      sendError(res, rateLimited(retryAfterSeconds, account.rateLimitPerMinute));
      return;
    }
    next();
  };
}

/**
 * REST auth with an OAuth access token of this account. Scopes (§3): `read`/`write`, or `<resource>:read|write`;
 * a valid token without the scope gets 403. A token of another account, expired, or rotated away gets 401.
 */
export function restAuth(resource: 'users' | 'tickets' | 'webhooks' | 'triggers') {
  return (req: Request, res: Response, next: NextFunction): void => {
    const presented = bearerToken(req);
    if (presented === undefined) {
      sendError(res, unauthorized());
      return;
    }
    const token = accountOf(req).oauth.validAccessToken(presented);
    if (!token) {
      sendError(res, invalidToken());
      return;
    }
    const writing = req.method !== 'GET';
    const allowed = writing
      ? token.scopes.includes('write') || token.scopes.includes(`${resource}:write`)
      : token.scopes.some((s) => s === 'read' || s === 'write' || s === `${resource}:read` || s === `${resource}:write`);
    if (!allowed) {
      sendError(res, forbidden());
      return;
    }
    next();
  };
}
