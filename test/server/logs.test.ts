import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { signMetaPayload } from '../../core/whatsapp/verify-signature';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureText } from '../support/fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { freePort, startServer, stopIfRunning, waitUntil, type ServerProcess } from './server-process';

const numbersPage = z.object({ items: z.array(z.object({ state: z.string() })) });

describe('logs of the running server', () => {
  let fake: MetaFake;
  let database: TestDatabase;
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    fake = await startMetaFake();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-logs-'));
  });
  afterAll(async () => {
    await stopIfRunning(server);
    await fake?.stop();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('never carry the admin token or a registered access token, even on the paths that log errors', async () => {
    const port = await freePort();
    const appSecret = 'app-secret-for-the-log-test-0123';
    const rejectedToken = 'EAAG-token-meta-rejects-0123456789';
    server = startServer({
      DATABASE_URL: database.url, PORT: String(port), THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'trace',
      WHATSAPP_API_BASE: fake.baseUrl, META_APP_SECRET: appSecret,
    });
    const [, adminToken = ''] = await server.waitForOutput(/THREADLINE_ADMIN_TOKEN=(\S+)/);
    const base = `http://127.0.0.1:${port}`;
    const admin = (init: RequestInit & { path: string }) =>
      fetch(`${base}${init.path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
    const register = (accessToken: string) => admin({
      path: '/api/v1/numbers', method: 'POST',
      body: JSON.stringify({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: accessToken, read_receipts: 'on_receipt' }),
    });

    expect((await fetch(`${base}/api/v1/numbers`, { headers: { authorization: `Bearer ${adminToken}x` } })).status).toBe(401);
    expect((await register(rejectedToken)).status).toBe(422);
    expect((await admin({ path: '/api/v1/numbers', method: 'POST', body: `{"access_token": "${fixtureNumber.accessToken}", ` })).status).toBe(400);
    expect((await register(fixtureNumber.accessToken)).status).toBe(201);

    // An inbound message makes the worker send a read receipt with the stored token; Meta rejects
    // it (190), so the refusal is logged with its error and the number needs attention.
    fake.state.failNext(1, 190);
    const body = fixtureText('inbound-text.json');
    const webhook = await fetch(`${base}/webhooks/whatsapp`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, appSecret) },
    });
    expect(webhook.status).toBe(200);
    await waitUntil(async () => {
      const res = await admin({ path: '/api/v1/numbers', method: 'GET' });
      const { items } = numbersPage.parse(await res.json());
      return items[0]?.state === 'needs_attention';
    }, 'the number to need attention after Meta rejected its token');
    await server.waitForOutput(/read receipt not sent/);
    expect(fake.state.requests.some((r) => r.token === fixtureNumber.accessToken && r.method === 'POST')).toBe(true);

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    const lines = `${server.stdout()}\n${server.stderr()}`.split('\n').filter((l) => l.trim() !== '');
    const pinoLines = lines.filter((l) => l.startsWith('{'));
    const messages = pinoLines.map((l) => String(JSON.parse(l).msg));
    // The error paths did log, with their error objects: the check below has something to check.
    expect(messages).toEqual(expect.arrayContaining(["read receipt not sent: Meta rejected the number's token", 'shutting down']));
    for (const line of pinoLines) {
      for (const secret of [adminToken, fixtureNumber.accessToken, rejectedToken, appSecret]) expect(line).not.toContain(secret);
    }
    // Outside the logs, the admin token appears once, in the start banner, and nothing else secret does.
    const banner = lines.filter((l) => !l.startsWith('{'));
    expect(banner.filter((l) => l.includes(adminToken))).toEqual([`    THREADLINE_ADMIN_TOKEN=${adminToken}`]);
    for (const secret of [fixtureNumber.accessToken, rejectedToken, appSecret]) expect(banner.join('\n')).not.toContain(secret);
  });
});
