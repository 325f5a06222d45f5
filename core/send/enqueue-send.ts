import type { Knex } from 'knex';

export const SEND_TASK = 'whatsapp.send';
/** Attempts for unexpected failures (database down …); Meta's errors are retried by the task itself. */
const JOB_MAX_ATTEMPTS = 20;

/**
 * One queue per customer on a number: graphile-worker runs a queue's jobs one at a time, so
 * messages to one customer go out one after another (Meta's pair rate limit, §8) while other
 * customers' messages go in parallel.
 */
export function sendQueueName(numberId: string, contactId: string): string {
  return `send:${numberId}:${contactId}`;
}

/** Adds the send job inside the caller's transaction; `delayMs` schedules a retry. */
export async function enqueueSend(db: Knex, args: { workspaceId: string; requestId: string; numberId: string; contactId: string; delayMs?: number }): Promise<void> {
  await db.raw(
    `select graphile_worker.add_job(?, ?::json, queue_name => ?, run_at => now() + make_interval(secs => ?), max_attempts => ?)`,
    [SEND_TASK, JSON.stringify({ workspaceId: args.workspaceId, requestId: args.requestId }), sendQueueName(args.numberId, args.contactId), (args.delayMs ?? 0) / 1000, JOB_MAX_ATTEMPTS],
  );
}
