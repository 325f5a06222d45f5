import { Client } from 'pg';
import { fixtureJson, fixtureText, webhookFixtureNames } from '../support/fixtures';
import { seedFixtureNumber } from '../support/seed';
import { startTestRuntime, TEST_VERIFY_TOKEN, type TestRuntime } from '../support/test-runtime';

interface SignatureVector {
  app_secret: string;
  raw_body: string;
  expected_header_value: string;
  counter_example: { reserialized_body: string; hmac_of_reserialized_body: string };
}

describe('POST /webhooks/whatsapp (no worker: what the request path stores)', () => {
  let rt: TestRuntime;
  const vector = fixtureJson('webhook-signature-vector.json') as SignatureVector;

  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false, config: { metaAppSecret: vector.app_secret } });
    await seedFixtureNumber(rt.db, rt.workspace.id);
  });
  afterAll(() => rt.close());
  beforeEach(() => rt.db('inbox_event').delete());

  const inboxCount = async () => Number((await rt.db('inbox_event').count({ n: '*' }))[0]?.n);

  describe('verification handshake', () => {
    it('echoes hub.challenge for the configured token', async () => {
      const res = await rt.http().get(`/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${TEST_VERIFY_TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.text).toBe('1158201444');
    });

    it('answers 403 for any other token', async () => {
      const res = await rt.http().get('/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=fake-verify-token');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('VERIFY_TOKEN_MISMATCH');
    });
  });

  describe('signature over the raw bytes', () => {
    it('accepts the fixture vector with its expected header', async () => {
      const res = await rt.postWebhook(vector.raw_body, vector.expected_header_value);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: 1, stored: 1, duplicates: 0 });
      const row = await rt.db('inbox_event').first();
      expect(row.dedupe_key).toBe('m:wamid.FAKE_IN_TEXT_SIG_0001');
      expect(row.payload.message.text.body).toBe('Olá 👋');
      expect(row.payload.contact.profile.name).toBe('José Test');
    });

    it('rejects the re-serialised counter-example: 401 and nothing stored', async () => {
      const res = await rt.postWebhook(vector.counter_example.reserialized_body, vector.expected_header_value);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('SIGNATURE_INVALID');
      expect(await inboxCount()).toBe(0);
    });

    it('rejects a missing signature with 401', async () => {
      const res = await rt.http().post('/webhooks/whatsapp').set('content-type', 'application/json').send(vector.raw_body);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('SIGNATURE_MISSING');
      expect(await inboxCount()).toBe(0);
    });

    it('rejects a signature made with another secret', async () => {
      const res = await rt.postWebhook(vector.raw_body, vector.counter_example.hmac_of_reserialized_body);
      expect(res.status).toBe(401);
    });
  });

  describe('bad bodies get clear JSON errors', () => {
    it('400 for malformed JSON (correctly signed)', async () => {
      const res = await rt.postWebhook('{"object": "whatsapp_business_account", ');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_JSON');
    });

    it('400 for JSON that is not a WhatsApp webhook', async () => {
      const res = await rt.postWebhook(JSON.stringify({ object: 'page', entry: [] }));
      expect(res.status).toBe(400);
      const body = res.body;
      expect(body.error.code).toBe('INVALID_PAYLOAD');
      expect(body.error.message).toMatch(/object/);
    });

    it('413 for a body over the limit, as JSON', async () => {
      const big = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(4 * 1024 * 1024) });
      const res = await rt.postWebhook(big);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await inboxCount()).toBe(0);
    });
  });

  it('stores every event of every fixture, each once, with a drain job per shard in the same commit', async () => {
    let events = 0;
    for (const name of webhookFixtureNames()) {
      const res = await rt.postWebhook(fixtureText(name));
      expect(res.status).toBe(200);
      events += res.body.received;
    }
    expect(await inboxCount()).toBeGreaterThan(0);
    // Redelivery of everything: all duplicates, nothing new.
    for (const name of webhookFixtureNames()) {
      const body = (await rt.postWebhook(fixtureText(name))).body;
      expect(body.stored).toBe(0);
    }
    const rows = await rt.db('inbox_event').select('kind', 'state', 'dedupe_key', 'shard');
    expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(rows.length);
    expect(rows.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['message', 'status', 'user_preference', 'template_status', 'quality_update', 'system_error']));
    // inbound-batched-multiple.json: two messages and a status from one POST, all stored.
    expect(rows.map((r) => r.dedupe_key)).toEqual(expect.arrayContaining(['m:wamid.FAKE_IN_TEXT_0101', 'm:wamid.FAKE_IN_TEXT_0102', 's:wamid.FAKE_OUTBOUND_0001:read:1750002102']));
    expect(events).toBeGreaterThanOrEqual(rows.length);
    // The fixtures' number and WABA are registered: every event is routed and waits for the worker.
    expect(rows.every((r) => r.state === 'pending')).toBe(true);
    const pendingShards = new Set(rows.filter((r) => r.state === 'pending').map((r) => r.shard));
    const jobs = await rt.db.raw("select key from graphile_worker._private_jobs where key like 'inbox-drain-%'");
    expect(new Set(jobs.rows.map((j: { key: string }) => j.key))).toEqual(new Set([...pendingShards].map((s) => `inbox-drain-${s}`)));
  });

  it('acknowledges an unknown phone_number_id, stores it as unrouted and queues nothing for it', async () => {
    const body = fixtureText('inbound-text.json').replaceAll('100000000000002', '199999999999999').replaceAll('100000000000001', '199999999999998');
    const res = await rt.postWebhook(body);
    expect(res.status).toBe(200);
    const row = await rt.db('inbox_event').first();
    expect(row).toMatchObject({ state: 'unrouted', workspace_id: null, phone_number_id: '199999999999999' });
    const metrics = (await rt.http().get('/metrics')).text;
    expect(metrics).toMatch(/threadline_webhook_events_total\{kind="message",outcome="unrouted"\} [1-9]/);
  });

  it('answers 503 while the database is unreachable, so Meta retries, and 200 once it is back', async () => {
    const dbName = new URL(rt.database.url).pathname.slice(1);
    const admin = new Client({ connectionString: Object.assign(new URL(rt.database.url), { pathname: '/postgres' }).toString() });
    await admin.connect();
    try {
      await admin.query(`alter database "${dbName}" with allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
      const res = await rt.postWebhook(fixtureText('inbound-text.json'));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('STORE_UNAVAILABLE');
    } finally {
      await admin.query(`alter database "${dbName}" with allow_connections true`);
      await admin.end();
    }
    const res = await rt.postWebhook(fixtureText('inbound-text.json'));
    expect(res.status).toBe(200);
    expect(await inboxCount()).toBe(1);
  });
});
