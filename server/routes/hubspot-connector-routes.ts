import { Router } from 'express';
import { CONNECT_CODE_PURPOSE, disconnectHubSpot, hubspotInstallationStatus, hubspotRoutes } from '../../connectors/hubspot/routes';
import { HUBSPOT_CONNECTOR_ID } from '../../connectors/hubspot/hubspot-id';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import { requireAdminToken } from '../admin/require-admin-token';
import type { Config } from '../config';
import { sendError } from '../http-errors';
import { connectCodeRoutes } from './connect-codes';
import { installationIdParam, oauthInstallDeps } from './connector-wiring';

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
    const id = installationIdParam(req, res, '/api/v1/hubspot/installations');
    if (id === undefined) return;
    const known = await db('installation').where({ workspace_id: workspaceId, id, connector: HUBSPOT_CONNECTOR_ID }).whereNot({ state: 'uninstalled' }).first('id');
    if (!known) {
      sendError(res, 404, 'NOT_FOUND', `No connected HubSpot portal ${id} in this workspace (see GET /api/v1/hubspot/installations)`);
      return;
    }
    if (!app) {
      sendError(res, 503, 'NOT_CONFIGURED', 'Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: Threadline must tell HubSpot about the uninstall');
      return;
    }
    const result = await disconnectHubSpot({ ...deps, app }, workspaceId, id, 'admin');
    if (!result.ok) sendError(res, result.status, result.code, result.message);
    else res.json({ id: result.installationId, portal_id: result.portalId, state: 'uninstalled', hubspot_confirmed: result.hubspotConfirmed });
  });
  return [
    hubspotRoutes({
      ...deps,
      ...oauthInstallDeps(db, deps.secrets, config),
      app,
    }),
    admin,
    connectCodeRoutes({ db, adminToken: config.adminToken, workspaceId, platforms: [CONNECT_CODE_PURPOSE] }),
  ];
}
