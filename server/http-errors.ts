import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../core/observability/logger';

/** Every error answer has the same JSON shape: a code to branch on and a message a person can act on. */
export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

/**
 * The HTTP status of a refused number connection (admin API, console form, Embedded Signup): the number is
 * another workspace's (409), Meta could not be reached (502), or what was given is wrong (422).
 */
export function numberRefusalStatus(code: string): number {
  if (code === 'NUMBER_IN_OTHER_WORKSPACE') return 409;
  if (code === 'GRAPH_UNAVAILABLE') return 502;
  return 422;
}

/** Body-parser and unexpected errors as JSON; never a stack trace to the caller. */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    const type = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
    if (status === 413 || type === 'entity.too.large') {
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than this endpoint accepts');
    } else if (type === 'entity.parse.failed') {
      sendError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON');
    } else if (status >= 400 && status < 500) {
      sendError(res, status, 'BAD_REQUEST', err instanceof Error ? err.message : 'Bad request');
    } else {
      logger.error({ err }, 'unhandled error');
      sendError(res, 500, 'INTERNAL', 'Something went wrong on our side; it has been logged');
    }
  };
}
