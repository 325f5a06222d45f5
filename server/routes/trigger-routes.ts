import express, { Router } from 'express';
import { receiveTrigger } from '../../core/automation/receive-trigger';
import { rotateTriggerSecret, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../core/automation/trigger-secret';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import { requireAdminToken } from '../admin/require-admin-token';

export interface TriggerRoutesDeps {
  db: Db;
  secrets: SecretBox;
  adminToken: string;
  workspaceId: string;
}

/**
 * Triggers from business systems (issue 7 item 7; logic in core/automation/receive-trigger.ts):
 * `POST /api/v1/triggers/:name`, signed with the workspace's trigger secret over the raw body (64 KB at most), and
 * `POST /api/v1/automation/trigger-secret`, which makes or replaces that secret and shows it this once.
 */
export function triggerRoutes(deps: TriggerRoutesDeps): Router {
  const router = Router();

  router.post('/api/v1/triggers/:name', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const answer = await receiveTrigger(deps, {
      workspaceId: deps.workspaceId,
      name: req.params.name,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      signature: req.get(SIGNATURE_HEADER),
      timestamp: req.get(TIMESTAMP_HEADER),
      idempotencyKey: req.get('idempotency-key'),
    });
    res.status(answer.status).json(answer.body);
  });

  router.post('/api/v1/automation/trigger-secret', requireAdminToken(deps.adminToken), async (_req, res) => {
    const secret = await rotateTriggerSecret(deps.db, deps.secrets, deps.workspaceId, 'admin');
    res.status(201).json({ secret, note: 'Shown only now: store it in the business system. Calling this again replaces it (the old one stops working at once).' });
  });

  return router;
}
