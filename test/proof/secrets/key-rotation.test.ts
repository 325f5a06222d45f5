import crypto from 'node:crypto';
import request from 'supertest';
import { LoginAttempts } from '../../../core/auth/login-attempts';
import { botSecret } from '../../../core/automation/bot-secret';
import { loadTriggerSecret } from '../../../core/automation/trigger-secret';
import { resealSecrets, SEALED_COLUMNS } from '../../../core/crypto/reseal-secrets';
import { SecretBox } from '../../../core/crypto/secret-box';
import { createLogger } from '../../../core/observability/logger';
import { ensureWorkspace } from '../../../core/workspace/ensure-workspace';
import { loadNumberAccess } from '../../../core/numbers/number-access';
import { startRuntime, type Runtime } from '../../../server/runtime';
import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { testConnector } from '../../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../../fakes/meta/meta-fake';
import { createTestDatabase, type TestDatabase } from '../../support/test-db';
import { testConfig } from '../../support/test-runtime';
import { waitFor } from '../../sync/sync-harness';

const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const prefixOf = (key: Buffer) => `v1.${SecretBox.keyId(key)}.`;

/** Every sealed value in the database, whatever its table. */
async function sealedValues(database: TestDatabase): Promise<string[]> {
  const values: string[] = [];
  for (const { table, column } of SEALED_COLUMNS) {
    const rows: Record<string, string>[] = await database.db(table).whereNotNull(column).select(column);
    values.push(...rows.map((r) => r[column] ?? ''));
  }
  return values;
}

describe('encryption key rotation without downtime', () => {
  let meta: MetaFake;
  let database: TestDatabase;
  let runtime: Runtime | undefined;
  beforeAll(async () => {
    meta = await startMetaFake();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await runtime?.stop();
    await meta.stop();
    await database.drop();
  });

  const start = (encryptionKey: Buffer, previousEncryptionKeys: Buffer[]) => startRuntime(
    { ...testConfig({ encryptionKey, previousEncryptionKeys, whatsappApiBase: meta.baseUrl }), databaseUrl: database.url },
    { logger: createLogger({ level: 'silent' }), migrate: false, connectors: [testConnector], worker: { pollIntervalMs: 50, ioConcurrency: 2 } },
  );

  it('starts on key A, re-seals under B while serving with both, then runs on B alone', async () => {
    // Key A: every kind of sealed value, through the admin API and the core paths that write them.
    runtime = await start(keyA, []);
    const url = runtime.url;
    const admin = (path: string, body: object) => request(url).post(path).set('authorization', ADMIN_AUTH).send(body);
    expect((await admin('/api/v1/numbers', {
      phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never',
    })).status).toBe(201);
    const credentials = { apiKey: 'api-key-sealed-under-a', replySecret: 'reply-secret-sealed-under-a' };
    expect((await admin('/api/v1/installations', { connector: 'test-platform', account_id: 'acct', config: { baseUrl: 'http://127.0.0.1:9' }, credentials })).status).toBe(201);
    const bot = (await admin('/api/v1/automation/bot/secret', {})).body.secret as string;
    const trigger = (await admin('/api/v1/automation/trigger-secret', {})).body.secret as string;
    const attempts = new LoginAttempts({ db: runtime.db, secrets: runtime.secrets });
    const { attempt } = await attempts.start({ purpose: 'rotation-test', account: 'acme', returnUrl: '/', secrets: { pushToken: 'push-token-under-a' } });
    await attempts.beginAuthorization(attempt.id, 'state-under-a', 'verifier-under-a');
    const workspaceId = runtime.workspace.id;
    const numberId = ((await runtime.db('whatsapp_number').first('id')) as { id: string }).id;
    const before = await sealedValues(database);
    expect(before).toHaveLength(SEALED_COLUMNS.length);
    expect(before.every((v) => v.startsWith(prefixOf(keyA)))).toBe(true);
    await runtime.stop();
    runtime = undefined;

    /** What a running server reads with its key list: every secret, opened. */
    const everythingOpens = async (rt: Runtime) => {
      expect((await loadNumberAccess(rt.db, rt.secrets, workspaceId, numberId))?.token).toBe(fixtureNumber.accessToken);
      expect(await botSecret(rt.db, rt.secrets, { workspaceId, numberId: null })).toBe(bot);
      expect(await loadTriggerSecret(rt.db, rt.secrets, workspaceId)).toBe(trigger);
      const row = (await rt.db('installation').first('credentials_sealed')) as { credentials_sealed: string };
      expect(JSON.parse(rt.secrets.open(row.credentials_sealed))).toMatchObject(credentials);
      const login = (await rt.db('login_attempt').first('secrets_sealed', 'pkce_verifier_sealed')) as Record<string, string>;
      expect(rt.secrets.open(login.secrets_sealed ?? '')).toBe('{"pushToken":"push-token-under-a"}');
      expect(rt.secrets.open(login.pkce_verifier_sealed ?? '')).toBe('verifier-under-a');
      expect((await request(rt.url).get('/api/v1/numbers').set('authorization', ADMIN_AUTH)).status).toBe(200);
    };

    // Key B current, A previous: the server reads both at once, and the worker re-seals on its own (queued at start).
    runtime = await start(keyB, [keyA]);
    await everythingOpens(runtime);
    await waitFor(async () => (await sealedValues(database)).every((v) => v.startsWith(prefixOf(keyB))), 'every value re-sealed under key B');
    await everythingOpens(runtime);
    await runtime.stop();
    runtime = undefined;

    // Key A retired: nothing needed it any more.
    runtime = await start(keyB, []);
    await everythingOpens(runtime);
  });
});

