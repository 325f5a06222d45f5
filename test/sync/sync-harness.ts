import crypto from 'node:crypto';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { Knex } from 'knex';
import type { ReplyOutcome, SendFunction } from '../../core/connectors/contract';
import { installConnector } from '../../core/connectors/installations';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { SecretBox } from '../../core/crypto/secret-box';
import { startWorker, type RunningWorker } from '../../core/jobs/start-worker';
import { createLogger } from '../../core/observability/logger';
import { Metrics } from '../../core/observability/metrics';
import type { SyncOptions } from '../../core/sync/deliver-installation';
import { emitConversationEvent, setSyncLinger } from '../../core/sync/emit-conversation-event';
import { SYNC_TASK, syncTask } from '../../core/sync/sync-task';
import { adminSyncRoutes, connectorRequestRoutes } from '../../server/routes/admin-sync';
import { startFakePlatform, type FakePlatform, type FakePlatformOptions } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { createWorkspace, deliver, textMessage, type TestWorkspace } from '../engine/engine-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

export const ADMIN_TOKEN = 'sync-admin-token-0123456789abcdef';
export const FAST_RETRY = { baseMs: 40, factor: 2, maxMs: 300, maxAttempts: 6, jitter: 0.2 };

export interface SyncHarness {
  t: TestDatabase;
  ws: TestWorkspace;
  secrets: SecretBox;
  registry: ConnectorRegistry;
  worker: RunningWorker;
  /** Threadline's admin sync API and connector routes, on a local port. */
  url: string;
  /** Replies handed to `send` by connectors. */
  sent: Parameters<SendFunction>[0][];
  install(fake: FakePlatform, config?: Record<string, unknown>): Promise<{ id: string; replySecret: string }>;
  close(): Promise<void>;
}

/**
 * Stands in for core/send (no Meta fake here, and these tests' messages are outside the 24-hour
 * window): stores the reply as an outbound message and emits it with its origin and sender, as
 * send does. Idempotent on the key, like send. The real path is in two-platforms-send.test.ts.
 */
function fakeSend(db: Knex, sent: Parameters<SendFunction>[0][]): SendFunction {
  const byKey = new Map<string, ReplyOutcome>();
  return async (request) => {
    const known = byKey.get(request.idempotencyKey);
    if (known) return known;
    sent.push(request);
    if (!('conversationId' in request.to) || request.message.type !== 'text') return { ok: false, code: 'UNSUPPORTED', message: 'the fake send only sends text to a conversation' };
    const { conversationId } = request.to;
    const text = request.message.text;
    const wamid = `wamid.FAKE_OUT_${crypto.randomBytes(6).toString('hex')}`;
    const messageId = await db.transaction(async (trx) => {
      const [row]: { id: string }[] = await trx('message').insert({
        workspace_id: request.workspaceId, conversation_id: conversationId, wamid, direction: 'outbound', type: 'text',
        body: JSON.stringify({ type: 'text', text: { body: text } }), text, status: 'pending', sent_at: new Date(),
      }).returning('id');
      if (!row) throw new Error('message not stored');
      await emitConversationEvent(trx, {
        workspaceId: request.workspaceId, conversationId, messageId: row.id, type: 'message.outbound', origin: request.originInstallationId,
        data: { wamid, type: 'text', text, sender: { ...request.author } },
      });
      return row.id;
    });
    const outcome: ReplyOutcome = { ok: true, messageId, wamid };
    byKey.set(request.idempotencyKey, outcome);
    return outcome;
  };
}

export async function startSyncHarness(options: SyncOptions = {}): Promise<SyncHarness> {
  setSyncLinger(30);
  const t = await createTestDatabase();
  const ws = await createWorkspace(t.db);
  const secrets = new SecretBox(crypto.randomBytes(32));
  const registry = new ConnectorRegistry([testConnector]);
  const logger = createLogger({ level: 'silent' });
  const sent: Parameters<SendFunction>[0][] = [];
  const syncOptions: SyncOptions = { retry: FAST_RETRY, ...options };
  const worker = await startWorker({
    db: t.db, connectionString: t.url, logger, metrics: new Metrics(),
    taskLists: { ordered: {}, io: { [SYNC_TASK]: syncTask({ db: t.db, secrets, registry, logger, options: syncOptions }) } },
  }, { pollIntervalMs: 20, concurrency: 1, ioConcurrency: 4 });
  const app = express();
  app.use(adminSyncRoutes({ db: t.db, secrets, registry, adminToken: ADMIN_TOKEN, workspaceId: ws.workspaceId }));
  app.use(connectorRequestRoutes({ db: t.db, secrets, registry, logger, send: fakeSend(t.db, sent) }));
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    t, ws, secrets, registry, worker, url, sent,
    install: async (fake, config = {}) => {
      const replySecret = `secret-${crypto.randomBytes(6).toString('hex')}`;
      const result = await installConnector({ db: t.db, secrets, registry }, ws.workspaceId, {
        connector: 'test-platform', accountId: `acct-${crypto.randomBytes(4).toString('hex')}`,
        config: { baseUrl: fake.url, ...config }, credentials: { apiKey: FAKE_API_KEY, replySecret },
      }, 'test');
      if (!result.ok) throw new Error(result.message);
      return { id: result.installation.id, replySecret };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await t.drop();
    },
  };
}

export const FAKE_API_KEY = 'fake-platform-api-key';

export function fakePlatform(options: Omit<FakePlatformOptions, 'apiKey'> = {}): Promise<FakePlatform> {
  return startFakePlatform({ apiKey: FAKE_API_KEY, ...options });
}

/** Inbound texts through the real engine: `perConversation` messages from each of `customers`. */
export async function ingestTexts(h: SyncHarness, customers: number, perConversation: number, start = 1_750_000_000): Promise<string[]> {
  const wamids: string[] = [];
  for (let i = 0; i < perConversation; i++) {
    for (let c = 0; c < customers; c++) {
      const id = `wamid.SYNC_${c}_${i}_${crypto.randomBytes(3).toString('hex')}`;
      wamids.push(id);
      await deliver(h.t.db, h.ws.workspaceId, textMessage({ id, body: `message ${i} from ${c}`, timestamp: start + i, from: `1555000${String(c).padStart(4, '0')}` }));
    }
  }
  return wamids;
}

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function outboxStates(db: Knex, installationId: string): Promise<Record<string, number>> {
  const rows: { state: string; n: number }[] = await db('sync_outbox').where({ installation_id: installationId }).groupBy('state').select('state', db.raw('count(*)::int as n'));
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** The wamids a fake platform stored for each conversation, in the order it received them. */
export function wamidsByConversation(fake: FakePlatform, type = 'message.inbound'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of fake.records.filter((x) => x.type === type)) {
    out.set(r.conversationId, [...(out.get(r.conversationId) ?? []), String(r.data.wamid)]);
  }
  return out;
}
