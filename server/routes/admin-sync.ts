import express, { Router } from 'express';
import { z } from 'zod';
import type { SendFunction } from '../../core/connectors/contract';
import { installConnector, listInstallations, uninstallConnector, updateInstallationSettings } from '../../core/connectors/installations';
import { receivePlatformRequest } from '../../core/connectors/receive-platform-request';
import type { ConnectorRegistry } from '../../core/connectors/registry';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { listSyncDeadLetters, replaySyncDeadLetter } from '../../core/sync/sync-dead-letters';
import { requireAdminToken } from '../admin/require-admin-token';
import { parseRequest } from '../admin/parse-request';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminSyncDeps {
  db: Db;
  secrets: SecretBox;
  registry: ConnectorRegistry;
  adminToken: string;
  /** The workspace the admin token acts on (self-hosted install). */
  workspaceId: string;
}

const ADMIN_ACTOR = 'admin-token';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before_id: z.coerce.number().int().positive().optional(),
  installation_id: z.string().uuid().optional(),
});
const deadLetterParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const installationParam = z.object({ id: z.string().uuid('must be an installation id (uuid)') });
const settingsBody = z.object({ settings: z.record(z.string(), z.unknown()) }).strict();
const installBody = z.object({
  connector: z.string().min(1),
  account_id: z.string().min(1).max(255),
  config: z.record(z.string(), z.unknown()).default({}),
  credentials: z.record(z.string(), z.unknown()),
}).strict();

/** Sync dead letters and connector installations of the admin token's workspace. */
export function adminSyncRoutes(deps: AdminSyncDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  const guard = [requireAdminToken(deps.adminToken), express.json({ limit: '1mb', verify: refuseInvalidUtf8 })];
  router.use('/api/v1/sync', ...guard);
  router.use('/api/v1/installations', ...guard);

  router.get('/api/v1/sync/dead-letters', async (req, res) => {
    const query = parseRequest(listQuery, req.query, res);
    if (!query) return;
    res.json({ items: await listSyncDeadLetters(deps.db, ws, { limit: query.limit, beforeId: query.before_id, installationId: query.installation_id }) });
  });

  router.post('/api/v1/sync/dead-letters/:id/replay', async (req, res) => {
    const params = parseRequest(deadLetterParam, req.params, res);
    if (!params) return;
    const result = await replaySyncDeadLetter(deps.db, ws, params.id, ADMIN_ACTOR);
    if (!result.ok) {
      sendError(res, result.code === 'NOT_FOUND' ? 404 : 409, result.code, result.message);
      return;
    }
    res.status(202).json({ id: params.id, state: 'pending' });
  });

  router.get('/api/v1/installations', async (_req, res) => {
    res.json({
      items: await listInstallations(deps.db, ws),
      connectors: deps.registry.list().map((c) => ({ id: c.id, display_name: c.displayName, capabilities: c.capabilityNames })),
    });
  });

  router.post('/api/v1/installations', async (req, res) => {
    const body = parseRequest(installBody, req.body, res);
    if (!body) return;
    const result = await installConnector(deps, ws, { connector: body.connector, accountId: body.account_id, config: body.config, credentials: body.credentials }, ADMIN_ACTOR);
    if (!result.ok) {
      sendError(res, result.code === 'UNKNOWN_CONNECTOR' ? 404 : 422, result.code, result.message);
      return;
    }
    res.status(result.created ? 201 : 200).json(result.installation);
  });

  router.patch('/api/v1/installations/:id', async (req, res) => {
    const params = parseRequest(installationParam, req.params, res);
    const body = params && parseRequest(settingsBody, req.body, res);
    if (!params || !body) return;
    const result = await updateInstallationSettings(deps, ws, params.id, body.settings, ADMIN_ACTOR);
    if (!result.ok) {
      sendError(res, result.code === 'NOT_FOUND' || result.code === 'UNKNOWN_CONNECTOR' ? 404 : 422, result.code, result.message);
      return;
    }
    res.json(result.installation);
  });

  router.delete('/api/v1/installations/:id', async (req, res) => {
    const params = parseRequest(installationParam, req.params, res);
    if (!params) return;
    const removed = await uninstallConnector(deps.db, ws, params.id, ADMIN_ACTOR);
    if (!removed) {
      sendError(res, 404, 'NOT_FOUND', `No installation ${params.id} in this workspace`);
      return;
    }
    res.json(removed);
  });

  return router;
}

/**
 * Where platforms call us for one installation: agent replies and template triggers. No admin
 * token: the connector verifies the platform's signature on the raw body.
 */
export function connectorRequestRoutes(deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry; logger: Logger; send: SendFunction }): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '1mb' });
  for (const kind of ['reply', 'template'] as const) {
    router.post(`/connectors/:connector/installations/:installationId/${kind === 'reply' ? 'replies' : 'templates'}`, raw, async (req, res) => {
      const params = parseRequest(z.object({ connector: z.string(), installationId: z.string().uuid() }), req.params, res);
      if (!params) return;
      const connector = deps.registry.get(params.connector);
      if (connector?.ownRequestRoutes) {
        sendError(res, 404, 'NOT_FOUND', `${connector.displayName} calls Threadline at the connector's own endpoints, not this one`);
        return;
      }
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let body: unknown;
      try {
        body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : {};
      } catch {
        sendError(res, 400, 'MALFORMED_JSON', 'The body is not valid JSON');
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const answer = await receivePlatformRequest(deps, { connector: params.connector, installationId: params.installationId }, kind, { headers, rawBody, body });
      res.status(answer.status).json(answer.body);
    });
  }
  return router;
}
