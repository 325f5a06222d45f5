import type { Task } from 'graphile-worker';
import type { Db } from '../../../core/db/connect';

/** How far a callout's `ts` may be from our clock, either way. */
export const CALLOUT_MAX_SKEW_MS = 5 * 60_000;

/**
 * How long a nonce is kept (an hour). A callout is refused once its `ts` is more than CALLOUT_MAX_SKEW_MS from our clock,
 * so a replay after 2 × that can only be stale; the rest is margin for clock steps.
 */
export const CALLOUT_NONCE_RETENTION_MS = 12 * CALLOUT_MAX_SKEW_MS;

export const PRUNE_CALLOUT_NONCES_TASK = 'salesforce_prune_callout_nonces';

/** Hourly, on whichever worker gets the slot (graphile-worker crontab). */
export const PRUNE_CALLOUT_NONCES_CRONTAB = `15 * * * * ${PRUNE_CALLOUT_NONCES_TASK}`;

/** Records the nonce for the installation; false when it was seen before (a replay). */
export async function claimNonce(db: Db, installationId: string, nonce: string): Promise<boolean> {
  const inserted = await db('salesforce_callout_nonce').insert({ installation_id: installationId, nonce }).onConflict(['installation_id', 'nonce']).ignore().returning('nonce');
  return inserted.length === 1;
}

/** Forgets nonces older than the retention; resolves to how many. */
export async function pruneCalloutNonces(db: Db, now: Date = new Date()): Promise<number> {
  return db('salesforce_callout_nonce').where('received_at', '<', new Date(now.getTime() - CALLOUT_NONCE_RETENTION_MS)).delete();
}

export function pruneCalloutNoncesTask(db: Db): Task {
  return async () => {
    await pruneCalloutNonces(db);
  };
}
