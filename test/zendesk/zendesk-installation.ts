import type { Installation } from '../../core/connectors/contract';
import { requireReinstall } from '../../core/connectors/installations';
import { updateInstallationCredentials } from '../../core/connectors/update-credentials';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import { zendeskConfigSchema, zendeskCredentialsSchema, type ZendeskConfig, type ZendeskCredentials } from '../../connectors/zendesk/zendesk-settings';

/**
 * A Zendesk installation as a worker loads it (what `bindInstallation` hands the connector), each call a
 * separate copy: as many independent callers as a test needs, each with the credentials stored now.
 */
export async function loadZendeskInstallation(
  deps: { db: Db; secrets: SecretBox }, workspaceId: string, installationId: string,
): Promise<Installation<ZendeskConfig, ZendeskCredentials>> {
  const row: { account_id: string; settings: unknown; credentials_sealed: string } | undefined = await deps.db('installation')
    .where({ workspace_id: workspaceId, id: installationId })
    .first('account_id', 'settings', 'credentials_sealed');
  if (!row) throw new Error(`no installation ${installationId}`);
  return {
    id: installationId,
    workspaceId,
    accountId: row.account_id,
    config: zendeskConfigSchema.parse(row.settings),
    credentials: zendeskCredentialsSchema.parse(JSON.parse(deps.secrets.open(row.credentials_sealed))),
    updateCredentials: async (change) => zendeskCredentialsSchema.parse(
      await updateInstallationCredentials(deps, workspaceId, installationId, (stored) => change(zendeskCredentialsSchema.parse(stored))),
    ),
    requireReinstall: (reason) => requireReinstall(deps.db, workspaceId, installationId, reason, 'test'),
  };
}

/** What is stored now, opened. */
export async function storedZendeskCredentials(deps: { db: Db; secrets: SecretBox }, installationId: string): Promise<ZendeskCredentials> {
  const row: { credentials_sealed: string } | undefined = await deps.db('installation').where({ id: installationId }).first('credentials_sealed');
  if (!row) throw new Error(`no installation ${installationId}`);
  return zendeskCredentialsSchema.parse(JSON.parse(deps.secrets.open(row.credentials_sealed)));
}
