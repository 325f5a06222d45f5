import { parseInstallation } from '../../../core/connectors/define-connector';
import { uninstallConnector } from '../../../core/connectors/installations';
import { openActiveInstallations, openInstallation } from '../../../core/connectors/open-installation';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import type { Logger } from '../../../core/observability/logger';
import { needsReinstall, withAccessToken, type AccessTokenOptions } from '../access-token';
import { HUBSPOT_CONNECTOR_ID } from '../hubspot-id';
import type { HubSpotResult } from '../hubspot-result';
import { hubspotConfigSchema, hubspotCredentialsSchema } from '../hubspot-settings';
import type { HubSpotOAuthApp } from './oauth-app';

const schemas = { displayName: 'HubSpot', configSchema: hubspotConfigSchema, credentialsSchema: hubspotCredentialsSchema };

interface Deps { db: Db; secrets: SecretBox; logger: Logger; app: HubSpotOAuthApp }

export type DisconnectResult =
  | { ok: true; installationId: string; portalId: number; hubspotConfirmed: boolean }
  | { ok: false; status: 404 | 409 | 502; code: string; message: string };

/**
 * An admin disconnects a portal from Threadline (reference §1.5): HubSpot is told first with
 * `DELETE /appinstalls/v3/external-install` (required for listed apps; HubSpot then uninstalls the app and
 * emails the customer), then the installation is removed here. When HubSpot already dropped the install
 * (refresh refused, token dead) there is nothing to tell it and the local uninstall goes ahead; when it
 * cannot be reached the installation is kept, so the admin can try again and the portal is not left
 * with an app Threadline no longer serves.
 */
export async function disconnectHubSpot(deps: Deps, workspaceId: string, installationId: string, actor: string, options: AccessTokenOptions = {}): Promise<DisconnectResult> {
  const opened = await openInstallation(deps, workspaceId, installationId);
  if (!opened.ok || opened.record.connector !== HUBSPOT_CONNECTOR_ID) {
    return { ok: false, status: 404, code: 'NOT_FOUND', message: `No active HubSpot installation ${installationId} in this workspace` };
  }
  const parsed = parseInstallation(schemas, opened.record);
  if (!parsed.ok) return { ok: false, status: 409, code: parsed.code, message: parsed.message };
  const { installation } = parsed;
  const told = await withAccessToken(installation, (token) => uninstallAtHubSpot(deps.app, token), { app: deps.app, ...options });
  const alreadyGone = !told.ok && (told.error.code === 'INVALID_GRANT' || told.error.code === 'UNAUTHORIZED');
  if (!told.ok && !alreadyGone) {
    deps.logger.warn({ installationId, code: told.error.code }, 'HubSpot did not confirm the uninstall');
    return { ok: false, status: 502, code: told.error.code, message: `HubSpot did not confirm the uninstall (${told.error.message}); the installation is kept: try again` };
  }
  await uninstallConnector(deps.db, workspaceId, installationId, actor);
  return { ok: true, installationId, portalId: installation.config.portalId, hubspotConfirmed: told.ok };
}

async function uninstallAtHubSpot(app: HubSpotOAuthApp, accessToken: string): Promise<HubSpotResult<null>> {
  let response: Response;
  try {
    response = await fetch(`${app.apiBase}/appinstalls/v3/external-install`, {
      method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: `HubSpot did not answer: ${(error as Error).message}` } };
  }
  await response.body?.cancel();
  if (response.status === 204 || response.ok) return { ok: true, value: null };
  const status = response.status;
  if (status === 401) return { ok: false, error: { code: 'UNAUTHORIZED', status, message: 'HubSpot refused the access token' } };
  if (status === 403) return { ok: false, error: { code: 'FORBIDDEN', status, message: 'HubSpot refused: the oauth scope is missing' } };
  if (status === 429) return { ok: false, error: { code: 'RATE_LIMITED', status, message: 'HubSpot rate-limited the request', retryAfterMs: 10_000 } };
  return { ok: false, error: { code: status >= 500 ? 'PLATFORM_UNAVAILABLE' : 'VALIDATION', status, message: `HubSpot answered HTTP ${status}` } };
}

/** What the admin sees of a workspace's HubSpot portals: which ones need a re-install (refresh refused). */
export async function hubspotInstallationStatus(deps: { db: Db; secrets: SecretBox }, workspaceId: string): Promise<Array<{
  id: string; portalId: number; grantedScopes: string[]; needsReinstall: boolean; phoneNumberId: string | null;
}>> {
  const records = await openActiveInstallations(deps, HUBSPOT_CONNECTOR_ID, { workspaceId, alsoReinstallRequired: true });
  return records.flatMap((record) => {
    const parsed = parseInstallation(schemas, record);
    if (!parsed.ok) return [];
    const { config, credentials } = parsed.installation;
    return [{ id: record.id, portalId: config.portalId, grantedScopes: config.grantedScopes, needsReinstall: needsReinstall(credentials), phoneNumberId: config.phoneNumberId ?? null }];
  });
}
