import type { NextFunction, Request, Response } from 'express';

/** What every fake records of a request; each adds its tenant (portal, org, subdomain) and token. */
export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** What the handler saw, once the body parsers ran (see `recordBody`). */
  body: unknown;
  /** The answer's status, set when it is sent. */
  status: number;
  at: number;
}

const records = new WeakMap<Request, RequestRecord>();

/** A record of this request as it arrives, at the fake's clock time `at`. */
export function requestRecord(req: Request, at: number): RequestRecord {
  return { method: req.method, path: req.path, query: { ...req.query }, body: undefined, status: 0, at };
}

/** Appends the record to the fake's log; its body and status are filled in as the request proceeds. */
export function logRequest<R extends RequestRecord>(log: R[], req: Request, res: Response, record: R): void {
  log.push(record);
  records.set(req, record);
  res.on('finish', () => {
    record.status = res.statusCode;
  });
}

/** Runs after the body parsers: what the handler saw. */
export function recordBody(req: Request, _res: Response, next: NextFunction): void {
  const record = records.get(req);
  if (record) record.body = req.body;
  next();
}
