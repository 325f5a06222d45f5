import { z } from 'zod';
import { uninstallConnector } from '../../core/connectors/installations';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { salesforceInstallations } from './oauth/salesforce-installations';
import type { SalesforceResult } from './salesforce-result';
import type { SalesforceCredentials } from './salesforce-settings';

interface Deps { db: Db; secrets: SecretBox; logger: Logger }

export type DisconnectResult =
  | { ok: true; installationId: string; orgId: string; tokenRevoked: boolean }
  | { ok: false; status: 404 | 502; code: string; message: string };

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * An admin disconnects an org (reference §1.3): its refresh token is revoked at the login host it was granted
 * by, which ends every access token of the grant too, then the installation is removed here. The revoke of an
 * active installation runs under its lock, so no refresh can rotate the token meanwhile. A token Salesforce no longer
 * knows (revoked in Setup, idle 30 days, refused earlier) is already what a disconnect wants; when Salesforce
 * cannot be reached the installation is kept, so the admin can try again rather than leave a live grant behind.
 */
export async function disconnectSalesforce(deps: Deps, workspaceId: string, installationId: string, actor: string): Promise<DisconnectResult> {
  const found = (await salesforceInstallations(deps, workspaceId)).find((p) => p.installation.id === installationId);
  if (!found) return { ok: false, status: 404, code: 'NOT_FOUND', message: `No Salesforce installation ${installationId} in this workspace` };
  const { installation, state } = found;
  const revokeStored = async (stored: SalesforceCredentials): Promise<SalesforceResult<boolean>> => (stored.refreshRefusedAt === undefined
    ? revokeToken(stored.loginUrl, stored.refreshToken)
    : { ok: true, value: false });
  let revoked: SalesforceResult<boolean> | undefined;
  // Only an active installation refreshes, so only there can the token change under us.
  if (state === 'active') {
    await installation.updateCredentials(async (stored) => {
      revoked = await revokeStored(stored);
      return null;
    });
  }
  revoked ??= await revokeStored(installation.credentials);
  if (!revoked.ok) {
    deps.logger.warn({ installationId, code: revoked.error.code }, 'Salesforce did not confirm the token revoke');
    return { ok: false, status: 502, code: revoked.error.code, message: `Salesforce did not revoke Threadline's token (${revoked.error.message}); the installation is kept: try again` };
  }
  await uninstallConnector(deps.db, workspaceId, installationId, actor);
  return { ok: true, installationId, orgId: installation.config.orgId, tokenRevoked: revoked.value };
}

/** `POST <login host>/services/oauth2/revoke`: true when revoked now, false when Salesforce no longer knew the token. */
async function revokeToken(loginUrl: string, token: string): Promise<SalesforceResult<boolean>> {
  let response: Response;
  try {
    response = await fetch(`${loginUrl}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: `the revoke endpoint did not answer: ${(error as Error).message}` } };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, value: true };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = oauthError.safeParse(body);
  if (response.status === 400 && error.success && error.data.error === 'invalid_token') return { ok: true, value: false };
  const detail = error.success ? `${error.data.error}${error.data.error_description ? `: ${error.data.error_description}` : ''}` : `HTTP ${response.status}`;
  return { ok: false, error: { code: response.status >= 500 ? 'PLATFORM_UNAVAILABLE' : 'VALIDATION', status: response.status, message: detail } };
}
