import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Db } from '../../core/db/connect';
import type { EngineContext } from '../../core/engine/engine-context';
import { forgetNumberSettings } from '../../core/engine/number-settings';
import { processInboxEvent } from '../../core/engine/process-inbox-event';
import { drainShard } from '../../core/inbox/drain-shard';
import { extractEvents } from '../../core/inbox/extract-events';
import type { InboxDraft } from '../../core/inbox/inbox-event';
import { shardOf } from '../../core/inbox/shard';
import { createLogger } from '../../core/observability/logger';
import { Metrics } from '../../core/observability/metrics';
import { webhookEnvelope, type WebhookEnvelope } from '../../core/whatsapp/webhook-payload';
import { FIXTURE_PHONE_NUMBER_ID, fixtureText } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

export const CUSTOMER = '15550001111';

export function silentContext(): EngineContext {
  return { logger: createLogger({ level: 'silent' }), metrics: new Metrics() };
}

export interface TestWorkspace {
  workspaceId: string;
  numberId: string;
}

/** A workspace owning the fixtures' number (phone_number_id 100000000000002). */
export async function createWorkspace(db: Db, number: Record<string, unknown> = {}): Promise<TestWorkspace> {
  const slug = `ws-${crypto.randomBytes(4).toString('hex')}`;
  const [workspace]: { id: string }[] = await db('workspace').insert({ name: slug, slug }).returning('id');
  if (!workspace) throw new Error('workspace not inserted');
  const [row]: { id: string }[] = await db('whatsapp_number')
    .insert({ workspace_id: workspace.id, phone_number_id: FIXTURE_PHONE_NUMBER_ID, waba_id: '100000000000001', access_token_sealed: 'sealed-elsewhere', ...number })
    .returning('id');
  if (!row) throw new Error('number not inserted');
  forgetNumberSettings();
  return { workspaceId: workspace.id, numberId: row.id };
}

/** Changes the number's settings and drops the engine's cached copy. */
export async function updateNumber(db: Db, ws: TestWorkspace, changes: Record<string, unknown>): Promise<void> {
  await db('whatsapp_number').where({ workspace_id: ws.workspaceId, id: ws.numberId }).update(changes);
  forgetNumberSettings();
}