describe('resealSecrets', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('re-seals in batches while readers keep opening, and reports what no key opens', async () => {
    const { db } = database;
    const old = new SecretBox(keyA);
    const both = new SecretBox(keyB, [keyA]);
    const workspaceId = (await ensureWorkspace(db)).id;
    const rows = Array.from({ length: 25 }, (_, i) => ({
      workspace_id: workspaceId, phone_number_id: `10000${i}`, waba_id: '2000', display_phone_number: `+1555000${i}`,
      access_token_sealed: old.seal(`token-${i}`),
    }));
    await db('whatsapp_number').insert(rows);
    // Sealed under a key nobody has any more.
    await db('whatsapp_number').insert({ ...rows[0], phone_number_id: '999', access_token_sealed: new SecretBox(crypto.randomBytes(32)).seal('lost') });

    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const all: { phone_number_id: string; access_token_sealed: string }[] = await db('whatsapp_number').whereNot({ phone_number_id: '999' }).select('phone_number_id', 'access_token_sealed');
        for (const row of all) expect(both.open(row.access_token_sealed)).toBe(`token-${row.phone_number_id.slice(5)}`);
        reads++;
      }
    })();
    const report = await resealSecrets({ db, secrets: both }, { batchSize: 4 });
    stop = true;
    await reader;

    expect(reads).toBeGreaterThan(0);
    expect(report).toEqual({ resealed: 25, unopenable: { 'whatsapp_number.access_token_sealed': 1 }, remaining: 1 });
    const after: { access_token_sealed: string }[] = await db('whatsapp_number').whereNot({ phone_number_id: '999' }).select('access_token_sealed');
    expect(after.every((r) => r.access_token_sealed.startsWith(prefixOf(keyB)))).toBe(true);
    // A second run has nothing to do.
    expect(await resealSecrets({ db, secrets: both })).toEqual({ resealed: 0, unopenable: { 'whatsapp_number.access_token_sealed': 1 }, remaining: 1 });
  });

  it('names every sealed column the schema has', async () => {
    const { rows }: { rows: { table_name: string; column_name: string }[] } = await database.db.raw(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and column_name like '%sealed%' order by 1, 2`,
    );
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`).sort()).toEqual(SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort());
  });
});
