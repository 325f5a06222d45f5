import type { Knex } from 'knex';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { writeAudit } from '../audit/write-audit';
import { wakeSync } from '../sync/wake-sync';
import type { ConnectorRegistry } from './registry';

export interface InstallationView {
  id: string;
  connector: string;
  account_id: string;
  settings: unknown;
  state: string;
  created_at: Date;
}

type NumberScope = { ok: true; id: string | null } | { ok: false; code: 'NUMBER_NOT_FOUND'; message: string };

/** The workspace's number an installation is scoped to (its connector's `numberOf`), null for every number. */
async function numberScope(trx: Knex.Transaction, workspaceId: string, phoneNumberId: string | undefined): Promise<NumberScope> {
  if (phoneNumberId === undefined) return { ok: true, id: null };
  const number: { id: string } | undefined = await trx('whatsapp_number').where({ workspace_id: workspaceId, phone_number_id: phoneNumberId }).first('id');
  return number
    ? { ok: true, id: number.id }
    : { ok: false, code: 'NUMBER_NOT_FOUND', message: `No WhatsApp number ${phoneNumberId} in this workspace: connect it first, or pick one of the workspace's numbers` };
}

export type InstallResult =
  | { ok: true; installation: InstallationView; created: boolean }
  | { ok: false; code: 'UNKNOWN_CONNECTOR' | 'CONFIG_INVALID' | 'CREDENTIALS_INVALID' | 'NUMBER_NOT_FOUND'; message: string };

const VIEW_COLUMNS = ['id', 'connector', 'account_id', 'settings', 'state', 'created_at'] as const;

/**
 * Installs a connector in a workspace (or updates the installation for the same platform account):
 * settings and credentials checked by the connector's schemas, credentials sealed at rest.
 */
export async function installConnector(
  deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry },
  workspaceId: string,
  input: { connector: string; accountId: string; config: unknown; credentials: unknown },
  actor: string,
): Promise<InstallResult> {
  const connector = deps.registry.get(input.connector);
  if (!connector) return { ok: false, code: 'UNKNOWN_CONNECTOR', message: `No connector ${input.connector}; known: ${deps.registry.list().map((c) => c.id).join(', ') || 'none'}` };
  const checked = connector.check(input.config, input.credentials);
  if (!checked.ok) return checked;
  const sealed = deps.secrets.seal(JSON.stringify(checked.credentials));
  return deps.db.transaction(async (trx) => {
    const number = await numberScope(trx, workspaceId, checked.phoneNumberId);
    if (!number.ok) return number;
    const numberId = number.id;
    const [row]: (InstallationView & { inserted: boolean })[] = await trx('installation')
      .insert({
        workspace_id: workspaceId, connector: connector.id, account_id: input.accountId, credentials_sealed: sealed, settings: JSON.stringify(checked.config), state: 'active', whatsapp_number_id: numberId,
      })
      .onConflict(['workspace_id', 'connector', 'account_id'])
      .merge(['credentials_sealed', 'settings', 'state', 'whatsapp_number_id'])
      .returning([...VIEW_COLUMNS, trx.raw('(xmax = 0) as inserted')]);
    if (!row) throw new Error('installation not written');
    await trx('sync_installation_state').insert({ installation_id: row.id, workspace_id: workspaceId }).onConflict('installation_id').ignore();
    // Installed again after the platform revoked it: what waited meanwhile goes now.
    if (await trx('sync_outbox').where({ installation_id: row.id, state: 'pending' }).first('id')) await wakeSync(trx, workspaceId, [row.id], { delayMs: 0 });
    await writeAudit(trx, { workspaceId, actor, action: row.inserted ? 'installation.created' : 'installation.updated', entityType: 'installation', entityId: row.id, data: { connector: connector.id, accountId: input.accountId } });
    const { inserted, ...installation } = row;
    return { ok: true, installation, created: inserted };
  });
}

/**
 * Uninstalls: credentials are dropped, events stop fanning out to it, and what was still waiting
 * for it is cancelled. The row stays so its external links and history keep their meaning.
 */
