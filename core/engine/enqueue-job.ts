import type { Knex } from 'knex';

/** A read receipt hours late is worthless, so it gives up sooner than graphile-worker's default 25. */
export const MARK_READ_MAX_ATTEMPTS = 5;
/** Media URLs live 5 minutes but media ids 7 days: the download task refreshes the URL and retries. */
export const MEDIA_DOWNLOAD_MAX_ATTEMPTS = 8;

/**
 * Adds a job inside the caller's transaction, so it runs only if the transaction commits. Jobs of one
 * `queueName` run one at a time in order; without one they run in parallel.
 */
export async function enqueueJob(db: Knex, task: string, payload: Record<string, string>, maxAttempts: number, queueName?: string): Promise<void> {
  await db.raw('select graphile_worker.add_job(?, ?::json, queue_name => ?, max_attempts => ?)', [task, JSON.stringify(payload), queueName ?? null, maxAttempts]);
}
