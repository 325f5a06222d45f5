import type { Db } from '../db/connect';
import { REINSTALL_REQUIRED, type InstallationView } from '../connectors/installations';

export interface InstallationOverview extends InstallationView {
  /** Why the platform stopped accepting it (its latest audited `installation.reinstall_required`), while it is in that state. */
  reinstallReason: string | null;
  /** When a delivery run for it last ended (sync_installation_state), null before the first since it was installed. */
  lastSyncAt: Date | null;
  /** The last run's error, null when it went through. */
  lastError: string | null;
  pausedUntil: Date | null;
  /** Sync events waiting for it, and those it never took (dead letters). */
  pending: number;
  dead: number;
}

interface OverviewRow extends InstallationView {
  reinstall_reason: string | null; last_sync_at: Date | null; last_error: string | null; paused_until: Date | null; pending: string; dead: string;
}

/**
 * Each installation of the workspace with its sync health, in one query. The counts use the outbox's partial
 * indexes (pending by installation, dead by workspace), so they cost what is waiting, not the outbox's history.
 */
export async function listInstallationOverview(db: Db, workspaceId: string): Promise<InstallationOverview[]> {
  const rows: OverviewRow[] = await db('installation as i')
    .leftJoin('sync_installation_state as s', 's.installation_id', 'i.id')
    .where('i.workspace_id', workspaceId)
    .orderBy('i.created_at')
    // The install writes the state row in its own transaction, so an untouched row carries the install's very instant.
    .select('i.id', 'i.connector', 'i.account_id', 'i.settings', 'i.state', 'i.created_at', 's.last_error', 's.paused_until',
      db.raw('case when s.updated_at > i.created_at then s.updated_at end as last_sync_at'),
      db.raw(`case when i.state = ? then (select a.data->>'reason' from audit_log a where a.workspace_id = i.workspace_id and a.entity_type = 'installation'
        and a.entity_id = i.id::text and a.action = 'installation.reinstall_required' order by a.at desc limit 1) end as reinstall_reason`, [REINSTALL_REQUIRED]),
      db.raw(`(select count(*) from sync_outbox o where o.installation_id = i.id and o.state = 'pending') as pending`),
      db.raw(`(select count(*) from sync_outbox o where o.workspace_id = i.workspace_id and o.state = 'dead' and o.installation_id = i.id) as dead`));
  return rows.map(({ reinstall_reason, last_sync_at, last_error, paused_until, pending, dead, ...installation }) => ({
    ...installation, reinstallReason: reinstall_reason, lastSyncAt: last_sync_at, lastError: last_error, pausedUntil: paused_until, pending: Number(pending), dead: Number(dead),
  }));
}
