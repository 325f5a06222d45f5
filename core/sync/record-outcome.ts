import type { Knex } from 'knex';
import type { BatchOutcome, ExternalLinkWrite } from '../connectors';
import { saveLinks } from './external-links';
import type { OutboxRow } from './outbox-row';
import { retryDelayMs, type RetrySchedule } from './retry-schedule';

export interface OutcomeSummary {
  delivered: number;
  skipped: number;
  retrying: number;
  dead: number;
  /** Conversations that must wait: a later event of theirs may not go before this one. */
  held: Set<string>;
  /** Set when the whole batch failed: the installation waits until then. */
  pauseUntil: Date | null;
  error: string | null;
}

/**
 * Writes what happened to one batch. A whole-batch failure costs every event an attempt and
 * pauses the installation for the backoff (so a down platform gets one probe per backoff, not one
 * per batch), except RATE_LIMITED, which is the platform's pacing and costs no attempt.
 */
export async function recordOutcome(
  db: Knex, rows: readonly OutboxRow[], outcome: BatchOutcome, schedule: RetrySchedule, now: number, rateLimitFallbackMs: number,
): Promise<OutcomeSummary> {
  const summary: OutcomeSummary = { delivered: 0, skipped: 0, retrying: 0, dead: 0, held: new Set(), pauseUntil: null, error: null };
  const first = rows[0];
  if (!first) return summary;
  const { workspace_id: workspaceId, installation_id: installationId } = first;
  const results = outcome.ok && outcome.results.length !== rows.length
    ? null // a connector bug: treated as the platform failing, so nothing is lost
    : outcome;
  if (!results || !results.ok) {
    const error = !results ? `connector returned ${outcome.ok ? outcome.results.length : 0} results for ${rows.length} events` : `${results.error.code}: ${results.error.message}`;
    summary.error = error;
    if (results && results.error.code === 'RATE_LIMITED') {
      summary.pauseUntil = new Date(now + (results.error.retryAfterMs ?? rateLimitFallbackMs));
      await db('sync_outbox').where({ workspace_id: workspaceId }).whereIn('id', rows.map((r) => r.id)).update({ last_error: error });
      for (const r of rows) summary.held.add(r.conversation_id);
      return summary;
    }
    if (results && results.error.code === 'BATCH_REJECTED') {
      await markDead(db, workspaceId, rows.map((r) => r.id), error);
      summary.dead = rows.length;
      return summary;
    }
    const failed = await retryLater(db, workspaceId, rows, error, schedule, now);
    summary.retrying = failed.retrying;
    summary.dead = failed.dead;
    summary.pauseUntil = failed.retryAt;
    for (const r of rows) summary.held.add(r.conversation_id);
    return summary;
  }

  const delivered: number[] = [];
  const skipped: { id: number; reason: string }[] = [];
  const retry: { row: OutboxRow; error: string }[] = [];
  const rejected: { id: number; error: string }[] = [];
  const links: ExternalLinkWrite[] = [];
  rows.forEach((row, i) => {
    const result = results.results[i];
    if (!result) return;
    if (result.status === 'delivered') {
      delivered.push(row.id);
      links.push(...(result.links ?? []));
    } else if (result.status === 'skipped') skipped.push({ id: row.id, reason: result.reason });
    else if (result.status === 'retry') retry.push({ row, error: result.error });
    else rejected.push({ id: row.id, error: result.error });
  });
  if (delivered.length) {
    await db('sync_outbox').where({ workspace_id: workspaceId }).whereIn('id', delivered).update({ state: 'delivered', delivered_at: new Date(now), not_before: null, last_error: null });
  }
  for (const s of skipped) {
    await db('sync_outbox').where({ workspace_id: workspaceId, id: s.id }).update({ state: 'skipped', delivered_at: new Date(now), not_before: null, last_error: s.reason });
  }
  for (const r of rejected) await markDead(db, workspaceId, [r.id], `rejected: ${r.error}`);
  for (const r of retry) {
    const failed = await retryLater(db, workspaceId, [r.row], r.error, schedule, now);
    summary.retrying += failed.retrying;
    summary.dead += failed.dead;
    summary.held.add(r.row.conversation_id);
  }
  await saveLinks(db, workspaceId, installationId, links);
  summary.delivered = delivered.length;
  summary.skipped = skipped.length;
  summary.dead += rejected.length;
  return summary;
}

async function markDead(db: Knex, workspaceId: string, ids: number[], error: string): Promise<void> {
  await db('sync_outbox').where({ workspace_id: workspaceId }).whereIn('id', ids).update({ state: 'dead', not_before: null, last_error: error, attempts: db.raw('attempts + 1') });
}

/** One more attempt each; those on their last become dead letters, the rest wait out the backoff. */
async function retryLater(
  db: Knex, workspaceId: string, rows: readonly OutboxRow[], error: string, schedule: RetrySchedule, now: number,
): Promise<{ retrying: number; dead: number; retryAt: Date }> {
  const attempts = Math.max(...rows.map((r) => r.attempts + 1));
  const retryAt = new Date(now + retryDelayMs(schedule, attempts));
  const updated: { state: string }[] = await db('sync_outbox')
    .where({ workspace_id: workspaceId })
    .whereIn('id', rows.map((r) => r.id))
    .update({
      attempts: db.raw('attempts + 1'),
      state: db.raw("case when attempts + 1 >= ? then 'dead' else 'pending' end", [schedule.maxAttempts]),
      not_before: db.raw('case when attempts + 1 >= ? then null else ?::timestamptz end', [schedule.maxAttempts, retryAt.toISOString()]),
      last_error: error,
    })
    .returning('state');
  const dead = updated.filter((u) => u.state === 'dead').length;
  return { retrying: updated.length - dead, dead, retryAt };
}
