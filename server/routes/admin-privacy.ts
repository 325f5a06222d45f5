import express, { Router, type Response } from 'express';
import type { Db } from '../../core/db/connect';
import { isUuid } from '../../core/engine/is-uuid';
import { readErasure, requestErasure, type ErasureRow } from '../../core/privacy/erase-contact';
import { exportContact } from '../../core/privacy/export-contact';
import { readRetention, retentionSettingsSchema, saveRetention } from '../../core/privacy/retention';
import { parseRequest } from '../admin/parse-request';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminPrivacyDeps {
  db: Db;
  adminToken: string;
  workspaceId: string;
  /** A signed download link for a message's stored file (`MediaUrlSigner.urlFor`). */
  mediaUrlFor(messageId: string): string;
}

function erasureJson(row: ErasureRow) {
  return {
    id: row.id, contact_id: row.contact_id, state: row.state, requested_by: row.requested_by, requested_at: new Date(row.requested_at).toISOString(),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(), attempts: row.attempts, last_error: row.last_error,
    local: row.local, platforms: row.platforms,
  };
}

function noContact(res: Response, contactId: string): void {
  sendError(res, 404, 'NOT_FOUND', `No contact ${contactId} in this workspace`);
}

/**
 * GDPR requests on one contact (issue 9 item 5): export everything held on them, erase them here and on every
 * connected platform (a durable job; its report at `/erasure`), and the workspace's retention settings.
 */
export function adminPrivacyRoutes(deps: AdminPrivacyDeps): Router {
  const router = Router();
  const admin = requireAdminToken(deps.adminToken);

  router.get('/api/v1/contacts/:contactId/export', admin, async (req, res) => {
    const contactId = String(req.params.contactId);
    const data = isUuid(contactId) ? await exportContact(deps.db, deps.workspaceId, contactId, deps.mediaUrlFor) : undefined;
    if (!data) return noContact(res, contactId);
    res.set('Content-Disposition', `attachment; filename="contact-${contactId}.json"`).json(data);
  });

  router.post('/api/v1/contacts/:contactId/erase', admin, async (req, res) => {
    const contactId = String(req.params.contactId);
    const result = isUuid(contactId) ? await requestErasure(deps.db, deps.workspaceId, contactId, 'admin-token') : undefined;
    if (!result?.ok) return noContact(res, contactId);
    res.status(result.queued ? 202 : 200).set('Location', `/api/v1/contacts/${contactId}/erasure`).json(erasureJson(result.erasure));
  });

  router.get('/api/v1/contacts/:contactId/erasure', admin, async (req, res) => {
    const contactId = String(req.params.contactId);
    const row = isUuid(contactId) ? await readErasure(deps.db, deps.workspaceId, contactId) : undefined;
    if (!row) return sendError(res, 404, 'NOT_FOUND', `No erasure of contact ${contactId} in this workspace: ask for one with POST /api/v1/contacts/${contactId}/erase`);
    res.json(erasureJson(row));
  });

  router.get('/api/v1/privacy/retention', admin, async (_req, res) => {
    res.json(await readRetention(deps.db, deps.workspaceId));
  });

  router.put('/api/v1/privacy/retention', admin, express.json({ limit: '4kb', verify: refuseInvalidUtf8 }), async (req, res) => {
    const body = parseRequest(retentionSettingsSchema, req.body, res);
    if (!body) return;
    res.json(await saveRetention(deps.db, deps.workspaceId, body, 'admin-token'));
  });

  return router;
}
