import express, { Router } from 'express';
import { z } from 'zod';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import { listTemplates } from '../../core/templates/list-templates';
import { syncAllTemplates, syncTemplates, type TemplateSyncErrorCode, type TemplateSyncResult } from '../../core/templates/sync-templates';
import type { GraphClient } from '../../core/whatsapp/graph-client';
import { requireAdminToken } from '../admin/require-admin-token';
import { parseRequest } from '../admin/parse-request';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminTemplateDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  adminToken: string;
  /** The workspace the admin token acts on (self-hosted install). */
  workspaceId: string;
}

const upperWord = (what: string) => z.string().regex(/^[A-Za-z_]{2,40}$/, `must be a ${what} such as the ones Meta lists`).transform((s) => s.toUpperCase());

export const listTemplatesQuery = z.object({
  phone_number_id: z.string().regex(/^\d{5,20}$/, 'must be a numeric Phone number ID').optional(),
  status: upperWord('template status (APPROVED, PAUSED, REJECTED, DELETED, …)').optional(),
  language: z.string().regex(/^[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'must be a template language code such as en or en_US').optional(),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']).optional(),
});

export const syncTemplatesBody = z.object({
  phone_number_id: z.string().regex(/^\d{5,20}$/, 'must be a numeric Phone number ID; leave it out to sync every WABA of the workspace').optional(),
}).strict();

const statusFor: Record<TemplateSyncErrorCode, number> = {
  NUMBER_NOT_FOUND: 404,
  TOKEN_INVALID: 422,
  GRAPH_REJECTED: 422,
  RATE_LIMITED: 429,
  GRAPH_UNAVAILABLE: 502,
};

const resultView = (r: TemplateSyncResult) => (r.ok ? { waba_id: r.wabaId, ok: true, counts: r.counts } : { waba_id: r.wabaId, ok: false, error: r.error });

/** `GET /api/v1/templates` and `POST /api/v1/templates/sync`; guards itself with the admin token wherever it is mounted. */
export function adminTemplateRoutes(deps: AdminTemplateDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  router.use('/api/v1/templates', requireAdminToken(deps.adminToken), express.json({ limit: '16kb', verify: refuseInvalidUtf8 }));

  router.get('/api/v1/templates', async (req, res) => {
    const query = parseRequest(listTemplatesQuery, req.query, res);
    if (!query) return;
    const result = await listTemplates(deps.db, ws, { phoneNumberId: query.phone_number_id, status: query.status, language: query.language, category: query.category });
    if (!result.ok) {
      sendError(res, 404, result.code, result.message);
      return;
    }
    res.json({ items: result.items });
  });

  router.post('/api/v1/templates/sync', async (req, res) => {
    // No body at all means "every WABA", like an empty object.
    const body = parseRequest(syncTemplatesBody, req.body ?? {}, res);
    if (!body) return;
    let results: TemplateSyncResult[];
    if (body.phone_number_id !== undefined) {
      const number: { waba_id: string } | undefined = await deps.db('whatsapp_number').where({ workspace_id: ws, phone_number_id: body.phone_number_id }).first('waba_id');
      if (!number) {
        sendError(res, 404, 'NUMBER_NOT_FOUND', `No number with phone_number_id ${body.phone_number_id} in this workspace`);
        return;
      }
      results = [await syncTemplates(deps, ws, number.waba_id)];
    } else {
      results = await syncAllTemplates(deps, ws);
    }
    // The first failure decides the status, so a caller sees an error it can act on; the other WABAs' results come along.
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) {
      sendError(res, statusFor[failed.error.code], failed.error.code, failed.error.message, { results: results.map(resultView) });
      return;
    }
    res.json({ results: results.map(resultView) });
  });

  return router;
}
