import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';
import type { ErasureLink } from '../connectors/contract';
import { openInstallation } from '../connectors/open-installation';
import type { ConnectorRegistry } from '../connectors/registry';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { BlobStore } from '../media/blob-store';
import type { Logger } from '../observability/logger';
import { eraseLocally, type LocalErasure } from './erase-local';

export const ERASE_CONTACT_TASK = 'privacy.erase_contact';
/** graphile-worker's backoff (exp(attempts) seconds) spreads 12 attempts over about two days of a platform's outage. */
export const ERASE_CONTACT_MAX_ATTEMPTS = 12;

/** One installation's part of the report. `unsupported`: its connector cannot erase; someone must, on the platform. */
export interface PlatformErasure {
  connector: string;
  account_id: string;
  status: 'done' | 'failed' | 'unsupported';
  steps: readonly string[];
  kept?: readonly string[];
  error?: string;
  /** A failed one is asked again with backoff while the erasure has attempts left. */
  retryable?: boolean;
}

export interface ErasureRow {
  id: string;
  contact_id: string;
  state: 'pending' | 'done' | 'dead';
  requested_by: string;
  local: LocalErasure | null;
  platforms: Record<string, PlatformErasure>;
  attempts: number;
  last_error: string | null;
  requested_at: Date;
  finished_at: Date | null;
}

/** `queued`: a job was queued now (a new erasure, or a dead one restarted). */
export type ErasureRequest = { ok: true; erasure: ErasureRow; queued: boolean } | { ok: false; code: 'NOT_FOUND'; message: string };

const COLUMNS = ['id', 'contact_id', 'state', 'requested_by', 'local', 'platforms', 'attempts', 'last_error', 'requested_at', 'finished_at'] as const;

async function enqueueErasure(db: Db, workspaceId: string, erasureId: string): Promise<void> {
  await db.raw('select graphile_worker.add_job(?, ?::json, job_key => ?, max_attempts => ?)', [
    ERASE_CONTACT_TASK, JSON.stringify({ workspaceId, erasureId }), `erase:${erasureId}`, ERASE_CONTACT_MAX_ATTEMPTS,
  ]);
}

/**
 * Asks for a contact to be forgotten (GDPR erasure): stored and queued in one commit, audited without personal data.
 * Idempotent: asking again returns the same erasure; one that died (attempts spent) is started again.
 */
export async function requestErasure(db: Db, workspaceId: string, contactId: string, actor: string): Promise<ErasureRequest> {
  return db.transaction(async (trx) => {
    const contact: { id: string } | undefined = await trx('contact').where({ workspace_id: workspaceId, id: contactId }).first('id');
    if (!contact) return { ok: false, code: 'NOT_FOUND', message: `No contact ${contactId} in this workspace` };
    const [created]: Array<{ id: string }> = await trx('contact_erasure').insert({ workspace_id: workspaceId, contact_id: contactId, requested_by: actor })
      .onConflict(['workspace_id', 'contact_id']).ignore().returning('id');
    const [restarted]: Array<{ id: string }> = created ? [] : await trx('contact_erasure')
      .where({ workspace_id: workspaceId, contact_id: contactId, state: 'dead' })
      .update({ state: 'pending', attempts: 0, last_error: null, finished_at: null }).returning('id');
    const queued = created ?? restarted;
    if (queued) {
      await enqueueErasure(trx, workspaceId, queued.id);
      await writeAudit(trx, { workspaceId, actor, action: created ? 'contact.erasure_requested' : 'contact.erasure_restarted', entityType: 'contact', entityId: contactId, data: { erasureId: queued.id } });
    }
    const erasure: ErasureRow = await trx('contact_erasure').where({ workspace_id: workspaceId, contact_id: contactId }).first(...COLUMNS);
    return { ok: true, erasure, queued: queued !== undefined };
  });
}

export async function readErasure(db: Db, workspaceId: string, contactId: string): Promise<ErasureRow | undefined> {
  return db('contact_erasure').where({ workspace_id: workspaceId, contact_id: contactId }).first(...COLUMNS);
}

export interface EraseContactDeps {
  db: Db;
  secrets: SecretBox;
  registry: ConnectorRegistry;
  blobs: BlobStore;
  logger: Logger;
}

const payloadSchema = z.object({ workspaceId: z.string().uuid(), erasureId: z.string().uuid() });

/**
 * Runs an erasure: here first (once), then on every platform holding links for the customer, each until it is
 * done. A platform that fails for now throws, so graphile-worker tries again with backoff; its report says so
 * meanwhile. When attempts run out, or a failure will not pass by waiting, the erasure is dead: visible in its
 * report and among the dead letters, restarted by asking again.
 */
