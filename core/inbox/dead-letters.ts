import type { Db } from '../db/connect';
import { DRAIN_JOB_KEY_PREFIX, DRAIN_QUEUE_PREFIX, drainTask } from './shard';

export interface DeadLetter {
  id: number;
  kind: string;
  dedupe_key: string;
  attempts: number;
  last_error: string | null;
  event_at: Date;
  received_at: Date;
  payload: unknown;
}

/** Inbox events that failed their last attempt (or never parsed), newest first. */
export async function listDeadLetters(db: Db, workspaceId: string, options: { limit?: number; beforeId?: number } = {}): Promise<DeadLetter[]> {
  const q = db('inbox_event').where({ workspace_id: workspaceId, state: 'dead' });
  if (options.beforeId) q.where('id', '<', options.beforeId);
  return q.orderBy('id', 'desc').limit(options.limit ?? 50).select('id', 'kind', 'dedupe_key', 'attempts', 'last_error', 'event_at', 'received_at', 'payload');
}

export type ReplayResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'NOT_REPLAYABLE'; message: string };

/** Puts a dead letter back in its shard's queue with fresh attempts; the drain job is added in the same commit. */
export async function replayDeadLetter(db: Db, workspaceId: string, id: number): Promise<ReplayResult> {
  return db.transaction(async (trx) => {
    const event: { shard: number; kind: string } | undefined = await trx('inbox_event').where({ id, workspace_id: workspaceId, state: 'dead' }).forUpdate().first('shard', 'kind');
    if (!event) return { ok: false, code: 'NOT_FOUND', message: `No dead letter ${id} in this workspace` };
    if (event.kind === 'malformed') return { ok: false, code: 'NOT_REPLAYABLE', message: 'This event did not parse as a WhatsApp payload; replaying cannot succeed. Its payload is kept for inspection.' };
    await trx('inbox_event').where({ id }).update({ state: 'pending', attempts: 0, not_before: null, last_error: null });
    await trx.raw("select graphile_worker.add_job(?, json_build_object('shard', ?::int), queue_name => ?, job_key => ?)", [
      drainTask, event.shard, `${DRAIN_QUEUE_PREFIX}${event.shard}`, `${DRAIN_JOB_KEY_PREFIX}${event.shard}`,
    ]);
    return { ok: true };
  });
}
