import type { Request, Response } from 'express';
import { z } from 'zod';
import { disconnectHubSpot } from '../../connectors/hubspot/routes';
import { HUBSPOT_CONNECTOR_ID } from '../../connectors/hubspot/hubspot-id';
import { disconnectSalesforce } from '../../connectors/salesforce/routes';
import { SALESFORCE_CONNECTOR_ID } from '../../connectors/salesforce/salesforce-id';
import { redeemConnectCode } from '../../core/auth/connect-codes';
import { LoginAttempts } from '../../core/auth/login-attempts';
import { listInstallations, uninstallConnector } from '../../core/connectors/installations';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import type { Config } from '../config';
import { sendError } from '../http-errors';

/** What every OAuth connector's install routes take from the server (HubSpot, Salesforce): one place to build it. */
export function oauthInstallDeps(db: Db, secrets: SecretBox, config: Config) {
  return {
    publicUrl: config.publicUrl,
    production: config.nodeEnv === 'production',
    loginAttempts: new LoginAttempts({ db, secrets }),
    redeemConnectCode: (purpose: string, code: string) => redeemConnectCode(db, purpose, code),
  };
}

const installationId = z.uuid();

/** The `:id` of an admin installation route as a UUID, or undefined after answering 400 (naming where ids are listed). */
export function installationIdParam(req: Request, res: Response, listPath: string): string | undefined {
  const id = installationId.safeParse(req.params.id);
  if (!id.success) sendError(res, 400, 'INVALID_ID', `The installation id must be a UUID (see GET ${listPath})`);
  return id.success ? id.data : undefined;
}

export type DisconnectOutcome =
  | { ok: true; connector: string; accountId: string; /** What the platform was told, for the admin. */ platformNote: string }
  | { ok: false; status: number; code: string; message: string };

/**
 * Disconnects an installation the way its platform needs: HubSpot is told to uninstall the app and Salesforce has
 * Threadline's grant revoked before the installation goes (disconnectHubSpot, disconnectSalesforce, as their admin
 * routes do); any other platform is uninstalled here only. A HubSpot portal that is no longer active has nothing
 * left to tell HubSpot (its grant is already refused), so it is uninstalled here too.
 */
export async function disconnectInstallation(
  deps: { db: Db; secrets: SecretBox; logger: Logger; config: Config }, workspaceId: string, installationId: string, actor: string,
): Promise<DisconnectOutcome> {
  const installation = (await listInstallations(deps.db, workspaceId)).find((i) => i.id === installationId && i.state !== 'uninstalled');
  if (!installation) return { ok: false, status: 404, code: 'NOT_FOUND', message: `No connected installation ${installationId} in this workspace` };
  const done = (platformNote: string): DisconnectOutcome => ({ ok: true, connector: installation.connector, accountId: installation.account_id, platformNote });
  if (installation.connector === HUBSPOT_CONNECTOR_ID && installation.state === 'active') {
    const app = deps.config.hubspot;
    if (!app) return { ok: false, status: 503, code: 'NOT_CONFIGURED', message: 'Set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: Threadline must tell HubSpot about the uninstall' };
    const result = await disconnectHubSpot({ ...deps, app }, workspaceId, installationId, actor);
    if (!result.ok) return result;
    return done(result.hubspotConfirmed ? 'HubSpot uninstalled the app from the portal.' : 'HubSpot had already dropped the app.');
  }
  if (installation.connector === SALESFORCE_CONNECTOR_ID) {
    const result = await disconnectSalesforce(deps, workspaceId, installationId, actor);
    if (!result.ok) return result;
    return done(result.tokenRevoked ? "Salesforce revoked Threadline's access to the org." : 'Salesforce no longer knew the grant.');
  }
  await uninstallConnector(deps.db, workspaceId, installationId, actor);
  return done(installation.connector === HUBSPOT_CONNECTOR_ID ? 'HubSpot had already dropped the app.' : 'Remove it on the platform too, if it is still installed there.');
}
