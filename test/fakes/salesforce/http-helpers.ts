import type { NextFunction, Request, Response } from 'express';
import { logRequest, requestRecord } from '../common/request-log';
import type { RecordedRequest, SalesforceFakeState } from './fake-state';
import type { FakeSalesforceError } from './salesforce-errors';

/** Outage first, then the request log (written on arrival so a test never races it). */
export function logRequests(state: SalesforceFakeState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (state.outage) {
      res.status(state.outage.status).type('text/html').send('<html><body><h1>Service Unavailable</h1></body></html>');
      return;
    }
    const orgId = /^\/instances\/([^/]+)\//.exec(req.path)?.[1];
    const record: RecordedRequest = { ...requestRecord(req, state.now()), orgId };
    logRequest(state.requests, req, res, record);
    next();
  };
}

export { recordBody } from '../common/request-log';

export function sendError(res: Response, error: FakeSalesforceError): void {
  if (error.headers) res.set(error.headers);
  if (typeof error.body === 'string') res.status(error.status).type('text/html').send(error.body);
  else res.status(error.status).json(error.body);
}

export function bearerToken(req: Request): string | undefined {
  return /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

/** The origin the client called, so URLs in answers point back at this fake. */
export function originOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}
