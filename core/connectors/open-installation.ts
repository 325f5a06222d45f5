import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { InstallationRecord } from './define-connector';
import { REINSTALL_REQUIRED, requireReinstall } from './installations';
import { updateInstallationCredentials } from './update-credentials';

type Deps = { db: Db; secrets: SecretBox };

interface InstallationRow {
  id: string;
  workspace_id: string;
  connector: string;
  account_id: string;
  settings: unknown;
  credentials_sealed: string | null;
  state: string;
}

const COLUMNS = ['id', 'workspace_id', 'connector', 'account_id', 'settings', 'credentials_sealed', 'state'] as const;

export type OpenResult = { ok: true; record: InstallationRecord } | { ok: false; code: 'NOT_FOUND' | 'NOT_ACTIVE'; message: string };

/** A row as a connector's schemas take it: credentials opened, `updateCredentials` bound to the row. */
function recordOf(deps: Deps, row: InstallationRow): InstallationRecord {
  const workspaceId = row.workspace_id;
  return {
    id: row.id, workspaceId, connector: row.connector, accountId: row.account_id, settings: row.settings,
    credentials: row.credentials_sealed ? JSON.parse(deps.secrets.open(row.credentials_sealed)) as unknown : null,
    updateCredentials: (change) => updateInstallationCredentials(deps, workspaceId, row.id, change),
    requireReinstall: (reason) => requireReinstall(deps.db, workspaceId, row.id, reason, `${row.connector}:platform`),
  };
}

/** An active installation with its credentials opened, not yet parsed: the connector's schemas do that. */
export async function openInstallation(deps: Deps, workspaceId: string, installationId: string): Promise<OpenResult> {
  const row: InstallationRow | undefined = await deps.db('installation').where({ workspace_id: workspaceId, id: installationId }).first(...COLUMNS);
  if (!row) return { ok: false, code: 'NOT_FOUND', message: `No installation ${installationId} in this workspace` };
  if (row.state !== 'active') return { ok: false, code: 'NOT_ACTIVE', message: `Installation ${installationId} is ${row.state}` };
  return { ok: true, record: recordOf(deps, row) };
}

/**
 * The workspace of an active installation, for a request a platform makes naming only the installation
 * (a channelback, an event callback): it must still prove itself with that installation's credentials.
 */
export async function workspaceOfInstallation(db: Db, installationId: string): Promise<string | undefined> {
  const row: { workspace_id: string } | undefined = await db('installation').where({ id: installationId, state: 'active' }).first('workspace_id');
  return row?.workspace_id;
}

/**
 * Every active installation of one connector, oldest first, opened as `openInstallation` opens one: in
 * one workspace, or in all of them for a platform's callback that names only its own account. Which of
 * them serve that account is the connector's to say from their settings.
 */
export async function openActiveInstallations(
  deps: Deps, connector: string, where: { workspaceId?: string; alsoReinstallRequired?: boolean } = {},
): Promise<InstallationRecord[]> {
  const rows: InstallationRow[] = await deps.db('installation')
    .where({ connector, ...(where.workspaceId === undefined ? {} : { workspace_id: where.workspaceId }) })
    .whereIn('state', where.alsoReinstallRequired ? ['active', REINSTALL_REQUIRED] : ['active'])
    .orderBy('created_at')
    .select(...COLUMNS);
  return rows.map((row) => recordOf(deps, row));
}
