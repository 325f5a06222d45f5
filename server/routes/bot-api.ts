import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { botInForce } from '../../core/automation/bot-in-force';
import { handOffToPerson, ownerOf } from '../../core/automation/bot-ownership';
import { botOfSecret, type BotScope } from '../../core/automation/bot-secret';
import { ruleInForce } from '../../core/automation/rules';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { send } from '../../core/send/send-message';
import { idParam } from '../admin/admin-schemas';
import { parseRequest } from '../admin/parse-request';
import { sendError } from '../http-errors';
import { SEND_ERROR_STATUS } from './admin-messages';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface BotApiDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  workspaceId: string;
}

export const handoffBody = z.object({
  reason: z.string().trim().min(1).max(500),
  team: z.string().min(1).max(40).optional(),
}).strict();

interface OwnedConversation {
  id: string;
  numberId: string;
  botName: string;
}

/**
 * What a bot calls (issue 7 item 4), authenticated with its signing secret as `Authorization: Bearer <secret>`:
 * `POST /api/v1/bot/conversations/:id/messages` answers the customer through core send (same body and
 * Idempotency-Key as the admin API), `POST /api/v1/bot/conversations/:id/handoff { reason, team? }` gives the
 * conversation to a person. Only while the bot owns the conversation: afterwards 409 BOT_NOT_OWNER.
 */
export function botApiRoutes(deps: BotApiDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  router.use('/api/v1/bot', express.json({ limit: '1mb', verify: refuseInvalidUtf8 }), async (req, res, next) => {
    const token = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const bot = token === undefined ? undefined : await botOfSecret(deps.db, deps.secrets, ws, token);
    if (!bot) {
      res.set('WWW-Authenticate', 'Bearer realm="threadline-bot"');
      return sendError(res, 401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <the bot\'s signing secret> (POST /api/v1/automation/bot/secret shows a new one)');
    }
    res.locals.bot = bot;
    next();
  });

  /** The conversation, when it is on a number this bot serves and the bot owns it; otherwise answered with the reason. */
  const owned = async (req: Request, res: Response): Promise<OwnedConversation | undefined> => {
    const params = parseRequest(idParam, req.params, res);
    if (!params) return undefined;
    const scope = res.locals.bot as BotScope;
    const row: { whatsapp_number_id: string } | undefined = await deps.db('conversation').where({ workspace_id: ws, id: params.id }).first('whatsapp_number_id');
    const bot = row && await botInForce(deps.db, ws, row.whatsapp_number_id);
    if (!row || !bot || bot.scope.numberId !== scope.numberId) {
      sendError(res, 404, 'NOT_FOUND', `No conversation ${params.id} on a number this bot serves`);
      return undefined;
    }
    if (await ownerOf(deps.db, { workspaceId: ws, conversationId: params.id }) !== 'bot') {
      sendError(res, 409, 'BOT_NOT_OWNER', 'A person holds this conversation (handed off, or taken on a platform): the bot stays silent until it is closed or handed back');
      return undefined;
    }
    return { id: params.id, numberId: row.whatsapp_number_id, botName: bot.rule.name };
  };

  router.post('/api/v1/bot/conversations/:id/messages', async (req, res) => {
    const conversation = await owned(req, res);
    if (!conversation) return;
    const key = req.get('idempotency-key');
    if (!key || key.length > 200) return sendError(res, 400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (1 to 200 characters) unique to this message');
    const scope = res.locals.bot as BotScope;
    const botId = `bot:${scope.numberId ?? 'workspace'}`;
    const result = await send({ db: deps.db }, {
      // The bot's keys are its own: they can never collide with another sender's.
      workspaceId: ws, conversationId: conversation.id, idempotencyKey: `${botId}:${key}`,
      sender: { platform: 'bot', id: botId, name: conversation.botName }, content: req.body,
    });
    if (!result.ok) {
      const { code, message, ...extra } = result.error;
      return sendError(res, SEND_ERROR_STATUS[code], code, message, extra);
    }
    if (result.duplicate) res.set('Idempotent-Replayed', 'true');
    res.status(202).json({ message_id: result.outbound.messageId, state: result.outbound.state, status: result.outbound.messageStatus });
  });

  router.post('/api/v1/bot/conversations/:id/handoff', async (req, res) => {
    const conversation = await owned(req, res);
    const body = conversation && parseRequest(handoffBody, req.body, res);
    if (!conversation || !body) return;
    if (body.team !== undefined) {
      const teams = await ruleInForce(deps.db, ws, conversation.numberId, 'teams');
      if (!teams?.teams.some((t) => t.key === body.team)) {
        return sendError(res, 400, 'UNKNOWN_TEAM', `team: "${body.team}" is not a team of this number (teams: ${teams?.teams.map((t) => t.key).join(', ') || 'none'})`);
      }
    }
    const handedOff = await handOffToPerson(deps, { workspaceId: ws, conversationId: conversation.id, reason: body.reason, team: body.team });
    if (!handedOff) return sendError(res, 409, 'BOT_NOT_OWNER', 'A person took the conversation meanwhile');
    res.json({ conversation_id: conversation.id, owner: 'person', reason: body.reason, team: body.team ?? null });
  });

  return router;
}