export function eraseContactTask(deps: EraseContactDeps): Task {
  return async (payload, helpers) => {
    const { workspaceId, erasureId } = payloadSchema.parse(payload);
    const row: (ErasureRow & { contact_id: string }) | undefined = await deps.db('contact_erasure').where({ workspace_id: workspaceId, id: erasureId }).first(...COLUMNS);
    if (!row || row.state !== 'pending') return;
    await deps.db('contact_erasure').where({ id: erasureId }).increment('attempts', 1);
    const local = row.local ?? await eraseLocally(deps.db, deps.blobs, workspaceId, row.contact_id);
    if (!row.local) await deps.db('contact_erasure').where({ id: erasureId }).update({ local: JSON.stringify(local) });
    const platforms = await erasePlatforms(deps, workspaceId, row.contact_id, row.platforms);
    const failed = Object.entries(platforms).filter(([, p]) => p.status === 'failed');
    const lastError = failed.map(([id, p]) => `${p.connector} (${id}): ${p.error ?? 'failed'}`).join('; ') || null;
    const giveUp = helpers.job.attempts >= helpers.job.max_attempts || failed.some(([, p]) => p.retryable !== true);
    const state = failed.length === 0 ? 'done' : giveUp ? 'dead' : 'pending';
    await deps.db.transaction(async (trx) => {
      await trx('contact_erasure').where({ id: erasureId }).update({
        state, platforms: JSON.stringify(platforms), last_error: lastError, finished_at: state === 'pending' ? null : trx.fn.now(),
      });
      if (state === 'pending') return;
      await writeAudit(trx, {
        workspaceId, actor: 'system', action: state === 'done' ? 'contact.erased' : 'contact.erasure_failed', entityType: 'contact', entityId: row.contact_id,
        data: { erasureId, local, platforms: Object.fromEntries(Object.entries(platforms).map(([id, p]) => [id, { connector: p.connector, status: p.status }])) },
      });
    });
    if (state === 'pending') throw new Error(`Erasure ${erasureId} is not finished on every platform: ${lastError ?? ''}`);
    if (state === 'dead') deps.logger.warn({ erasureId, error: lastError }, 'contact erasure failed for good: an admin must act and ask again');
  };
}

interface LinkRow extends ErasureLink {
  installation_id: string;
}

/** Asks each installation still holding links for the customer to forget them; a done one drops its links and is not asked again. */
async function erasePlatforms(deps: EraseContactDeps, workspaceId: string, contactId: string, earlier: Record<string, PlatformErasure>): Promise<Record<string, PlatformErasure>> {
  const conversations = deps.db('conversation').where({ workspace_id: workspaceId, contact_id: contactId }).select('id');
  const messages = deps.db('message').where({ workspace_id: workspaceId }).whereIn('conversation_id', conversations.clone()).select('id');
  const links: LinkRow[] = await deps.db('external_link').where({ workspace_id: workspaceId })
    .where((q) => q.where({ entity_type: 'contact', entity_id: contactId })
      .orWhere((c) => c.where({ entity_type: 'conversation' }).whereIn('entity_id', conversations))
      .orWhere((m) => m.where({ entity_type: 'message' }).whereIn('entity_id', messages)))
    .orderBy('id')
    .select('installation_id', 'entity_type as entityType', 'entity_id as entityId', 'external_type as externalType', 'external_id as externalId');
  const byInstallation = new Map<string, LinkRow[]>();
  for (const link of links) byInstallation.set(link.installation_id, [...byInstallation.get(link.installation_id) ?? [], link]);
  const report: Record<string, PlatformErasure> = { ...earlier };
  for (const [installationId, held] of byInstallation) {
    const outcome = await eraseOn(deps, workspaceId, installationId, held.map(({ installation_id: _, ...link }) => link));
    report[installationId] = outcome;
    if (outcome.status === 'done') {
      await deps.db('external_link').where({ workspace_id: workspaceId, installation_id: installationId }).whereIn('entity_id', held.map((l) => l.entityId)).delete();
    }
  }
  return report;
}

async function eraseOn(deps: EraseContactDeps, workspaceId: string, installationId: string, links: ErasureLink[]): Promise<PlatformErasure> {
  const installation: { connector: string; account_id: string } = await deps.db('installation').where({ workspace_id: workspaceId, id: installationId }).first('connector', 'account_id');
  const base = { connector: installation.connector, account_id: installation.account_id, steps: [] };
  const connector = deps.registry.get(installation.connector);
  const opened = await openInstallation(deps, workspaceId, installationId);
  if (!opened.ok) return { ...base, status: 'failed', retryable: false, error: `${opened.message}: reconnect it and ask for the erasure again, or erase the records there by hand` };
  const bound = connector?.bind(opened.record, deps.logger);
  if (!bound) return { ...base, status: 'unsupported', error: `This build has no ${installation.connector} connector: erase the records there by hand` };
  if (!bound.ok) return { ...base, status: 'failed', retryable: false, error: bound.message };
  if (!bound.bound.eraseContact) return { ...base, status: 'unsupported', error: `${connector?.displayName ?? installation.connector} cannot erase through its API: erase the records there by hand` };
  try {
    const outcome = await bound.bound.eraseContact(links, { logger: deps.logger });
    return outcome.ok
      ? { ...base, status: 'done', steps: outcome.steps, ...(outcome.kept ? { kept: outcome.kept } : {}) }
      : { ...base, status: 'failed', steps: outcome.steps, error: outcome.error, retryable: outcome.retryable };
  } catch (err) {
    return { ...base, status: 'failed', retryable: true, error: err instanceof Error ? err.message : String(err) };
  }
}
