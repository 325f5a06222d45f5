import type { Task } from 'graphile-worker';
import type { Db } from '../../../core/db/connect';

/** HubSpot retries a webhook for up to 24 hours (reference §6.2): a day's margin on top, then the dedupe key is of no use. */
export const WEBHOOK_EVENT_RETENTION_MS = 48 * 3_600_000;

export const PRUNE_WEBHOOK_EVENTS_TASK = 'hubspot_prune_webhook_events';

/** Hourly, on whichever worker gets the slot (graphile-worker crontab). */
export const PRUNE_WEBHOOK_EVENTS_CRONTAB = `0 * * * * ${PRUNE_WEBHOOK_EVENTS_TASK}`;

/** Forgets handled webhook events older than the retention; resolves to how many. */
export async function pruneWebhookEvents(db: Db, now: Date = new Date()): Promise<number> {
  return db('hubspot_webhook_event').where('received_at', '<', new Date(now.getTime() - WEBHOOK_EVENT_RETENTION_MS)).delete();
}

export function pruneWebhookEventsTask(db: Db): Task {
  return async () => {
    await pruneWebhookEvents(db);
  };
}
