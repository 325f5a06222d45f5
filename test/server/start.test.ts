import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { freePort, startServer, stopIfRunning, type ServerProcess } from './server-process';

describe('the server process (server/main.ts)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let productionDataDir: string;
  let server: ServerProcess | undefined;
  let production: ServerProcess | undefined;

  beforeAll(async () => {
    // Started first so its start (mostly loading modules) overlaps the other test.
    productionDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-production-'));
    production = startServer({ NODE_ENV: 'production', THREADLINE_DATA_DIR: productionDataDir });
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-start-'));
  });
  afterAll(async () => {
    await stopIfRunning(server);
    await stopIfRunning(production);
    await database?.drop();
    for (const dir of [dataDir, productionDataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts on DATABASE_URL, PORT and a data dir alone: prints what to use, serves health and the admin API, stops on SIGTERM', async () => {
    const port = await freePort();
    server = startServer({ DATABASE_URL: database.url, PORT: String(port), THREADLINE_DATA_DIR: dataDir });
    const [, adminToken] = await server.waitForOutput(/THREADLINE_ADMIN_TOKEN=(\S+)/);
    const printed = server.stdout();
    expect(printed).toContain(`Webhook callback URL for Meta: http://localhost:${port}/webhooks/whatsapp`);
    expect(printed).toContain(`http://localhost:${port}/api/v1 (OpenAPI at /api/v1/openapi.json)`);
    expect(printed).toMatch(/META_VERIFY_TOKEN=\S{8,}/);
    expect(printed).toContain(path.join(dataDir, 'dev-secrets.json'));
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-secrets.json'), 'utf8')).THREADLINE_ADMIN_TOKEN).toBe(adminToken);

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^threadline_\w+/m);

    const numbers = await fetch(`${base}/api/v1/numbers`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(numbers.status).toBe(200);
    expect(await numbers.json()).toEqual({ items: [] });
    expect((await fetch(`${base}/api/v1/numbers`, { headers: { authorization: 'Bearer not-the-printed-token-0123456' } })).status).toBe(401);

    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.stderr()).toBe('');
  });

  it('with NODE_ENV=production and nothing set, exits 1 and names every missing variable on stderr', async () => {
    if (!production) throw new Error('the production process was not started');
    const { code } = await production.exited;
    expect(code).toBe(1);
    for (const name of ['THREADLINE_ENCRYPTION_KEY', 'THREADLINE_ADMIN_TOKEN', 'META_APP_SECRET', 'META_VERIFY_TOKEN', 'PUBLIC_URL']) {
      expect(production.stderr()).toMatch(new RegExp(`^  - ${name}: required in production`, 'm'));
    }
    expect(production.stdout()).not.toContain('Threadline is running');
    expect(fs.existsSync(path.join(productionDataDir, 'dev-secrets.json'))).toBe(false);
  });
});
