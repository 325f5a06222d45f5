import type { NextFunction, Request, Response } from 'express';
import type { SalesforceFakeState } from './fake-state';
import { bearerToken, sendError } from './http-helpers';
import { invalidSession, notFound, requestLimitExceeded } from './salesforce-errors';

const sessions = new WeakMap<Request, { orgId: string; userId: string }>();

export function orgIdOf(req: Request): string {
  return sessionOf(req).orgId;
}

/** The user the request's token belongs to: what `UserPermissionAccess` answers for. */
export function userIdOf(req: Request): string {
  return sessionOf(req).userId;
}

function sessionOf(req: Request): { orgId: string; userId: string } {
  const session = sessions.get(req);
  if (session === undefined) throw new Error('apiGuard did not run for this request');
  return session;
}

/**
 * Every REST request, in order: a scripted failure, the session (unknown, timed out, revoked, or another org's
 * token on this instance: 401 INVALID_SESSION_ID), then the org's rolling 24 h quota (403 REQUEST_LIMIT_EXCEEDED,
 * never 429, §6). Counted answers carry `Sforce-Limit-Info: api-usage=used/limit`.
 */
export function apiGuard(state: SalesforceFakeState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const orgId = (req.params as Record<string, string | undefined>).orgId;
    const org = orgId === undefined ? undefined : state.orgs.get(orgId);
    if (!org) return sendError(res, notFound());
    const failure = state.takeFailure(req.path.startsWith('/search') ? 'search' : 'api', org.orgId);
    if (failure) return sendError(res, failure);
    const presented = bearerToken(req);
    const access = presented === undefined ? undefined : state.oauth.useAccessToken(presented);
    if (!access || access.orgId !== org.orgId) return sendError(res, invalidSession());
    const allowed = org.takeApiCall();
    res.set('Sforce-Limit-Info', `api-usage=${org.apiUsed}/${org.dailyApiLimit}`);
    if (!allowed) return sendError(res, requestLimitExceeded());
    sessions.set(req, { orgId: org.orgId, userId: access.userId });
    next();
  };
}
