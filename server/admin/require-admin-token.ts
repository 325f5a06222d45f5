import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from '../http-errors';

/** Bearer THREADLINE_ADMIN_TOKEN, compared in constant time (hashes make the lengths equal). */
export function requireAdminToken(adminToken: string): RequestHandler {
  const expected = crypto.createHash('sha256').update(adminToken).digest();
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match?.[1]) {
      res.set('WWW-Authenticate', 'Bearer realm="threadline-admin"');
      sendError(res, 401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <THREADLINE_ADMIN_TOKEN>');
      return;
    }
    const given = crypto.createHash('sha256').update(match[1]).digest();
    if (!crypto.timingSafeEqual(given, expected)) {
      sendError(res, 401, 'UNAUTHENTICATED', 'The admin token is not valid');
      return;
    }
    next();
  };
}
