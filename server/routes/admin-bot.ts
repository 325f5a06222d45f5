import express, { Router } from 'express';
import { z } from 'zod';
import { listBotDeadLetters, replayBotDeadLetter } from '../../core/automation/bot-dead-letters';
import { botInForce } from '../../core/automation/bot-in-force';
import { handToBot } from '../../core/automation/bot-ownership';
import { rotateBotSecret } from '../../core/automation/bot-secret';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import { idParam } from '../admin/admin-schemas';
import { parseRequest } from '../admin/parse-request';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminBotDeps {
  db: Db;
  secrets: SecretBox;
  adminToken: string;
  workspaceId: string;
}

export const secretBody = z.object({
  phone_number_id: z.string().regex(/^\d{5,20}$/, 'must be a numeric Phone number ID; leave it out for the workspace\'s bot').optional(),
}).strict();
const forwardParam = z.object({ id: z.uuid('must be a dead letter id (uuid)') });

/**
 * The admin side of bots (issue 7 item 4): `POST /api/v1/automation/bot/secret` makes the bot's signing secret and
 * shows it once; `GET /api/v1/automation/bot/dead-letters` lists messages the bot never took, `POST …/:id/replay`
 * sends one again; `POST /api/v1/conversations/:id/hand-to-bot` gives a conversation (back) to its bot.
 */
export function adminBotRoutes(deps: AdminBotDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  router.use(['/api/v1/automation/bot', '/api/v1/conversations/:id/hand-to-bot'], requireAdminToken(deps.adminToken), express.json({ limit: '16kb', verify: refuseInvalidUtf8 }));

  router.post('/api/v1/automation/bot/secret', async (req, res) => {
    const body = parseRequest(secretBody, req.body ?? {}, res);
    if (!body) return;
    let numberId: string | null = null;
    if (body.phone_number_id !== undefined) {
      const row: { id: string } | undefined = await deps.db('whatsapp_number').where({ workspace_id: ws, phone_number_id: body.phone_number_id }).first('id');
      if (!row) return sendError(res, 404, 'NUMBER_NOT_FOUND', `No WhatsApp number ${body.phone_number_id} in this workspace (see GET /api/v1/numbers)`);
      numberId = row.id;
    }
    const secret = await rotateBotSecret(deps.db, deps.secrets, { workspaceId: ws, numberId }, 'admin');
    res.status(201).json({
      phone_number_id: body.phone_number_id ?? null, secret,
      note: 'Shown once: the bot verifies X-Threadline-Signature with it and sends it as Authorization: Bearer. The previous secret no longer works.',
    });
  });

  router.get('/api/v1/automation/bot/dead-letters', async (_req, res) => {
    const rows = await listBotDeadLetters(deps.db, ws, { limit: 100 });
    res.json({ items: rows.map((r) => ({ id: r.id, conversation_id: r.conversation_id, message_id: r.message_id, attempts: r.attempts, error: r.last_error, failed_at: r.finished_at.toISOString() })) });
  });

  router.post('/api/v1/automation/bot/dead-letters/:id/replay', async (req, res) => {
    const params = parseRequest(forwardParam, req.params, res);
    if (!params) return;
    const replayed = await replayBotDeadLetter(deps.db, ws, params.id, 'admin-token');
    if (!replayed.ok) return sendError(res, 404, 'NOT_FOUND', replayed.message);
    res.status(202).json({ id: params.id, state: 'pending' });
  });

  router.post('/api/v1/conversations/:id/hand-to-bot', async (req, res) => {
    const params = parseRequest(idParam, req.params, res);
    if (!params) return;
    const row: { whatsapp_number_id: string } | undefined = await deps.db('conversation').where({ workspace_id: ws, id: params.id }).first('whatsapp_number_id');
    if (!row) return sendError(res, 404, 'NOT_FOUND', `No conversation ${params.id} in this workspace`);
    if (!(await botInForce(deps.db, ws, row.whatsapp_number_id))) {
      return sendError(res, 409, 'NO_BOT', 'No bot is on for this conversation\'s number: save a bot rule first (PUT /api/v1/automation/rules/bot)');
    }
    await handToBot(deps.db, { workspaceId: ws, conversationId: params.id }, 'admin');
    res.json({ conversation_id: params.id, owner: 'bot' });
  });

  return router;
}
