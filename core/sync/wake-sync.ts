import type { Knex } from 'knex';

export const SYNC_TASK = 'sync.deliver';
/** One queue per installation: its deliveries run one at a time, which keeps order and its quota. */
export const syncQueueName = (installationId: string): string => `sync:${installationId}`;
/** Advisory lock key an emitting transaction holds shared, and a starting delivery job takes exclusively. */
export const syncLockKey = (installationId: string): string => `sync:${installationId}`;

/**
 * Makes sure a delivery job for each installation runs by `runAt` (a timestamp, or null for "now
 * plus `delayMs`"). A job already queued and due by then is left alone, so concurrent emitting
 * transactions add nothing and lock nothing; otherwise add_job replaces a later one, or adds one
 * beside the running one (graphile-worker then clears the running job's key).
 */
export async function wakeSync(db: Knex, workspaceId: string, installationIds: readonly string[], when: { at: Date } | { delayMs: number }): Promise<void> {
  if (installationIds.length === 0) return;
  const runAt = 'at' in when ? when.at.toISOString() : null;
  const delayMs = 'at' in when ? 0 : when.delayMs;
  await db.raw(
    // The shared lock (already held by emitters; taken here for every other caller, e.g. a replay)
    // makes a delivery job that starts meanwhile wait for this commit, so it sees these rows.
    `with wanted as (
       select id, coalesce(?::timestamptz, now() + ? * interval '1 millisecond') as run_at,
              pg_advisory_xact_lock_shared(hashtextextended('sync:' || id, 0))::text as locked
         from unnest(?::text[]) as id
     )
     select graphile_worker.add_job(?, json_build_object('workspaceId', ?::text, 'installationId', w.id), queue_name => 'sync:' || w.id,
              run_at => w.run_at, job_key => 'sync:' || w.id, job_key_mode => 'replace')
       from wanted w
      where w.locked is not null and not exists (
        select 1 from graphile_worker._private_jobs j where j.key = 'sync:' || w.id and j.is_available and j.run_at <= w.run_at
      )
      order by w.id`,
    [runAt, delayMs, [...installationIds], SYNC_TASK, workspaceId],
  );
}
