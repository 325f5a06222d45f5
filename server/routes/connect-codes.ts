import express, { Router } from 'express';
import { issueConnectCode } from '../../core/auth/connect-codes';
import type { Db } from '../../core/db/connect';
import { requireAdminToken } from '../admin/require-admin-token';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

/**
 * `POST /api/v1/<platform>/connect-codes`: a workspace admin gets a code to type into a platform's install
 * page (Zendesk's admin UI), proving there that they own this workspace. Shown once; stored hashed.
 */
export function connectCodeRoutes(deps: { db: Db; adminToken: string; workspaceId: string; platforms: readonly string[] }): Router {
  const router = Router();
  for (const platform of deps.platforms) {
    router.post(`/api/v1/${platform}/connect-codes`, requireAdminToken(deps.adminToken), express.json({ limit: '1kb', verify: refuseInvalidUtf8 }), async (_req, res) => {
      const issued = await issueConnectCode(deps.db, deps.workspaceId, platform);
      res.status(201).json({ code: issued.code, expires_at: issued.expiresAt.toISOString(), purpose: platform });
    });
  }
  return router;
}
