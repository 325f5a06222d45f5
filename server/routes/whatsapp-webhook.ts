import crypto from 'node:crypto';
import { Router } from 'express';
import { sendError } from '../http-errors';

/** Meta's subscription handshake; the POST is served by whatsapp-webhook-post.ts, outside express. */
export function whatsappWebhookVerification(deps: { verifyToken: string }): Router {
  const router = Router();

  router.get('/webhooks/whatsapp', (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && sameSecret(token, deps.verifyToken) && typeof challenge === 'string') {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    sendError(res, 403, 'VERIFY_TOKEN_MISMATCH', 'hub.verify_token does not match META_VERIFY_TOKEN');
  });

  return router;
}

/** Constant-time comparison of secrets of any length (hashes make the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (v: string) => crypto.createHash('sha256').update(v).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
