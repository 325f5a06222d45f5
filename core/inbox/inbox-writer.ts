import type { Knex } from 'knex';
import type { Db } from '../db/connect';
import type { InboxDraft } from './inbox-event';
import { DRAIN_JOB_KEY_PREFIX, DRAIN_QUEUE_PREFIX, drainTask, shardOf } from './shard';

export interface RoutedDraft extends InboxDraft {
  workspaceId: string | null;
}

export interface WriteResult {
  stored: number;
  duplicates: number;
}

interface Waiter {
  drafts: RoutedDraft[];
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes inbox events and their drain jobs in one statement (so one transaction), grouping
 * the events of concurrent requests into a single commit. Each request resolves only once
 * its events are durable; a database failure rejects every waiting request, so Meta retries.
 */
export class InboxWriter {
  private queue: Waiter[] = [];
  private inFlight = 0;

  constructor(private readonly db: Db, private readonly options: { maxBatch?: number; maxConcurrentFlushes?: number } = {}) {}

  write(drafts: RoutedDraft[]): Promise<WriteResult> {
    if (drafts.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxConcurrentFlushes ?? 2)) {
      const batch = this.takeBatch();
      this.inFlight++;
      this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private takeBatch(): Waiter[] {
    const max = this.options.maxBatch ?? 1000;
    const batch: Waiter[] = [];
    let size = 0;
    while (this.queue.length > 0 && (batch.length === 0 || size + (this.queue[0]?.drafts.length ?? 0) <= max)) {
      const waiter = this.queue.shift();
      if (!waiter) break;
      batch.push(waiter);
      size += waiter.drafts.length;
    }
    return batch;
  }

  private async flush(batch: Waiter[]): Promise<void> {
    try {
      const inserted = await this.insert(batch.flatMap((w) => w.drafts));
      for (const waiter of batch) {
        let stored = 0;
        for (const d of waiter.drafts) {
          if (inserted.delete(d.dedupeKey)) stored++;
        }
        waiter.resolve({ stored, duplicates: waiter.drafts.length - stored });
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }

  /** Returns the dedupe keys that were new. */
  private async insert(drafts: RoutedDraft[]): Promise<Set<string>> {
    const cols = {
      workspace: [] as (string | null)[], phone: [] as (string | null)[], key: [] as string[], kind: [] as string[],
      conv: [] as string[], shard: [] as number[], at: [] as string[], payload: [] as string[], state: [] as string[], error: [] as (string | null)[],
    };
    for (const d of drafts) {
      const malformed = d.payload.kind === 'malformed';
      cols.workspace.push(d.workspaceId);
      cols.phone.push(d.phoneNumberId);
      cols.key.push(d.dedupeKey);
      cols.kind.push(d.payload.kind);
      cols.conv.push(d.conversationKey);
      cols.shard.push(shardOf(d.conversationKey));
      cols.at.push(d.eventAt.toISOString());
      cols.payload.push(JSON.stringify(d.payload));
      cols.state.push(d.workspaceId === null ? 'unrouted' : malformed ? 'dead' : 'pending');
      cols.error.push(d.payload.kind === 'malformed' ? d.payload.problem : null);
    }
    // pg sends null array elements as SQL NULL; knex's binding type just does not say so.
    const withNulls = (values: (string | null)[]) => values as string[];
    const bindings: Knex.Value[] = [withNulls(cols.workspace), withNulls(cols.phone), cols.key, cols.kind, cols.conv, cols.shard, cols.at, cols.payload, cols.state, withNulls(cols.error),
      DRAIN_JOB_KEY_PREFIX, drainTask, DRAIN_QUEUE_PREFIX, DRAIN_JOB_KEY_PREFIX, DRAIN_JOB_KEY_PREFIX];
    const result = await withDeadlockRetry(() => this.db.raw<{ rows: { keys: string[] | null }[] }>(
      // Rows go in sorted by key and jobs by shard, so concurrent flushes take locks in one order.
      // A shard whose drain job is queued, due and not yet running needs no new job: locking that job row
      // keeps the worker off it until this commit, so the job sees these events when it runs. Only
      // shards whose job is missing, running, scheduled later or out of attempts get add_jobs (which
      // makes a new one, or resets the waiting one to run now).
      // This reads graphile-worker's _private_jobs table, stable within the pinned 0.17.x.
      `with ins as (
         insert into inbox_event (workspace_id, phone_number_id, dedupe_key, kind, conversation_key, shard, event_at, payload, state, last_error)
         select * from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::timestamptz[], ?::jsonb[], ?::text[], ?::text[])
           as u(workspace_id, phone_number_id, dedupe_key, kind, conversation_key, shard, event_at, payload, state, last_error)
         order by dedupe_key
         on conflict (dedupe_key) do nothing
         returning dedupe_key, shard, state
       ),
       shards as (select distinct shard from ins where state = 'pending'),
       queued as (
         select j.key from graphile_worker._private_jobs j
         where j.key in (select ? || shard from shards) and j.locked_at is null and j.is_available and j.run_at <= now()
         order by j.key
         for update
       ),
       specs as (
         select array_agg(row(?, json_build_object('shard', shard), ? || shard, null, null, ? || shard, null, null)::graphile_worker.job_spec order by shard) as a
         from shards where (? || shard) not in (select key from queued)
       ),
       jobs as (select j.id from specs, graphile_worker.add_jobs(specs.a) j where specs.a is not null)
       select (select array_agg(dedupe_key) from ins) as keys, (select count(*) from jobs) as jobs`,
      bindings,
    ));
    return new Set(result.rows[0]?.keys ?? []);
  }
}

/** Two flushes can still meet on a conflicting key (a redelivery in flight beside its original): try once more. */
async function withDeadlockRetry<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === '40P01') return run();
    throw err;
  }
}
