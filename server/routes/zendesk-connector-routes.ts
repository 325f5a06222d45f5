import crypto from 'node:crypto';
import { Router } from 'express';
import { provisionCsat } from '../../connectors/zendesk/csat/provision-csat';
import { CONNECT_CODE_PURPOSE, zendeskRoutes } from '../../connectors/zendesk/routes';
import { zendeskSidebarRoutes, type SidebarReads } from '../../connectors/zendesk/sidebar';
import { zendeskApiBase } from '../../connectors/zendesk/zendesk-settings';
import { readConversationConsent } from '../../core/conversations/read-consent';
import { readConversation } from '../../core/conversations/read-conversations';
import { listTemplates } from '../../core/templates/list-templates';
import { redeemConnectCode } from '../../core/auth/connect-codes';
import { LoginAttempts } from '../../core/auth/login-attempts';
import { writeAudit } from '../../core/audit/write-audit';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import type { Db } from '../../core/db/connect';
import { listNumbers } from '../../core/numbers/register-number';
import { findLinkedEntity, saveLinks } from '../../core/sync/external-links';
import { requireAdminToken } from '../admin/require-admin-token';
import type { Config } from '../config';
import { sendError } from '../http-errors';
import { connectCodeRoutes } from './connect-codes';
import { installationIdParam } from './connector-wiring';

/** Core's reads the sidebar shows, bound to the database. */
export function sidebarReads(db: Db): SidebarReads {
  return {
    readConversation: (ws, id) => readConversation(db, ws, id),
    readConsent: (ws, id) => readConversationConsent(db, ws, id),
    findLinkedEntity: (ws, installationIds, link) => findLinkedEntity(db, ws, installationIds, link),
    listTemplates: (ws, filter) => listTemplates(db, ws, filter),
  };
}

/**
 * Wires the Zendesk connector's routes (install, events, channelback, CSAT webhook, sidebar) to core's services, and the admin
 * routes: its connect codes, and provisioning the CSAT webhook and trigger of an installation.
 */
export function zendeskConnectorRoutes(deps: PlatformRequestDeps & { config: Config; workspaceId: string }): Router[] {
  const { db, config } = deps;
  const app = config.zendesk && { ...config.zendesk, timeoutMs: 10_000 };
  const admin = Router();
  admin.post('/api/v1/zendesk/installations/:id/provision-csat', requireAdminToken(config.adminToken), async (req, res) => {
    const id = installationIdParam(req, res, '/api/v1/installations');
    if (id === undefined) return;
    const result = await provisionCsat({ db, secrets: deps.secrets, publicUrl: config.publicUrl, ...(app === undefined ? {} : { oauth: app }) }, deps.workspaceId, id);
    if (!result.ok) {
      sendError(res, result.status, result.code, result.message);
      return;
    }
    if (result.created) {
      await writeAudit(db, { workspaceId: deps.workspaceId, actor: 'admin', action: 'installation.csat_provisioned', entityType: 'installation', entityId: id, data: { webhookId: result.webhookId, triggerId: result.triggerId } });
    }
    res.status(result.created ? 201 : 200).json({ id: id, webhook_id: result.webhookId, trigger_id: result.triggerId });
  });
  return [
    admin,
    zendeskRoutes({
      ...deps,
      publicUrl: config.publicUrl,
      production: config.nodeEnv === 'production',
      app,
      loginAttempts: new LoginAttempts({ db, secrets: deps.secrets }),
      redeemConnectCode: (purpose, code) => redeemConnectCode(db, purpose, code),
      listNumbers: async (workspaceId) => (await listNumbers(db, workspaceId))
        .filter((n) => n.state === 'active')
        .map((n) => ({ phoneNumberId: n.phone_number_id, displayPhoneNumber: n.display_phone_number, verifiedName: n.verified_name })),
      saveLinks: (workspaceId, installationId, writes) => saveLinks(db, workspaceId, installationId, writes),
      audit: (entry) => writeAudit(db, entry),
    }),
    zendeskSidebarRoutes({
      db, secrets: deps.secrets, logger: deps.logger, send: deps.send, workspaceId: deps.workspaceId,
      // Derived, so the sidebar's session tokens need no secret of their own and rotate with the encryption key.
      sessionKey: Buffer.from(crypto.hkdfSync('sha256', config.encryptionKey, Buffer.alloc(0), 'threadline:zendesk-sidebar-session', 32)),
      ...(zendeskApiBase() === undefined ? {} : { apiBase: zendeskApiBase() }),
      app: config.zendeskApp ?? {},
      ...(app === undefined ? {} : { oauth: app }),
      reads: sidebarReads(db),
    }),
    connectCodeRoutes({ db, adminToken: config.adminToken, workspaceId: deps.workspaceId, platforms: [CONNECT_CODE_PURPOSE] }),
  ];
}
