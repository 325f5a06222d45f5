import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { logRequest, requestRecord } from '../common/request-log';
import type { FakePortal } from './fake-portal';
import type { HubSpotFakeState, RecordedRequest } from './fake-state';
import { validationError, type FakeHubSpotError } from './hubspot-errors';
import type { AccessToken } from './oauth-store';

const records = new WeakMap<Request, RecordedRequest>();
const grants = new WeakMap<Request, { portal: FakePortal; token: AccessToken }>();

/** Outage first, then the request log (written on arrival so a test never races it). */
export function logRequests(state: HubSpotFakeState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (state.outage) {
      res.status(state.outage.status).type('text/html').send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return;
    }
    const record: RecordedRequest = { ...requestRecord(req, state.now()), portalId: undefined, token: bearerToken(req) };
    logRequest(state.requests, req, res, record);
    // Kept here too: `setGrant` names the portal once the token is known.
    records.set(req, record);
    next();
  };
}

export { recordBody } from '../common/request-log';

export function setGrant(req: Request, portal: FakePortal, token: AccessToken): void {
  grants.set(req, { portal, token });
  const record = records.get(req);
  if (record) record.portalId = portal.portalId;
}

/** The portal of the request's access token, set by `authenticate`. */
export function portalOf(req: Request): FakePortal {
  const grant = grants.get(req);
  if (!grant) throw new Error('authenticate did not run for this request');
  return grant.portal;
}

export function grantOf(req: Request): AccessToken {
  const grant = grants.get(req);
  if (!grant) throw new Error('authenticate did not run for this request');
  return grant.token;
}

export function sendError(res: Response, error: FakeHubSpotError): void {
  if (error.headers) res.set(error.headers);
  if (typeof error.body === 'string') res.status(error.status).type('text/html').send(error.body);
  else res.status(error.status).json(error.body);
}

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/** Parses a body with zod; on failure answers 400 VALIDATION_ERROR naming each bad field, and returns undefined. */
export function parseBody<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  const parsed = schema.safeParse(req.body);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({ message: issue.message, in: issue.path.join('.') }));
  sendError(res, validationError(`Invalid input JSON: ${errors.map((e) => `${e.in || 'body'}: ${e.message}`).join('; ')}`, errors));
  return undefined;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