export function fixture(name: string): WebhookEnvelope {
  return webhookEnvelope.parse(JSON.parse(fixtureText(name)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Edits every item of `key` (messages, statuses, contacts, user_preferences) in a copy of the envelope. */
export function edit(envelope: WebhookEnvelope, key: string, change: (item: Record<string, unknown>) => void): WebhookEnvelope {
  const copy = structuredClone(envelope);
  for (const entry of copy.entry) {
    for (const c of entry.changes) {
      const items = c.value[key];
      if (Array.isArray(items)) items.filter(isRecord).forEach(change);
    }
  }
  return copy;
}

/** A text message from the inbound-text fixture, with its sender, wamid, time and body replaced. */
export function textMessage(options: { id: string; body: string; timestamp: number; from?: string; name?: string }): WebhookEnvelope {
  const from = options.from ?? CUSTOMER;
  const withMessage = edit(fixture('inbound-text.json'), 'messages', (m) => {
    m.id = options.id;
    m.from = from;
    m.timestamp = String(options.timestamp);
    m.text = { body: options.body };
  });
  return edit(withMessage, 'contacts', (c) => {
    c.wa_id = from;
    c.profile = { name: options.name ?? 'Test Customer' };
  });
}

/**
 * Stores the envelope's events in the inbox, routed to the workspace, and drains their shards
 * with the real engine. `redeliver` gives the rows fresh dedupe keys, as if the inbox had been
 * pruned before Meta redelivered. Fails the test if an event did not process.
 */
export async function deliver(db: Db, workspaceId: string, envelope: WebhookEnvelope, options: { redeliver?: boolean; ctx?: EngineContext } = {}): Promise<InboxDraft[]> {
  const drafts = extractEvents(envelope);
  const ids = await insertInbox(db, workspaceId, drafts, options.redeliver ?? false);
  const ctx = options.ctx ?? silentContext();
  for (const shard of new Set(drafts.map((d) => shardOf(d.conversationKey)))) {
    await drainShard(db, ctx, processInboxEvent, shard);
  }
  const failed: { dedupe_key: string; last_error: string | null }[] = await db('inbox_event').whereIn('id', ids).whereNot('state', 'processed').select('dedupe_key', 'last_error');
  if (failed.length) throw new Error(`events not processed: ${failed.map((f) => `${f.dedupe_key}: ${f.last_error}`).join('; ')}`);
  return drafts;
}

export async function insertInbox(db: Db, workspaceId: string, drafts: InboxDraft[], redeliver = false): Promise<number[]> {
  if (drafts.length === 0) return [];
  const suffix = redeliver ? `:again:${crypto.randomBytes(4).toString('hex')}` : '';
  const rows: { id: number }[] = await db('inbox_event')
    .insert(drafts.map((d) => ({
      workspace_id: workspaceId,
      phone_number_id: d.phoneNumberId,
      dedupe_key: d.dedupeKey + suffix,
      kind: d.payload.kind,
      conversation_key: d.conversationKey,
      shard: shardOf(d.conversationKey),
      event_at: d.eventAt,
      payload: JSON.stringify(d.payload),
      state: 'pending',
    })))
    .returning('id');
  return rows.map((r) => r.id);
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  wamid: string;
  direction: string;
  type: string;
  body: Record<string, unknown>;
  text: string | null;
  context_wamid: string | null;
  forwarded: boolean;
  frequently_forwarded: boolean;
  referral: Record<string, unknown> | null;
  referred_product: Record<string, unknown> | null;
  reactions: Record<string, string>;
  status: string;
  status_at: Date | null;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
  sent_at: Date;
}

export async function messageByWamid(db: Db, workspaceId: string, wamid: string): Promise<MessageRow> {
  const row: MessageRow | undefined = await db('message').where({ workspace_id: workspaceId, wamid }).first();
  if (!row) throw new Error(`no message ${wamid}`);
  return row;
}

export interface ConversationRowView {
  id: string;
  contact_id: string;
  status: string;
  opened_at: Date;
  closed_at: Date | null;
  last_message_at: Date;
  last_inbound_at: Date | null;
  window_expires_at: Date | null;
  assignee_platform: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
}

export async function conversationOf(db: Db, workspaceId: string, wamid: string): Promise<ConversationRowView> {
  const message = await messageByWamid(db, workspaceId, wamid);
  const row: ConversationRowView | undefined = await db('conversation').where({ workspace_id: workspaceId, id: message.conversation_id }).first();
  if (!row) throw new Error(`no conversation for ${wamid}`);
  return row;
}

/** An outbound message as the send path would store it, in the thread of `inboundWamid`. */
export async function insertOutbound(db: Db | Knex.Transaction, workspaceId: string, wamid: string, conversationId: string, type = 'text'): Promise<string> {
  const [row]: { id: string }[] = await db('message')
    .insert({
      workspace_id: workspaceId, conversation_id: conversationId, wamid, direction: 'outbound', type,
      body: JSON.stringify({ type: 'text', text: { body: 'Our reply' } }), text: 'Our reply', status: 'pending', sent_at: new Date(1_750_002_900_000),
    })
    .returning('id');
  if (!row) throw new Error('outbound not inserted');
  return row.id;
}

export interface QueuedJob {
  task: string;
  payload: Record<string, string>;
  max_attempts: number;
}

export async function jobs(db: Db, task: string): Promise<QueuedJob[]> {
  const result = await db.raw<{ rows: QueuedJob[] }>(
    `select t.identifier as task, j.payload, j.max_attempts
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = ? order by j.id`,
    [task],
  );
  return result.rows;
}

export interface AuditRow {
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  data: Record<string, unknown>;
}

export async function audits(db: Db, workspaceId: string, action?: string): Promise<AuditRow[]> {
  const q = db('audit_log').where({ workspace_id: workspaceId }).orderBy('id').select('actor', 'action', 'entity_type', 'entity_id', 'data');
  if (action) q.where({ action });
  return q;
}

export const at = (unixSeconds: number): Date => new Date(unixSeconds * 1000);

/** Inserts one row and returns its id. */
export async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<string> {
  const [inserted]: { id: string }[] = await db(table).insert(row).returning('id');
  if (!inserted) throw new Error(`${table} row not inserted`);
  return inserted.id;
}

/** A database and a workspace with the fixtures' number for one test file, created before its tests and dropped after. */
export function useEngineWorkspace(number: Record<string, unknown> = {}): { readonly db: Db; readonly ws: TestWorkspace } {
  let t: TestDatabase | undefined;
  let ws: TestWorkspace | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    ws = await createWorkspace(t.db, number);
  });
  afterAll(() => t?.drop());
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useEngineWorkspace: used before its beforeAll ran');
    return value;
  };
  return {
    get db() { return ready(t).db; },
    get ws() { return ready(ws); },
  };
}
