import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';
import type { BindResult } from './define-connector';
import type { ConnectorRegistry } from './registry';
import { updateInstallationCredentials } from './update-credentials';

export type LoadResult = BindResult | { ok: false; code: 'NOT_FOUND' | 'NOT_ACTIVE' | 'UNKNOWN_CONNECTOR'; message: string };

/** Loads an active installation, opens its credentials and binds its connector's capabilities to it. */
export async function bindInstallation(
  deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry; logger: Logger }, workspaceId: string, installationId: string,
): Promise<LoadResult> {
  const row: { id: string; connector: string; account_id: string; settings: unknown; credentials_sealed: string | null; state: string } | undefined = await deps.db('installation')
    .where({ workspace_id: workspaceId, id: installationId })
    .first('id', 'connector', 'account_id', 'settings', 'credentials_sealed', 'state');
  if (!row) return { ok: false, code: 'NOT_FOUND', message: `No installation ${installationId} in this workspace` };
  if (row.state !== 'active') return { ok: false, code: 'NOT_ACTIVE', message: `Installation ${installationId} is ${row.state}` };
  const connector = deps.registry.get(row.connector);
  if (!connector) return { ok: false, code: 'UNKNOWN_CONNECTOR', message: `Installation ${installationId} uses connector ${row.connector}, which this build does not ship` };
  const credentials: unknown = row.credentials_sealed ? JSON.parse(deps.secrets.open(row.credentials_sealed)) : null;
  return connector.bind({
    id: row.id, workspaceId, connector: row.connector, accountId: row.account_id, settings: row.settings, credentials,
    updateCredentials: (change) => updateInstallationCredentials(deps, workspaceId, row.id, change),
  }, deps.logger);
}
