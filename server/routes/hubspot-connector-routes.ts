import { Router } from 'express';
import { z } from 'zod';
import { CONNECT_CODE_PURPOSE, disconnectHubSpot, hubspotInstallationStatus, hubspotRoutes } from '../../connectors/hubspot/routes';
import { redeemConnectCode } from '../../core/auth/connect-codes';
import { LoginAttempts } from '../../core/auth/login-attempts';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import { requireAdminToken } from '../admin/require-admin-token';
import type { Config } from '../config';
import { sendError } from '../http-errors';
import { connectCodeRoutes } from './connect-codes';

const installationId = z.uuid();

/**
 * Wires the HubSpot connector's routes (install, webhooks, card, workflow action) to core's services, and
 * the admin API around it: connect codes for the install, the portals and whether one needs a re-install,
 * and disconnecting a portal (which uninstalls the app in HubSpot too).
 */
export function hubspotConnectorRoutes(deps: PlatformRequestDeps & { config: Config; workspaceId: string }): Router[] {
  const { db, config, workspaceId } = deps;
  const app = config.hubspot;
  const admin = Router();
  const adminOnly = requireAdminToken(config.adminToken);
  admin.get('/api/v1/hubspot/installations', adminOnly, async (_req, res) => {
    res.json({ items: await hubspotInstallationStatus(deps, workspaceId) });
  });
  admin.delete('/api/v1/hubspot/installations/:id', adminOnly, async (req, res) => {
    const id = installationId.safeParse(req.params.id);
    if (!id.success) {
      sendError(res, 400, 'INVALID_ID', 'The installation id must be a UUID (see GET /api/v1/hubspot/installations)');
      return;
    }
    if (!app) {
      sendError(res, 503, 'NOT_CONFIGURED', 'Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: Threadline must tell HubSpot about the uninstall');
      return;
    }
    const result = await disconnectHubSpot({ ...deps, app }, workspaceId, id.data, 'admin');
    if (!result.ok) sendError(res, result.status, result.code, result.message);
    else res.json({ id: result.installationId, portal_id: result.portalId, state: 'uninstalled', hubspot_confirmed: result.hubspotConfirmed });
  });
  return [
    hubspotRoutes({
      ...deps,
      publicUrl: config.publicUrl,
      production: config.nodeEnv === 'production',
      app,
      loginAttempts: new LoginAttempts({ db, secrets: deps.secrets }),
      redeemConnectCode: (purpose, code) => redeemConnectCode(db, purpose, code),
    }),
    admin,
    connectCodeRoutes({ db, adminToken: config.adminToken, workspaceId, platforms: [CONNECT_CODE_PURPOSE] }),
  ];
}
