import { Router } from 'express';
import { CONNECT_CODE_PURPOSE, disconnectSalesforce, salesforceInstallationStatus, salesforceRoutes } from '../../connectors/salesforce/routes';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import { requireAdminToken } from '../admin/require-admin-token';
import type { Config } from '../config';
import { sendError } from '../http-errors';
import { connectCodeRoutes } from './connect-codes';
import { installationIdParam, oauthInstallDeps } from './connector-wiring';

/**
 * Wires the Salesforce connector's routes (install, the package's callouts) to core's services, and the admin
 * API around it: connect codes for the install, the orgs (login host, reconnect needed, last refresh, whether
 * the callout key is in place), and disconnecting an org (which revokes Threadline's grant in Salesforce).
 */
export function salesforceConnectorRoutes(deps: PlatformRequestDeps & { config: Config; workspaceId: string; mediaUrlFor?: (messageId: string) => string }): Router[] {
  const { db, config, workspaceId } = deps;
  const app = config.salesforce;
  const admin = Router();
  const adminOnly = requireAdminToken(config.adminToken);
  admin.get('/api/v1/salesforce/installations', adminOnly, async (_req, res) => {
    const items = await salesforceInstallationStatus({ ...deps, app }, workspaceId);
    res.json({
      items: items.map((s) => ({
        id: s.id, org_id: s.orgId, instance_url: s.instanceUrl, login_kind: s.loginKind ?? null, state: s.state,
        last_refresh_at: s.lastRefreshAt, refresh_refused_at: s.refreshRefusedAt ?? null,
        callout_key: s.calloutKey.state, ...(s.calloutKey.state === 'unknown' ? { callout_key_problem: s.calloutKey.reason } : {}),
      })),
    });
  });
  admin.delete('/api/v1/salesforce/installations/:id', adminOnly, async (req, res) => {
    const id = installationIdParam(req, res, '/api/v1/salesforce/installations');
    if (id === undefined) return;
    const result = await disconnectSalesforce(deps, workspaceId, id, 'admin');
    if (!result.ok) sendError(res, result.status, result.code, result.message);
    else res.json({ id: result.installationId, org_id: result.orgId, state: 'uninstalled', token_revoked: result.tokenRevoked });
  });
  return [
    salesforceRoutes({
      ...deps,
      ...oauthInstallDeps(db, deps.secrets, config),
      app,
    }),
    admin,
    connectCodeRoutes({ db, adminToken: config.adminToken, workspaceId, platforms: [CONNECT_CODE_PURPOSE] }),
  ];
}
