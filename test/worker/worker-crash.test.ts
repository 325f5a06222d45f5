import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Knex } from 'knex';
import { shardOf } from '../../core/inbox/shard';
import { FIXTURE_PHONE_NUMBER_ID, fixtureText } from '../support/fixtures';
import { seedFixtureNumber } from '../support/seed';
import { startTestRuntime, testConfig, type TestRuntime } from '../support/test-runtime';
import { startRuntime, type Runtime } from '../../server/runtime';
import { createLogger } from '../../core/observability/logger';

const root = path.resolve(__dirname, '../..');

function sameShardCustomer(waId: string): string {
  const key = (id: string) => shardOf(`${FIXTURE_PHONE_NUMBER_ID}:${id}`);
  for (let n = 15550100000; ; n++) if (key(String(n)) === key(waId)) return String(n);
}

function startWorkerProcess(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/worker-process.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a worker killed in the middle of a job', () => {
  let rt: TestRuntime;
  let child: ChildProcess | undefined;
  let restarted: Runtime | undefined;

  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false });
    await seedFixtureNumber(rt.db, rt.workspace.id, { read_receipts: 'never' });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await restarted?.stop();
    await rt.close();
  });

  it('leaves no trace of the half-done job, and the restarted worker processes each event exactly once', async () => {
    const dbName = new URL(rt.database.url).pathname.slice(1);
    child = await startWorkerProcess(rt.database.url);

    // A first message opens the customer's conversation, so the next one has a row to wait on.
    expect((await rt.postWebhook(fixtureText('inbound-text.json'))).status).toBe(200);
    await waitFor(async () => (await rt.db('message').count({ n: '*' }))[0]?.n === 1);

    // Hold the customer's conversation row: the worker's next job blocks inside its transaction,
    // after it has already applied the other customer's message of the same batch.
    const holder: Knex.Transaction = await rt.db.transaction();
    try {
      await holder('conversation').forUpdate();
      // Another customer on the same shard, so both messages are in the one job that gets killed.
      const other = sameShardCustomer('15550001111');
      const otherCustomer = fixtureText('inbound-text.json').replaceAll('15550001111', other).replace('wamid.FAKE_IN_TEXT_0001', 'wamid.FAKE_IN_TEXT_OTHER');
      const sameCustomer = fixtureText('inbound-text-reply-context.json');
      const batch = JSON.parse(otherCustomer);
      batch.entry.push(...JSON.parse(sameCustomer).entry);
      expect((await rt.postWebhook(JSON.stringify(batch))).status).toBe(200);
      await waitFor(async () => {
        const r = await rt.db.raw("select count(*)::int as n from pg_stat_activity where datname = ? and wait_event_type = 'Lock'", [dbName]);
        return r.rows[0].n > 0;
      });

      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    } finally {
      await holder.rollback();
    }
    // The killed transaction took its partial work with it.
    expect(await rt.db('message').whereIn('wamid', ['wamid.FAKE_IN_TEXT_OTHER', 'wamid.FAKE_IN_TEXT_0002']).count({ n: '*' })).toEqual([{ n: 0 }]);

    restarted = await startRuntime({ ...testConfig(), databaseUrl: rt.database.url }, {
      http: false, migrate: false, logger: createLogger({ level: 'silent' }), worker: { heartbeatMs: 200, staleMs: 1_000 },
    });
    await waitFor(async () => (await rt.db('inbox_event').whereNot({ state: 'processed' }).count({ n: '*' }))[0]?.n === 0);

    const messages = await rt.db('message').select('wamid').orderBy('wamid');
    expect(messages.map((m) => m.wamid)).toEqual(['wamid.FAKE_IN_TEXT_0001', 'wamid.FAKE_IN_TEXT_0002', 'wamid.FAKE_IN_TEXT_OTHER']);
    const events = await rt.db('inbox_event').select('state', 'attempts');
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.state === 'processed')).toBe(true);
  });
});
