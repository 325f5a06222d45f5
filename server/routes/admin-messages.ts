import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db/connect';
import { assignConversation, closeConversation, ConversationAlreadyLiveError, reopenConversation } from '../../core/engine/conversation-commands';
import type { ConversationRow } from '../../core/engine/conversation-row';
import type { SendErrorCode } from '../../core/send/send-error';
import { send } from '../../core/send/send-message';
import { idParam } from '../admin/admin-schemas';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminMessagesDeps {
  db: Db;
  adminToken: string;
  /** The workspace the admin token acts on (self-hosted install). */
  workspaceId: string;
}

const ADMIN_ACTOR = 'admin-token';
/** Who the admin API sends as: failures of these messages are reported to this sender. */
const ADMIN_SENDER = { platform: 'admin-api', id: 'admin-token', name: 'Admin API' };

export const assignBody = z.object({
  assignee: z.object({ platform: z.string().min(1).max(64), id: z.string().min(1).max(256), name: z.string().max(256) }).strict().nullable(),
}).strict();

/** 409: the message may not go to this contact now (another message may); 422: the request itself is wrong. */
export const SEND_ERROR_STATUS: Record<SendErrorCode, number> = {
  WINDOW_CLOSED: 409,
  CONSENT_REVOKED: 409,
  NO_OPT_IN: 409,
  NUMBER_NEEDS_ATTENTION: 409,
  FREQUENCY_CAPPED: 409,
  QUIET_HOURS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  TEMPLATE_NOT_APPROVED: 422,
  TEMPLATE_PARAMS_INVALID: 422,
  MEDIA_UNSUPPORTED: 422,
  MEDIA_TOO_LARGE: 422,
  RECIPIENT_UNKNOWN: 422,
  INVALID_CONTENT: 422,
  NOT_FOUND: 404,
};

function conversationId(req: Request, res: Response): string | undefined {
  const parsed = idParam.safeParse(req.params);
  if (parsed.success) return parsed.data.id;
  sendError(res, 400, 'INVALID_REQUEST', 'id: must be a conversation id (uuid)');
  return undefined;
}

function conversationJson(row: ConversationRow) {
  return {
    id: row.id,
    status: row.status,
    assignee: row.assignee_platform && row.assignee_id ? { platform: row.assignee_platform, id: row.assignee_id, name: row.assignee_name } : null,
    closed_at: row.closed_at,
    window_expires_at: row.window_expires_at,
  };
}

/** Sending and the conversation commands of the admin API (Core II). */
export function adminMessagesRoutes(deps: AdminMessagesDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  router.use('/api/v1/conversations', requireAdminToken(deps.adminToken), express.json({ limit: '1mb', verify: refuseInvalidUtf8 }));

  router.post('/api/v1/conversations/:id/messages', async (req, res) => {
    const id = conversationId(req, res);
    if (!id) return;
    const key = req.get('idempotency-key');
    if (!key || key.length > 255) {
      sendError(res, 400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (1 to 255 characters) unique to this message',
        { hint: 'Generate a UUID per message and reuse it only when retrying the same request' });
      return;
    }
    const result = await send({ db: deps.db }, { workspaceId: ws, conversationId: id, idempotencyKey: key, sender: ADMIN_SENDER, content: req.body });
    if (!result.ok) {
      const { code, message, ...extra } = result.error;
      sendError(res, SEND_ERROR_STATUS[code], code, message, extra);
      return;
    }
    const o = result.outbound;
    if (result.duplicate) res.set('Idempotent-Replayed', 'true');
    res.status(202).json({
      message_id: o.messageId,
      request_id: o.requestId,
      conversation_id: o.conversationId,
      state: o.state,
      status: o.messageStatus,
      wamid: o.wamid,
      attempts: o.attempts,
      error: o.error,
    });
  });

  router.post('/api/v1/conversations/:id/assign', async (req, res) => {
    const id = conversationId(req, res);
    if (!id) return;
    const body = assignBody.safeParse(req.body);
    if (!body.success) {
      sendError(res, 400, 'INVALID_REQUEST', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        { hint: 'Send { "assignee": { "platform", "id", "name" } }, or { "assignee": null } to unassign' });
      return;
    }
    const row = await assignConversation(deps.db, ws, id, body.data.assignee, ADMIN_ACTOR);
    if (!row) return sendError(res, 404, 'NOT_FOUND', `No conversation ${id} in this workspace`);
    res.json(conversationJson(row));
  });

  router.post('/api/v1/conversations/:id/close', async (req, res) => {
    const id = conversationId(req, res);
    if (!id) return;
    const row = await closeConversation(deps.db, ws, id, ADMIN_ACTOR);
    if (!row) return sendError(res, 404, 'NOT_FOUND', `No conversation ${id} in this workspace`);
    res.json(conversationJson(row));
  });

  router.post('/api/v1/conversations/:id/reopen', async (req, res) => {
    const id = conversationId(req, res);
    if (!id) return;
    try {
      const row = await reopenConversation(deps.db, ws, id, ADMIN_ACTOR);
      if (!row) return sendError(res, 404, 'NOT_FOUND', `No conversation ${id} in this workspace`);
      res.json(conversationJson(row));
    } catch (err) {
      if (!(err instanceof ConversationAlreadyLiveError)) throw err;
      sendError(res, 409, err.code, err.message, { live_conversation_id: err.liveConversationId, hint: 'Continue the live conversation instead' });
    }
  });

  return router;
}
