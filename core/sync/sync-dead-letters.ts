import { writeAudit } from '../audit/write-audit';
import type { Db } from '../db/connect';
import { wakeSync } from './wake-sync';

export interface SyncDeadLetter {
  id: number;
  installation_id: string;
  connector: string;
  type: string;
  conversation_id: string;
  message_id: string | null;
  event_id: string;
  attempts: number;
  last_error: string | null;
  occurred_at: Date;
  data: unknown;
}

/** Events a platform never took (last attempt failed, or rejected), newest first. */
export async function listSyncDeadLetters(db: Db, workspaceId: string, options: { limit?: number; beforeId?: number; installationId?: string } = {}): Promise<SyncDeadLetter[]> {
  const q = db('sync_outbox as o')
    .join('installation as i', function joinInstallation() {
      this.on('i.id', '=', 'o.installation_id').andOn('i.workspace_id', '=', 'o.workspace_id');
    })
    .where({ 'o.workspace_id': workspaceId, 'o.state': 'dead' });
  if (options.beforeId) q.where('o.id', '<', options.beforeId);
  if (options.installationId) q.where('o.installation_id', options.installationId);
  return q.orderBy('o.id', 'desc').limit(options.limit ?? 50)
    .select('o.id', 'o.installation_id', 'i.connector', 'o.type', 'o.conversation_id', 'o.message_id', 'o.event_id', 'o.attempts', 'o.last_error', 'o.occurred_at', 'o.data');
}

export type SyncReplayResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'NOT_ACTIVE'; message: string };

/**
 * Puts a dead letter back with fresh attempts and wakes its installation in the same commit. Its
 * external id is unchanged, so a platform that did take it after all does not get a duplicate.
 */
export async function replaySyncDeadLetter(db: Db, workspaceId: string, id: number, actor: string): Promise<SyncReplayResult> {
  return db.transaction(async (trx) => {
    const row: { installation_id: string; installation_state: string } | undefined = await trx('sync_outbox as o')
      .join('installation as i', 'i.id', 'o.installation_id')
      .where({ 'o.id': id, 'o.workspace_id': workspaceId, 'o.state': 'dead', 'i.workspace_id': workspaceId })
      .forUpdate('o')
      .first('o.installation_id', 'i.state as installation_state');
    if (!row) return { ok: false, code: 'NOT_FOUND', message: `No sync dead letter ${id} in this workspace` };
    if (row.installation_state !== 'active') return { ok: false, code: 'NOT_ACTIVE', message: `Its installation is ${row.installation_state}; reinstall it before replaying` };
    await trx('sync_outbox').where({ id, workspace_id: workspaceId }).update({ state: 'pending', attempts: 0, not_before: null, last_error: null });
    await wakeSync(trx, workspaceId, [row.installation_id], { delayMs: 0 });
    await writeAudit(trx, { workspaceId, actor, action: 'dead_letter.replayed', entityType: 'sync_outbox', entityId: String(id), data: { installationId: row.installation_id } });
    return { ok: true };
  });
}
