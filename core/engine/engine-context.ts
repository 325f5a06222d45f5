import type { Knex } from 'knex';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { InboxEventRow } from '../inbox/inbox-event';

/** What the engine needs from its surroundings; built once by the worker. */
export interface EngineContext {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Applies one inbox event to the conversation model inside the caller's transaction.
 * Side effects outside the database (media download, read receipts) are enqueued as jobs in
 * the same transaction, so they happen once the event's effects are committed, and only then.
 */
export type ProcessInboxEvent = (ctx: EngineContext, trx: Knex.Transaction, event: InboxEventRow) => Promise<void>;
