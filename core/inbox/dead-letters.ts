import { writeAudit } from '../audit/write-audit';
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
  phone_number_id: string | null;
  /** The customer's conversation when the engine already made one (a later event failed), else null. */
  conversation_id: string | null;
}

/** Inbox events that failed their last attempt (or never parsed), newest first. */
export async function listDeadLetters(db: Db, workspaceId: string, options: { limit?: number; beforeId?: number } = {}): Promise<DeadLetter[]> {
  const q = db('inbox_event as e').where({ 'e.workspace_id': workspaceId, 'e.state': 'dead' });
  if (options.beforeId) q.where('e.id', '<', options.beforeId);
  // conversation_key is "<phone_number_id>:<wa_id or user id>" (extract-events.ts): the customer's latest thread on that number.
  const conversation = db('conversation as c')
    .join('contact as ct', 'ct.id', 'c.contact_id')
    .join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id')
    .whereRaw('c.workspace_id = e.workspace_id and n.phone_number_id = e.phone_number_id')
    .whereRaw("e.conversation_key in (n.phone_number_id || ':' || ct.wa_id, n.phone_number_id || ':' || ct.user_id)")
    .orderBy('c.last_message_at', 'desc').limit(1).select('c.id');
  return q.orderBy('e.id', 'desc').limit(options.limit ?? 50)
    .select('e.id', 'e.kind', 'e.dedupe_key', 'e.attempts', 'e.last_error', 'e.event_at', 'e.received_at', 'e.payload', 'e.phone_number_id', conversation.as('conversation_id'));
}

export type ReplayResult = { ok: true } | { ok: false; code: 'NOT_FOUND' | 'NOT_REPLAYABLE'; message: string };

/**
 * Puts a dead letter back in its shard's queue with fresh attempts; the drain job is added in the same commit.
 * With an actor (the console's signed-in person) the replay is audited in that commit too.
 */
export async function replayDeadLetter(db: Db, workspaceId: string, id: number, actor: string): Promise<ReplayResult> {
  return db.transaction(async (trx) => {
    const event: { shard: number; kind: string } | undefined = await trx('inbox_event').where({ id, workspace_id: workspaceId, state: 'dead' }).forUpdate().first('shard', 'kind');
    if (!event) return { ok: false, code: 'NOT_FOUND', message: `No dead letter ${id} in this workspace` };
    if (event.kind === 'malformed') return { ok: false, code: 'NOT_REPLAYABLE', message: 'This event did not parse as a WhatsApp payload; replaying cannot succeed. Its payload is kept for inspection.' };
    await trx('inbox_event').where({ id }).update({ state: 'pending', attempts: 0, not_before: null, last_error: null });
    await trx.raw("select graphile_worker.add_job(?, json_build_object('shard', ?::int), queue_name => ?, job_key => ?)", [
      drainTask, event.shard, `${DRAIN_QUEUE_PREFIX}${event.shard}`, `${DRAIN_JOB_KEY_PREFIX}${event.shard}`,
    ]);
    await writeAudit(trx, { workspaceId, actor, action: 'dead_letter.replayed', entityType: 'inbox_event', entityId: String(id), data: { kind: event.kind } });
    return { ok: true };
  });
}
