import type { NextFunction, Request, Response } from 'express';
import { logRequest, requestRecord } from '../common/request-log';
import type { FakeAccount } from './fake-account';
import type { RecordedRequest, ZendeskFakeState } from './fake-state';
import type { FakeZendeskError } from './zendesk-errors';

const accounts = new WeakMap<Request, FakeAccount>();

/** The account the path prefix named, set by `resolveAccount`. */
export function accountOf(req: Request): FakeAccount {
  const account = accounts.get(req);
  if (!account) throw new Error('resolveAccount did not run for this request');
  return account;
}

/**
 * First middleware of an account: outage, then the subdomain (unknown → 404 as Zendesk's "no such help
 * desk" page), then logging. The log entry is written on arrival so a test never races it.
 */
export function resolveAccount(state: ZendeskFakeState) {
  return (req: Request<{ subdomain: string }>, res: Response, next: NextFunction): void => {
    if (state.outage) {
      res.status(state.outage.status).type('text/plain').send('Service Unavailable');
      return;
    }
    const account = state.accounts.get(req.params.subdomain);
    if (!account) {
      res.status(404).type('text/html').send('<html><body>Oops! This help center no longer exists.</body></html>');
      return;
    }
    accounts.set(req, account);
    const record: RecordedRequest = { ...requestRecord(req, state.now()), subdomain: account.subdomain, token: bearerToken(req) };
    logRequest(state.requests, req, res, record);
    next();
  };
}

/** Zendesk serves every REST path with and without `.json`; node-zendesk always adds it. */
export function stripJsonSuffix(req: Request, _res: Response, next: NextFunction): void {
  req.url = req.url.replace(/\.json(?=\?|$)/, '');
  next();
}

export { recordBody } from '../common/request-log';

export function sendError(res: Response, error: FakeZendeskError): void {
  if (error.headers) res.set(error.headers);
  if (typeof error.body === 'string') res.status(error.status).type('text/plain').send(error.body);
  else res.status(error.status).json(error.body);
}

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}
