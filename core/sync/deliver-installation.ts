import { setTimeout as sleep } from 'node:timers/promises';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';
import { withMessageDetails } from '../media/message-event-details';
import type { MediaUrlSigner } from '../media/signed-media-url';
import { bindInstallation, type BatchOutcome, type BoundEventTarget, type ConnectorRegistry, type DeliverContext, type SyncEvent } from '../connectors';
import { loadLinks, saveLinks } from './external-links';
import { loadSyncState, saveSyncState } from './installation-sync-state';
import { contactIdOf, toSyncEvent, type OutboxRow } from './outbox-row';
import { SlidingWindowLimiter } from './rate-limiter';
import { recordOutcome } from './record-outcome';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule';
import { syncLockKey, wakeSync } from './wake-sync';

export interface SyncOptions {
  retry?: RetrySchedule;
  /** A rate-limit wait up to this long is slept inside the job; a longer one reschedules it. */
  maxInlineWaitMs?: number;
  /** A job hands over to a fresh one after this long, so a busy installation never holds a slot for good. */
  maxRunMs?: number;
  /** Rows read per round; batches are cut from them. */
  rowsPerRound?: number;
  /** Time a connector gets for one request before it is aborted (and retried). */
  requestTimeoutMs?: number;
}

export interface SyncDeps {
  db: Db;
  secrets: SecretBox;
  registry: ConnectorRegistry;
  logger: Logger;
  options?: SyncOptions;
  /** Signs the media URLs message events carry (see withMessageDetails); without it, events carry none. */
  mediaUrls?: MediaUrlSigner;
}

export interface DeliveryRun {
  requests: number;
  delivered: number;
  skipped: number;
  retrying: number;
  dead: number;
}

/**
 * Delivers an installation's pending events: many rows per job, in order per conversation, cut
 * into the connector's batches, paced by its quota and by Retry-After. One job runs at a time per
 * installation (its own queue), so the state here is never raced.
 */
export async function deliverInstallation(deps: SyncDeps, workspaceId: string, installationId: string): Promise<DeliveryRun> {
  const options = deps.options ?? {};
  const schedule = options.retry ?? DEFAULT_RETRY_SCHEDULE;
  const run: DeliveryRun = { requests: 0, delivered: 0, skipped: 0, retrying: 0, dead: 0 };
  // Waits for transactions that emitted events for this installation and saw this job queued:
  // once they commit, their rows are visible below.
  await deps.db.transaction((trx) => trx.raw("select pg_advisory_xact_lock(hashtextextended(?, 0))", [syncLockKey(installationId)]));

  const loaded = await bindInstallation(deps, workspaceId, installationId);
  if (!loaded.ok) {
    // Uninstalled: cancel again what an emit racing the uninstall committed after it, so nothing
    // stale waits to be delivered if the account is installed again.
    const uninstalled = loaded.code === 'NOT_ACTIVE'
      && (await deps.db('installation').where({ id: installationId, workspace_id: workspaceId, state: 'uninstalled' }).first('id')) !== undefined;
    if (uninstalled) {
      await deps.db('sync_outbox').where({ workspace_id: workspaceId, installation_id: installationId, state: 'pending' }).update({ state: 'cancelled', not_before: null });
      return run;
    }
    // Misconfigured: nothing can go until an admin acts.
    deps.logger.warn({ installationId, code: loaded.code }, loaded.message);
    await saveSyncState(deps.db, workspaceId, installationId, { ...(await loadSyncState(deps.db, workspaceId, installationId)), lastError: `${loaded.code}: ${loaded.message}` });
    return run;
  }
  const target = loaded.bound.events;
  if (!target) {
    await deps.db('sync_outbox').where({ workspace_id: workspaceId, installation_id: installationId, state: 'pending' })
      .update({ state: 'skipped', last_error: `connector ${loaded.bound.connectorId} takes no conversation events` });
    return run;
  }
  const logger = deps.logger.child({ installationId, connector: loaded.bound.connectorId });
  const state = await loadSyncState(deps.db, workspaceId, installationId);
  const limiter = new SlidingWindowLimiter(target.limits, state.recentRequests);
  const deadline = Date.now() + (options.maxRunMs ?? 60_000);
  let wakeAt: Date | null = null;
  let lastError: string | null | undefined;

  try {
    rounds: while (true) {
      if (state.pausedUntil && state.pausedUntil.getTime() > Date.now()) {
        wakeAt = state.pausedUntil;
        break;
      }
      if (Date.now() > deadline) {
        wakeAt = new Date();
        break;
      }
      const rows = await dueRows(deps.db, workspaceId, installationId, options.rowsPerRound ?? target.limits.batchSize * 10);
      if (rows.length === 0) break;
      const held = new Set<string>();
      for (let next = 0; next < rows.length;) {
        const batch: OutboxRow[] = [];
        for (; next < rows.length && batch.length < target.limits.batchSize; next++) {
          const row = rows[next];
          if (row && !held.has(row.conversation_id)) batch.push(row);
        }
        if (batch.length === 0) break;
        const wait = limiter.waitMs(Date.now());
        if (wait > (options.maxInlineWaitMs ?? 2_000)) {
          wakeAt = new Date(Date.now() + wait);
          break rounds;
        }
        if (wait > 0) await sleep(wait);
        run.requests++;
        const outcome = await deliverBatch(deps, target, workspaceId, installationId, batch, logger, options.requestTimeoutMs ?? 30_000);
        // Counted when the answer arrives: the platform started its window somewhere before that,
        // so ours never ends before its does, however slow the request was on the way.
        limiter.record(Date.now());
        const summary = await recordOutcome(deps.db, batch, outcome, schedule, Date.now(), target.limits.windowMs);
        run.delivered += summary.delivered;
        run.skipped += summary.skipped;
        run.retrying += summary.retrying;
        run.dead += summary.dead;
        for (const c of summary.held) held.add(c);
        if (summary.error) {
          lastError = summary.error;
          logger.warn({ error: summary.error, events: batch.length, pauseUntil: summary.pauseUntil }, 'sync batch failed');
        } else lastError = null;
        if (summary.pauseUntil) {
          state.pausedUntil = summary.pauseUntil;
          continue rounds;
        }
      }
    }
  } finally {
    await saveSyncState(deps.db, workspaceId, installationId, { pausedUntil: state.pausedUntil, recentRequests: limiter.recent(Date.now()), lastError });
  }
  const next = wakeAt ?? (await nextDue(deps.db, workspaceId, installationId));
  if (next) await wakeSync(deps.db, workspaceId, [installationId], { at: next });
  return run;
}

