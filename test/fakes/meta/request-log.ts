import type { NextFunction, Request, Response } from 'express';
import type { MetaFakeState, RecordedRequest } from './fake-state';
import type { FakeGraphError } from './graph-errors';

const records = new WeakMap<Response, RecordedRequest>();

/** Logs every request into `state.requests` when it arrives, so a test never races the log. */
export function logRequests(state: MetaFakeState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const record: RecordedRequest = {
      method: req.method,
      path: req.path,
      query: { ...req.query },
      token: bearerToken(req) ?? queryToken(req),
      body: undefined,
      status: 0,
      at: state.now(),
    };
    state.requests.push(record);
    records.set(res, record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    next();
  };
}

/** Runs after the body parsers: what the handler saw. */
export function recordBody(req: Request, res: Response, next: NextFunction): void {
  const record = records.get(res);
  if (record && Buffer.isBuffer(req.body)) record.body = { bytes: req.body.length, contentType: req.get('content-type') };
  else if (record) record.body = req.body;
  next();
}

/** Lets a handler replace the logged body with something more readable (e.g. a multipart summary). */
export function setLoggedBody(res: Response, body: unknown): void {
  const record = records.get(res);
  if (record) record.body = body;
}

export function reply(res: Response, status: number, body: unknown): void {
  const record = records.get(res);
  if (record) record.status = status;
  res.status(status).json(body);
}

export function replyError(res: Response, error: FakeGraphError): void {
  // Graph adds this on token errors; some clients read it.
  if (error.httpStatus === 401) res.set('WWW-Authenticate', 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"');
  reply(res, error.httpStatus, error.body);
}

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/** Graph also takes `?access_token=`; the media host does not. */
function queryToken(req: Request): string | undefined {
  const value = req.query.access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function graphToken(req: Request): string | undefined {
  return bearerToken(req) ?? queryToken(req);
}
