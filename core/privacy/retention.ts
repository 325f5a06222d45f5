import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';
import type { Db } from '../db/connect';
import type { BlobStore } from '../media/blob-store';
import type { Logger } from '../observability/logger';
import { removedBody } from './erase-local';

export const RETENTION_TASK = 'privacy_retention';
/** Daily, at a quiet hour (UTC). */
export const RETENTION_CRONTAB = `15 3 * * * ${RETENTION_TASK}`;

/** How long a workspace keeps message bodies and media files, in days; null keeps them for ever (the default). */
export const retentionSettingsSchema = z.object({
  message_days: z.number().int().min(1).max(36_500).nullable(),
  media_days: z.number().int().min(1).max(36_500).nullable(),
}).strict();
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export async function readRetention(db: Db, workspaceId: string): Promise<RetentionSettings> {
  const row: RetentionSettings | undefined = await db('retention_setting').where({ workspace_id: workspaceId }).first('message_days', 'media_days');
  return row ?? { message_days: null, media_days: null };
}

export async function saveRetention(db: Db, workspaceId: string, settings: RetentionSettings, actor: string): Promise<RetentionSettings> {
  return db.transaction(async (trx) => {
    await trx('retention_setting').insert({ workspace_id: workspaceId, ...settings, updated_at: trx.fn.now() })
      .onConflict('workspace_id').merge();
    await writeAudit(trx, { workspaceId, actor, action: 'retention.updated', entityType: 'workspace', entityId: workspaceId, data: settings });
    return settings;
  });
}

export interface RetentionOutcome {
  workspaceId: string;
  message_bodies: number;
  media_files: number;
}

/** Rows per statement: a first sweep over years of history must not hold one huge transaction. */
const batchSize = 500;

/**
 * Removes, in every workspace with settings, message bodies older than `message_days` (the rows stay, so counts and
 * analytics hold) and media files older than `media_days` or whose message's body went. Audited per workspace
 * when anything was removed.
 */
export async function applyRetention(db: Db, blobs: BlobStore, now = new Date()): Promise<RetentionOutcome[]> {
  const settings: Array<RetentionSettings & { workspace_id: string }> = await db('retention_setting')
    .where((q) => q.whereNotNull('message_days').orWhereNotNull('media_days')).select('workspace_id', 'message_days', 'media_days');
  const outcomes: RetentionOutcome[] = [];
  for (const s of settings) {
    const before = (days: number | null) => (days === null ? null : new Date(now.getTime() - days * 86_400_000));
    const messageCutoff = before(s.message_days);
    const mediaCutoff = before(s.media_days);
    const mediaFiles = await expireMedia(db, blobs, s.workspace_id, mediaCutoff, messageCutoff);
    const messageBodies = messageCutoff === null ? 0 : await removeOldBodies(db, s.workspace_id, messageCutoff);
    if (mediaFiles + messageBodies === 0) continue;
    await writeAudit(db, {
      workspaceId: s.workspace_id, actor: 'system', action: 'retention.applied', entityType: 'workspace', entityId: s.workspace_id,
      data: { message_bodies: messageBodies, media_files: mediaFiles, message_days: s.message_days, media_days: s.media_days },
    });
    outcomes.push({ workspaceId: s.workspace_id, message_bodies: messageBodies, media_files: mediaFiles });
  }
  return outcomes;
}

async function expireMedia(db: Db, blobs: BlobStore, workspaceId: string, mediaCutoff: Date | null, messageCutoff: Date | null): Promise<number> {
  // A file goes with its message's body: whichever limit is earlier applies.
  const cutoff = [mediaCutoff, messageCutoff].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime()).at(-1);
  if (!cutoff) return 0;
  let total = 0;
  for (;;) {
    const rows: Array<{ id: string; blob_key: string }> = await db('media as f').join('message as m', 'm.id', 'f.message_id')
      .where({ 'f.workspace_id': workspaceId, 'f.state': 'stored' }).where('m.sent_at', '<', cutoff)
      .limit(batchSize).select('f.id', 'f.blob_key');
    if (rows.length === 0) return total;
    // Bytes first: a crash in between leaves rows that the next sweep deletes again (a missing blob is no error).
    for (const row of rows) await blobs.delete(row.blob_key);
    await db('media').whereIn('id', rows.map((r) => r.id)).update({ state: 'expired', blob_key: null, source_url: null, filename: null });
    total += rows.length;
  }
}

async function removeOldBodies(db: Db, workspaceId: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await db('message').whereIn('id', db('message').where({ workspace_id: workspaceId }).whereNull('body_removed_at')
      .where('sent_at', '<', cutoff).limit(batchSize).select('id')).update(removedBody(db));
    if (removed === 0) return total;
    total += removed;
  }
}

/** The daily job (`RETENTION_CRONTAB`). */
export function retentionTask(deps: { db: Db; blobs: BlobStore; logger: Logger }): Task {
  return async () => {
    const outcomes = await applyRetention(deps.db, deps.blobs);
    for (const o of outcomes) deps.logger.info(o, 'retention applied');
  };
}