async function deliverBatch(
  deps: SyncDeps, target: BoundEventTarget, workspaceId: string, installationId: string, batch: OutboxRow[], logger: Logger, timeoutMs: number,
): Promise<BatchOutcome> {
  const links = await loadLinks(deps.db, workspaceId, installationId, batch.flatMap((r) => [r.conversation_id, r.message_id, contactIdOf(r)].filter((id) => typeof id === 'string')));
  const events: SyncEvent[] = [];
  for (const row of batch) {
    const event = toSyncEvent(row, links);
    if (!event) throw new Error(`outbox row ${row.id} has unknown event type ${row.type}`);
    events.push(event);
  }
  const detailed = await withMessageDetails(deps.db, deps.mediaUrls, workspaceId, events);
  try {
    return await target.deliver(detailed, { logger, signal: AbortSignal.timeout(timeoutMs), exclusive: exclusiveFor(deps.db, workspaceId, installationId) });
  } catch (error) {
    // A connector that throws (network, timeout, a bug) is a platform we could not reach: retried.
    return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) } };
  }
}

/** DeliverContext.exclusive: an advisory lock per installation and key, links read and saved in its transaction. */
export function exclusiveFor(db: Db, workspaceId: string, installationId: string): NonNullable<DeliverContext['exclusive']> {
  return (key, work) => db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`sync-exclusive:${installationId}:${key}`]);
    return work({
      read: async (entityType, entityId) => (await loadLinks(trx, workspaceId, installationId, [entityId])).get(`${entityType}:${entityId}`) ?? {},
      save: (writes) => saveLinks(trx, workspaceId, installationId, writes),
    });
  });
}

/**
 * Pending rows that are due, oldest first, leaving out conversations with an earlier event still waiting out a backoff;
 * with their conversation's number, joined here so events name it without another round trip.
 */
function dueRows(db: Db, workspaceId: string, installationId: string, limit: number): Promise<OutboxRow[]> {
  return db('sync_outbox as o')
    .where({ 'o.workspace_id': workspaceId, 'o.installation_id': installationId, 'o.state': 'pending' })
    .where((q) => q.whereNull('o.not_before').orWhere('o.not_before', '<=', db.fn.now()))
    .whereNotExists(db('sync_outbox as w')
      .where({ 'w.workspace_id': workspaceId, 'w.installation_id': installationId, 'w.state': 'pending' })
      .where('w.not_before', '>', db.fn.now())
      .whereRaw('w.conversation_id = o.conversation_id')
      .whereRaw('w.id < o.id'))
    .join('conversation as c', 'c.id', 'o.conversation_id')
    .join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id')
    .orderBy('o.id')
    .limit(limit)
    .select('o.id', 'o.workspace_id', 'o.installation_id', 'o.event_id', 'o.type', 'o.conversation_id', 'n.phone_number_id', 'o.message_id', 'o.origin_installation_id', 'o.data', 'o.attempts', 'o.occurred_at');
}

/** When the next waiting event (or the installation's pause) is due, if anything waits. */
async function nextDue(db: Db, workspaceId: string, installationId: string): Promise<Date | null> {
  const rows: { at: Date | null }[] = await db('sync_outbox')
    .where({ workspace_id: workspaceId, installation_id: installationId, state: 'pending' })
    .select(db.raw('min(coalesce(not_before, now())) as at'));
  const row = rows[0];
  if (!row?.at) return null;
  const state = await loadSyncState(db, workspaceId, installationId);
  const at = new Date(row.at);
  return state.pausedUntil && state.pausedUntil > at ? state.pausedUntil : at;
}