export async function uninstallConnector(db: Db, workspaceId: string, installationId: string, actor: string): Promise<InstallationView | null> {
  return db.transaction(async (trx: Knex.Transaction) => {
    const [row]: InstallationView[] = await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId })
      .update({ state: 'uninstalled', credentials_sealed: null })
      .returning([...VIEW_COLUMNS]);
    if (!row) return null;
    await trx('sync_outbox').where({ workspace_id: workspaceId, installation_id: installationId, state: 'pending' }).update({ state: 'cancelled', not_before: null });
    await writeAudit(trx, { workspaceId, actor, action: 'installation.removed', entityType: 'installation', entityId: row.id, data: { connector: row.connector } });
    return row;
  });
}

export async function listInstallations(db: Db, workspaceId: string): Promise<InstallationView[]> {
  return db('installation').where({ workspace_id: workspaceId }).orderBy('created_at').select(...VIEW_COLUMNS);
}

/** The state of an installation the platform revoked (uninstalled there, grant refused): installing it again reactivates it. */
export const REINSTALL_REQUIRED = 'reinstall_required';

/**
 * The platform no longer accepts this installation's credentials (an uninstall on its side shows as a
 * refused refresh): it stops receiving events and calls until an admin installs it again. What was waiting
 * stays, and goes after the re-install; audited so the admin sees why.
 */
export async function requireReinstall(db: Db, workspaceId: string, installationId: string, reason: string, actor: string): Promise<void> {
  await db.transaction(async (trx) => {
    const [row]: { id: string; connector: string }[] = await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId, state: 'active' })
      .update({ state: REINSTALL_REQUIRED })
      .returning(['id', 'connector']);
    if (!row) return;
    await writeAudit(trx, { workspaceId, actor, action: 'installation.reinstall_required', entityType: 'installation', entityId: row.id, data: { connector: row.connector, reason } });
  });
}

export type SettingsResult =
  | { ok: true; installation: InstallationView }
  | { ok: false; code: 'NOT_FOUND' | 'UNKNOWN_CONNECTOR' | 'CONFIG_INVALID' | 'CREDENTIALS_INVALID' | 'NUMBER_NOT_FOUND'; message: string };

/**
 * Changes an installation's settings (the number it serves, the connector's options), keeping its credentials:
 * `patch` is merged over what is stored and checked by the connector's schema as a whole.
 */
export async function updateInstallationSettings(
  deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry }, workspaceId: string, installationId: string, patch: Record<string, unknown>, actor: string,
): Promise<SettingsResult> {
  return deps.db.transaction(async (trx) => {
    const row: { connector: string; settings: Record<string, unknown>; credentials_sealed: string | null } | undefined = await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId }).whereNot('state', 'uninstalled').forUpdate().first('connector', 'settings', 'credentials_sealed');
    if (!row?.credentials_sealed) return { ok: false, code: 'NOT_FOUND', message: `No installed installation ${installationId} in this workspace` };
    const connector = deps.registry.get(row.connector);
    if (!connector) return { ok: false, code: 'UNKNOWN_CONNECTOR', message: `Installation ${installationId} uses connector ${row.connector}, which this build does not ship` };
    const checked = connector.check({ ...row.settings, ...patch }, JSON.parse(deps.secrets.open(row.credentials_sealed)));
    if (!checked.ok) return checked;
    const number = await numberScope(trx, workspaceId, checked.phoneNumberId);
    if (!number.ok) return number;
    const [updated]: InstallationView[] = await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId })
      .update({ settings: JSON.stringify(checked.config), whatsapp_number_id: number.id })
      .returning([...VIEW_COLUMNS]);
    if (!updated) throw new Error('installation not updated');
    await writeAudit(trx, { workspaceId, actor, action: 'installation.settings_changed', entityType: 'installation', entityId: installationId, data: { connector: row.connector, changed: Object.keys(patch) } });
    return { ok: true, installation: updated };
  });
}
