import type { Knex } from 'knex';
import { z } from 'zod';

export interface InstallationSyncState {
  pausedUntil: Date | null;
  recentRequests: number[];
}

const recentSchema = z.array(z.number()).catch([]);

export async function loadSyncState(db: Knex, workspaceId: string, installationId: string): Promise<InstallationSyncState> {
  const row: { paused_until: Date | null; recent_requests: unknown } | undefined = await db('sync_installation_state')
    .where({ workspace_id: workspaceId, installation_id: installationId })
    .first('paused_until', 'recent_requests');
  return { pausedUntil: row?.paused_until ?? null, recentRequests: recentSchema.parse(row?.recent_requests ?? []) };
}

export async function saveSyncState(db: Knex, workspaceId: string, installationId: string, state: InstallationSyncState & { lastError?: string | null }): Promise<void> {
  const values = {
    paused_until: state.pausedUntil,
    recent_requests: JSON.stringify(state.recentRequests),
    ...(state.lastError !== undefined ? { last_error: state.lastError } : {}),
    updated_at: new Date(),
  };
  await db('sync_installation_state')
    .insert({ installation_id: installationId, workspace_id: workspaceId, ...values })
    .onConflict('installation_id')
    .merge(Object.keys(values));
}
