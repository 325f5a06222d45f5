import express, { Router } from 'express';
import { ingestWebhook, type IngestDeps } from '../../core/inbox/ingest-webhook';
import { sendError } from '../http-errors';

/** Meta allows batches of up to 1,000 updates; 3 MB is the size third parties report. */
export const WEBHOOK_BODY_LIMIT = '3mb';

export function whatsappWebhookRoutes(deps: IngestDeps & { verifyToken: string }): Router {
  const router = Router();

  router.get('/webhooks/whatsapp', (req, res) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode === 'subscribe' && token === deps.verifyToken && typeof challenge === 'string') {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    sendError(res, 403, 'VERIFY_TOKEN_MISMATCH', 'hub.verify_token does not match META_VERIFY_TOKEN');
  });

  router.post('/webhooks/whatsapp', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const outcome = await ingestWebhook(deps, raw, req.get('x-hub-signature-256'));
    if (!outcome.ok) {
      sendError(res, outcome.status, outcome.code, outcome.message);
      return;
    }
    res.status(200).json({ received: outcome.events, stored: outcome.stored, duplicates: outcome.duplicates });
  });

  return router;
}
