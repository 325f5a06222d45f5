import crypto from 'node:crypto';
import { installConnector } from '../core/connectors/installations';
import { ConnectorRegistry } from '../core/connectors/registry';
import { SecretBox } from '../core/crypto/secret-box';
import { connectDb } from '../core/db/connect';
import { migrate } from '../core/db/migrate';
import { processInboxEvent } from '../core/engine/process-inbox-event';
import { extractEvents } from '../core/inbox/extract-events';
import { InboxWriter, type RoutedDraft } from '../core/inbox/inbox-writer';
import { startWorker } from '../core/jobs/start-worker';
import { buildTaskLists } from '../core/jobs/task-list';
import { createLogger } from '../core/observability/logger';
import { Metrics } from '../core/observability/metrics';
import { SYNC_TASK, syncTask } from '../core/sync/sync-task';
import { startFakePlatform } from '../test/connectors/fake-platform/fake-platform';
import { testConnector } from '../test/connectors/test-connector/test-connector';
import { createWorkspace, textMessage } from '../test/engine/engine-harness';
import { createBenchDatabase, dropBenchDatabase } from './bench-database';

/**
 * `npm run bench:sync`: 5,000 inbound messages over 100 conversations, written to the inbox as the
 * webhook writes them, processed by the engine and synced by the test connector to a fake platform
 * that answers in 10 ms and allows 100 requests per 10 s. Counts, at the platform, what arrived:
 * lost, duplicated, out of order. Database: BENCH_DATABASE_URL or DATABASE_URL (admin connection).
 */
const MESSAGES = 5_000;
const CONVERSATIONS = 100;
const API_KEY = 'bench-platform-api-key';
const TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const database = await createBenchDatabase(adminUrl);
  const db = connectDb(database.url, { poolMax: 20 });
  const logger = createLogger({ level: 'warn' });
  const fake = await startFakePlatform({ apiKey: API_KEY, maxBatch: 100, responseMs: 10, limit: { requests: 100, windowMs: 10_000 } });
  let stop = async (): Promise<void> => undefined;
  try {
    await migrate(db, database.url);
    const { workspaceId } = await createWorkspace(db, { read_receipts: 'never' });
    const secrets = new SecretBox(crypto.randomBytes(32));
    const registry = new ConnectorRegistry([testConnector]);
    const installed = await installConnector({ db, secrets, registry }, workspaceId, {
      connector: testConnector.id, accountId: 'bench', config: { baseUrl: fake.url, batchSize: 100, requestsPerWindow: 100, windowMs: 10_000 },
      credentials: { apiKey: API_KEY, replySecret: 'bench-reply-secret' },
    }, 'bench');
    if (!installed.ok) throw new Error(installed.message);
    const taskLists = buildTaskLists({
      db, engine: { logger, metrics: new Metrics() }, processInboxEvent,
      ioTasks: { [SYNC_TASK]: syncTask({ db, secrets, registry, logger }) },
    });
    const worker = await startWorker({ db, connectionString: database.url, taskLists, logger, metrics: new Metrics() }, { pollIntervalMs: 100 });
    stop = () => worker.stop();

    // Message i of conversation c: sent in order, one second apart per conversation.
    const drafts: RoutedDraft[] = [];
    for (let i = 0; i < MESSAGES / CONVERSATIONS; i++) {
      for (let c = 0; c < CONVERSATIONS; c++) {
        const envelope = textMessage({ id: `wamid.BENCH_${c}_${i}`, body: `message ${i}`, timestamp: 1_750_000_000 + i, from: `1555100${String(c).padStart(4, '0')}` });
        drafts.push(...extractEvents(envelope).map((d) => ({ ...d, workspaceId })));
      }
    }
    const writer = new InboxWriter(db);
    const started = Date.now();
    for (let at = 0; at < drafts.length; at += 50) await writer.write(drafts.slice(at, at + 50)); // webhook-sized batches
    const written = Date.now();

    const inbound = () => fake.records.filter((r) => r.type === 'message.inbound');
    let processedAt = 0;
    while (new Set(inbound().map((r) => r.externalId)).size < MESSAGES && Date.now() - started < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 50));
      if (!processedAt) {
        const [pending] = await db('inbox_event').where({ workspace_id: workspaceId, state: 'pending' }).count({ n: '*' });
        if (Number(pending?.n) === 0) processedAt = Date.now();
      }
    }
    const finished = Date.now();
    const records = inbound();
    const unique = new Set(records.map((r) => r.externalId));
    const expected = new Set(drafts.map((d) => `wa:${d.dedupeKey.slice(2)}`));
    const lost = [...expected].filter((id) => !unique.has(id)).length;
    const duplicated = records.length - unique.size + fake.duplicates;
    const byConversation = new Map<string, number[]>();
    for (const r of records) {
      const index = Number(/_(\d+)$/.exec(String(r.data.wamid))?.[1]);
      byConversation.set(r.conversationId, [...(byConversation.get(r.conversationId) ?? []), index]);
    }
    const outOfOrder = [...byConversation.values()].filter((list) => list.some((v, k) => k > 0 && v < (list[k - 1] ?? 0))).length;
    const requests = fake.requests.length;
    const seconds = (finished - started) / 1000;
    const maxPerWindow = Math.max(0, ...fake.requests.map((r) => fake.requests.filter((q) => q.at > r.at - 10_000 && q.at <= r.at).length));
    const report = [
      `bench:sync — ${MESSAGES} inbound messages over ${CONVERSATIONS} conversations → fake platform (10 ms, ≤100 events/request, 100 requests/10 s)`,
      `  inbox written in        ${((written - started) / 1000).toFixed(2)} s`,
      `  inbox processed after   ${processedAt ? ((processedAt - started) / 1000).toFixed(2) : '?'} s (the engine's share)`,
      `  all synced after        ${seconds.toFixed(2)} s`,
      `  messages/s (end to end) ${(records.length / seconds).toFixed(0)}`,
      `  platform requests       ${requests} (${fake.requests.filter((r) => r.status !== 200).length} refused, ${fake.quotaRefusals} over quota; max ${maxPerWindow} in any 10 s)`,
      `  requests per message    ${(requests / MESSAGES).toFixed(4)} (target ≤ 0.05)`,
      `  mean events per request ${(records.length / Math.max(1, requests)).toFixed(1)}`,
      `  lost                    ${lost}`,
      `  duplicated              ${duplicated}`,
      `  order kept              ${outOfOrder === 0 ? 'yes' : `no: ${outOfOrder} conversations out of order`} (${byConversation.size} conversations)`,
    ];
    process.stdout.write(`${report.join('\n')}\n`);
    if (lost || duplicated || outOfOrder || requests / MESSAGES > 0.05) process.exitCode = 1;
  } finally {
    await stop();
    await fake.stop();
    await db.destroy();
    await dropBenchDatabase(database);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sync failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
