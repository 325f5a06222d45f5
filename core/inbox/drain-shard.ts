import type { Knex } from 'knex';
import type { Db } from '../db/connect';
import { bufferConversationEvents, flushConversationEvents } from '../sync/emit-conversation-event';
import type { EngineContext, ProcessInboxEvent } from '../engine/engine-context';
import type { InboxEventRow } from './inbox-event';
import { DRAIN_JOB_KEY_PREFIX, DRAIN_QUEUE_PREFIX, drainTask } from './shard';

export interface DrainOptions {
  batchSize?: number;
  maxRounds?: number;
  /** Attempts before an event becomes a dead letter. */
  maxAttempts?: number;
  /** Backoff before retrying a failed event: base * 2^(attempts-1), capped. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface DrainResult {
  processed: number;
  failed: number;
  dead: number;
}

/**
 * Processes the pending events of one shard in order per conversation key. A batch is tried in
 * one transaction; if any event throws, the batch is redone event by event with savepoints so
 * one bad event delays only its own conversation (later events of that conversation wait for it)
 * and, after its last attempt, becomes a dead letter instead of blocking the shard forever.
 */
export async function drainShard(db: Db, ctx: EngineContext, process: ProcessInboxEvent, shard: number, options: DrainOptions = {}): Promise<DrainResult> {
  const batchSize = options.batchSize ?? 500;
  const total: DrainResult = { processed: 0, failed: 0, dead: 0 };
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    let result: BatchResult;
    try {
      result = await db.transaction((trx) => runBatch(trx, ctx, process, shard, batchSize, false, options));
    } catch {
      result = await db.transaction((trx) => runBatch(trx, ctx, process, shard, batchSize, true, options));
    }
    countCommitted(ctx, result.outcomes);
    total.processed += result.processed;
    total.failed += result.failed;
    total.dead += result.dead;
    if (result.fetched < batchSize) break;
  }
  // Events waiting out a backoff need a wake-up job, even when they failed in an earlier drain:
  // a new event's job may have replaced the wake-up job that was scheduled for them.
  await scheduleRetryIfWaiting(db, shard);
  return total;
}

interface BatchResult extends DrainResult {
  fetched: number;
  outcomes: { event: InboxEventRow; outcome: 'processed' | 'failed' | 'dead' }[];
}

/** Metrics once the batch committed: a fast-path batch that rolled back and was redone counts once. */
function countCommitted(ctx: EngineContext, outcomes: BatchResult['outcomes']): void {
  const now = Date.now();
  for (const { event, outcome } of outcomes) {
    ctx.metrics.eventsProcessed.inc({ kind: event.kind, outcome });
    if (outcome === 'processed') ctx.metrics.eventLatency.observe((now - new Date(event.received_at).getTime()) / 1000);
  }
}

async function runBatch(
  trx: Knex.Transaction, ctx: EngineContext, process: ProcessInboxEvent, shard: number, batchSize: number, isolate: boolean, options: DrainOptions,
): Promise<BatchResult> {
  const events: InboxEventRow[] = await trx('inbox_event')
    .where({ shard, state: 'pending' })
    .where((q) => q.whereNull('not_before').orWhere('not_before', '<=', trx.fn.now()))
    .whereNotIn('conversation_key', trx('inbox_event').select('conversation_key').where({ shard, state: 'pending' }).where('not_before', '>', trx.fn.now()))
    .orderBy([{ column: 'event_at' }, { column: 'id' }])
    .limit(batchSize)
    .forUpdate()
    .skipLocked();
  const result: BatchResult = { processed: 0, failed: 0, dead: 0, fetched: events.length, outcomes: [] };
  // The fast path writes the batch's conversation events in one statement; with savepoints each
  // event emits its own, so a rolled-back event takes its events with it.
  if (!isolate) bufferConversationEvents(trx);
  const held = new Set<string>();
  const done = new Set<number>();
  for (const event of events) {
    if (held.has(event.conversation_key)) continue;
    if (!isolate) {
      await process(ctx, trx, event);
      done.add(event.id);
      result.outcomes.push({ event, outcome: 'processed' });
      continue;
    }
    try {
      await trx.transaction((sp) => process(ctx, sp, event));
      done.add(event.id);
      result.outcomes.push({ event, outcome: 'processed' });
    } catch (error) {
      held.add(event.conversation_key);
      const dead = await recordFailure(trx, event, error, options);
      if (dead) result.dead++;
      else result.failed++;
      result.outcomes.push({ event, outcome: dead ? 'dead' : 'failed' });
      ctx.logger.error({ err: error, eventId: event.id, kind: event.kind, attempts: event.attempts + 1, dead }, 'inbox event failed');
    }
  }
  if (!isolate) await flushConversationEvents(trx);
  if (done.size) {
    await trx('inbox_event').whereIn('id', [...done]).update({ state: 'processed', processed_at: trx.fn.now(), not_before: null });
  }
  result.processed = done.size;
  return result;
}

async function recordFailure(trx: Knex.Transaction, event: InboxEventRow, error: unknown, options: DrainOptions): Promise<boolean> {
  const attempts = event.attempts + 1;
  const dead = attempts >= (options.maxAttempts ?? 10);
  const delay = Math.min((options.retryBaseMs ?? 1_000) * 2 ** (attempts - 1), options.retryMaxMs ?? 3_600_000);
  await trx('inbox_event').where({ id: event.id }).update({
    attempts,
    // Kept short: the admin API shows it, and an error must not carry a whole payload along.
    last_error: (error instanceof Error ? error.message : String(error)).slice(0, 1_000),
    state: dead ? 'dead' : 'pending',
    not_before: dead ? null : new Date(Date.now() + delay),
  });
  return dead;
}

/** Events waiting out a backoff need a job that wakes when the first of them is due. */
async function scheduleRetryIfWaiting(db: Db, shard: number): Promise<void> {
  const next = await db('inbox_event').where({ shard, state: 'pending' }).whereNotNull('not_before').min({ at: 'not_before' }).first();
  if (!next?.at) return;
  await db.raw('select graphile_worker.add_job(?, json_build_object(\'shard\', ?::int), queue_name => ?, run_at => ?, job_key => ?, job_key_mode => ?)', [
    drainTask, shard, `${DRAIN_QUEUE_PREFIX}${shard}`, next.at, `${DRAIN_JOB_KEY_PREFIX}${shard}`, 'preserve_run_at',
  ]);
}
