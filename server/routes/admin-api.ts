import express, { Router, type Request, type Response } from 'express';
import { listConversations, readConversation } from '../../core/conversations/read-conversations';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import { listDeadLetters, replayDeadLetter } from '../../core/inbox/dead-letters';
import type { NumberDirectory } from '../../core/inbox/number-directory';
import { connectNumber } from '../../core/numbers/connect-number';
import { listNumbers } from '../../core/numbers/register-number';
import type { GraphClient } from '../../core/whatsapp/graph-client';
import { deadLetterParam, idParam, listConversationsQuery, listDeadLettersQuery, registerNumberBody } from '../admin/admin-schemas';
import { adminOpenApi } from '../admin/openapi';
import { requireAdminToken } from '../admin/require-admin-token';
import { parseRequest } from '../admin/parse-request';
import { numberRefusalStatus, sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminApiDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  directory: NumberDirectory;
  adminToken: string;
  publicUrl: string;
  /** The workspace the admin token acts on (self-hosted install). */
  workspaceId: string;
}

const ADMIN_ACTOR = 'admin-token';

export function adminApiRoutes(deps: AdminApiDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;

  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(adminOpenApi(deps.publicUrl));
  });
  router.use('/api/v1', requireAdminToken(deps.adminToken), express.json({ limit: '1mb', verify: refuseInvalidUtf8 }));

  router.get('/api/v1/numbers', async (_req, res) => {
    res.json({ items: await listNumbers(deps.db, ws) });
  });

  router.post('/api/v1/numbers', async (req: Request, res: Response) => {
    const body = parseRequest(registerNumberBody, req.body, res);
    if (!body) return;
    const result = await connectNumber(deps, ws, { phoneNumberId: body.phone_number_id, wabaId: body.waba_id, accessToken: body.access_token, readReceipts: body.read_receipts }, ADMIN_ACTOR);
    if (!result.ok) {
      sendError(res, numberRefusalStatus(result.error.code), result.error.code, result.error.message);
      return;
    }
    res.status(result.created ? 201 : 200).json(result.number);
  });

  router.get('/api/v1/conversations', async (req, res) => {
    const query = parseRequest(listConversationsQuery, req.query, res);
    if (!query) return;
    const page = await listConversations(deps.db, ws, { status: query.status, phoneNumberId: query.phone_number_id, limit: query.limit, cursor: query.cursor });
    if ('error' in page) {
      sendError(res, 400, 'INVALID_CURSOR', 'cursor is not one this API returned; start again without it');
      return;
    }
    res.json({ items: page.items, next_cursor: page.nextCursor });
  });

  router.get('/api/v1/conversations/:id', async (req, res) => {
    const params = parseRequest(idParam, req.params, res);
    if (!params) return;
    const conversation = await readConversation(deps.db, ws, params.id);
    if (!conversation) {
      sendError(res, 404, 'NOT_FOUND', `No conversation ${params.id} in this workspace`);
      return;
    }
    res.json(conversation);
  });

  router.get('/api/v1/dead-letters', async (req, res) => {
    const query = parseRequest(listDeadLettersQuery, req.query, res);
    if (!query) return;
    res.json({ items: await listDeadLetters(deps.db, ws, { limit: query.limit, beforeId: query.before_id }) });
  });

  router.post('/api/v1/dead-letters/:id/replay', async (req, res) => {
    const params = parseRequest(deadLetterParam, req.params, res);
    if (!params) return;
    const result = await replayDeadLetter(deps.db, ws, params.id, ADMIN_ACTOR);
    if (!result.ok) {
      sendError(res, result.code === 'NOT_FOUND' ? 404 : 409, result.code, result.message);
      return;
    }
    res.status(202).json({ id: params.id, state: 'pending' });
  });

  return router;
}
