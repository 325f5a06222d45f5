import { z } from 'zod';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { zendeskConfigSchema, zendeskCredentialsSchema, type ZendeskConfig, type ZendeskCredentials } from '../zendesk-settings';

export interface ZendeskInstallation {
  id: string;
  workspaceId: string;
  config: ZendeskConfig;
  credentials: ZendeskCredentials;
}

/**
 * An active Zendesk installation with its credentials opened, for the requests Zendesk makes without
 * naming a workspace (admin UI edits, event callbacks): they prove themselves with its `metadataKey`.
 * Undefined for anything unknown, uninstalled, of another connector, or unreadable.
 */
export async function loadZendeskInstallation(deps: { db: Db; secrets: SecretBox }, installationId: string): Promise<ZendeskInstallation | undefined> {
  if (!z.uuid().safeParse(installationId).success) return undefined;
  const row: { id: string; workspace_id: string; settings: unknown; credentials_sealed: string | null } | undefined = await deps.db('installation')
    .where({ id: installationId, connector: 'zendesk', state: 'active' })
    .first('id', 'workspace_id', 'settings', 'credentials_sealed');
  if (!row?.credentials_sealed) return undefined;
  const config = zendeskConfigSchema.safeParse(row.settings);
  const credentials = zendeskCredentialsSchema.safeParse(JSON.parse(deps.secrets.open(row.credentials_sealed)));
  if (!config.success || !credentials.success) return undefined;
  return { id: row.id, workspaceId: row.workspace_id, config: config.data, credentials: credentials.data };
}

/** Every active Zendesk installation of one account (subdomain), in any workspace. */
export async function zendeskInstallationsOf(db: Db, subdomain: string): Promise<Array<{ id: string; workspaceId: string }>> {
  const rows: { id: string; workspace_id: string }[] = await db('installation')
    .where({ connector: 'zendesk', state: 'active' })
    .whereRaw("settings->>'subdomain' = ?", [subdomain])
    .select('id', 'workspace_id');
  return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id }));
}
