import express, { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { applySmsStatus } from '../../core/sms/sms-outcome';
import { verifyTwilioSignature } from '../../core/sms/twilio-signature';
import { sendError } from '../http-errors';

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

const callbackSchema = z.looseObject({
  MessageSid: z.string().min(1),
  MessageStatus: z.string().min(1),
  ErrorCode: z.coerce.number().int().optional(),
});

/**
 * Twilio's status callbacks for SMS fallbacks (form-encoded). Twilio signs the URL it was given, which is
 * `publicUrl` + the path (what sms-fallback.ts passes as StatusCallback): a proxy in front changes nothing.
 * An unsigned or wrongly signed callback is refused with 403 and changes nothing.
 */
export function twilioStatusRoutes(deps: { db: Db; logger: Logger; authToken: string; publicUrl: string }): Router {
  const router = Router();
  router.post(TWILIO_STATUS_PATH, express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const params = z.record(z.string(), z.string()).catch({}).parse(req.body);
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    if (!verifyTwilioSignature(deps.authToken, `${deps.publicUrl}${TWILIO_STATUS_PATH}${query}`, params, req.get('x-twilio-signature'))) {
      sendError(res, 403, 'SIGNATURE_INVALID', 'X-Twilio-Signature is missing or does not match this URL and body signed with TWILIO_AUTH_TOKEN');
      return;
    }
    const callback = callbackSchema.safeParse(params);
    if (!callback.success) {
      sendError(res, 400, 'INVALID_CALLBACK', 'A status callback needs MessageSid and MessageStatus');
      return;
    }
    const known = await applySmsStatus(deps.db, { sid: callback.data.MessageSid, status: callback.data.MessageStatus, errorCode: callback.data.ErrorCode });
    if (!known) deps.logger.warn({ sid: callback.data.MessageSid }, 'status callback for an SMS Threadline does not know');
    res.status(204).end();
  });
  return router;
}
