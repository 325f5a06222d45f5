import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../core/observability/logger';
import { startRuntime, type Runtime } from '../../server/runtime';
import { freePort } from '../server/server-process';
import { seedFixtureNumber } from '../support/seed';
import { testConfig } from '../support/test-runtime';
import { z } from 'zod';
import { waitForDrain, inboundTexts, inParallel, postInbound, statusOf, storedCounts, waitFor } from './fault-support';

const CUSTOMERS = 10;
const MESSAGES_EACH = 20;
/** PostgreSQL is stopped once this many POSTs were acknowledged, and started again this long after. */
const STOP_AFTER_ACKS = 60;
const DOWN_MS = 2_000;

/**
 * PostgreSQL of this test's own (its data folder, a fixed port so the runtime's pool finds it again after the
 * restart): stopping it disturbs no other test.
 */
interface Postgres {
  url: string;
  stop(): Promise<void>;
}

describe('PostgreSQL restarted under load', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-faults-pg-'));
  let pgPort = 0;
  let postgres: Postgres | undefined;
  let runtime: Runtime | undefined;

  function startPostgres(): Promise<Postgres> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'postgres-child.ts')], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', FAULT_PG_DATA_DIR: path.join(dataDir, 'pgdata'), FAULT_PG_PORT: String(pgPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    return new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const line = chunk.toString().split('\n').find((l) => l.startsWith('{'));
        if (line) resolve({ url: z.object({ url: z.string() }).parse(JSON.parse(line)).url, stop: async () => { child.kill('SIGTERM'); await exited; } });
      });
      void exited.then(() => reject(new Error(`PostgreSQL did not start: ${stderr}`)));
    });
  }

  beforeAll(async () => {
    fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres user: it must reach its data folder
    pgPort = await freePort();
    postgres = await startPostgres();
    runtime = await startRuntime({ ...testConfig(), databaseUrl: postgres.url }, {
      logger: createLogger({ level: 'silent' }), worker: { heartbeatMs: 200, staleMs: 1_000, pollIntervalMs: 50 },
    });
    await seedFixtureNumber(runtime.db, runtime.workspace.id, { read_receipts: 'never' });
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
    await postgres?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, fails /readyz, and loses nothing it acknowledged; re-sent events end stored once', async () => {
    const rt = runtime as Runtime;
    const posts = inboundTexts('PG', CUSTOMERS, MESSAGES_EACH, 15550400000);
    let acks = 0;
    let down: Promise<void> | undefined;
    let whileDown: { webhook: number; readyz: number } | undefined;
    const statuses = await inParallel(posts, 8, async (post) => {
      const status = await postInbound(rt.url, post);
      if (status === 200 && (acks += 1) === STOP_AFTER_ACKS) {
        down = (async () => {
          await postgres?.stop();
          // While it is down: a webhook gets 503 (so Meta retries it) and /readyz says not ready.
          whileDown = {
            webhook: await postInbound(rt.url, { wamid: 'wamid.PG_WHILE_DOWN', from: '15550409999', body: 'while down @1750000000' }),
            readyz: await statusOf(fetch(`${rt.url}/readyz`)),
          };
          await new Promise((r) => setTimeout(r, DOWN_MS));
          postgres = await startPostgres();
        })();
        await down;
      }
      return status;
    });
    await down;
    expect(whileDown).toEqual({ webhook: 503, readyz: 503 });
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const acknowledged = posts.filter((_, i) => statuses[i] === 200);
    const refused = posts.filter((_, i) => statuses[i] === 503);
    expect(refused.length).toBeGreaterThan(0); // the outage really came under load

    await waitFor(async () => (await statusOf(fetch(`${rt.url}/readyz`))) === 200, '/readyz once PostgreSQL is back');
    // Nothing acknowledged was lost: every one is stored, whether or not it is re-sent.
    const before = await storedCounts(rt.db, acknowledged.map((p) => p.wamid));
    expect([...before.events.values()].filter((e) => e.n !== 1)).toEqual([]);

    // Meta re-sends what got no 200.
    expect(await inParallel(refused, 8, (p) => postInbound(rt.url, p))).toEqual(refused.map(() => 200));
    await waitForDrain(rt.db, 'the inbox to drain after the restart', 30_000);
    const { messages, events } = await storedCounts(rt.db, posts.map((p) => p.wamid));
    expect([...messages.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...events.entries()].filter(([, e]) => e.n !== 1 || e.processed !== 1)).toEqual([]);
    const threads: { n: number }[] = await rt.db('message').where({ direction: 'inbound' }).whereLike('wamid', 'wamid.PG\\_%\\_%')
      .groupBy('conversation_id').select(rt.db.raw('count(*)::int as n'));
    expect(threads.map((t) => t.n)).toEqual(Array.from({ length: CUSTOMERS }, () => MESSAGES_EACH));
  });
});
