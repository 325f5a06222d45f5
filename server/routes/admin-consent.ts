import express, { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/connect';
import { setConsent } from '../../core/engine/set-consent';
import { parseRequest } from '../admin/parse-request';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

const consentBody = z.object({
  phone_number_id: z.string().regex(/^\d{5,20}$/, 'must be the numeric Phone number ID the consent is for'),
  /** `sms`: consent to the SMS fallback, which must be explicit; `whatsapp` (default): the WhatsApp opt-in. */
  channel: z.enum(['whatsapp', 'sms']).default('whatsapp'),
  status: z.enum(['opted_in', 'opted_out']),
  note: z.string().trim().max(500).optional(),
}).strict();

/**
 * `PUT /api/v1/contacts/:contactId/consent`: records a consent an agent collected (a signed form, a call), per
 * number and channel, audited and synced like a customer's own choice.
 */
export function adminConsentRoutes(deps: { db: Db; adminToken: string; workspaceId: string }): Router {
  const router = Router();
  router.put('/api/v1/contacts/:contactId/consent', requireAdminToken(deps.adminToken), express.json({ limit: '16kb', verify: refuseInvalidUtf8 }), async (req, res) => {
    const body = parseRequest(consentBody, req.body, res);
    if (!body) return;
    const number: { id: string } | undefined = await deps.db('whatsapp_number').where({ workspace_id: deps.workspaceId, phone_number_id: body.phone_number_id }).first('id');
    const row = number && await setConsent(deps.db, deps.workspaceId, {
      contactId: String(req.params.contactId), whatsappNumberId: number.id, actor: 'admin-token', note: body.note,
      change: { field: body.channel === 'sms' ? 'sms' : 'status', value: body.status },
    });
    if (!row) {
      sendError(res, 404, 'NOT_FOUND', `No contact ${req.params.contactId} or number ${body.phone_number_id} in this workspace`);
      return;
    }
    res.json({ contact_id: row.contact_id, phone_number_id: body.phone_number_id, status: row.status, marketing: row.marketing, sms: row.sms, source: row.source, changed_at: new Date(row.changed_at).toISOString() });
  });
  return router;
}
