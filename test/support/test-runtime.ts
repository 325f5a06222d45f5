import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createLogger } from '../../core/observability/logger';
import { signMetaPayload } from '../../core/whatsapp/verify-signature';
import type { Config } from '../../server/config';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../server/runtime';
import { createTestDatabase, type TestDatabase } from './test-db';

export const TEST_APP_SECRET = 'test_app_secret_0123456789';
export const TEST_VERIFY_TOKEN = 'test-verify-token';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    nodeEnv: 'test',
    port: 0,
    publicUrl: 'http://127.0.0.1',
    databaseUrl: undefined,
    dataDir: path.join(os.tmpdir(), `threadline-test-${crypto.randomBytes(4).toString('hex')}`),
    encryptionKey: crypto.randomBytes(32),
    previousEncryptionKeys: [],
    adminToken: TEST_ADMIN_TOKEN,
    metaAppSecret: TEST_APP_SECRET,
    metaVerifyToken: TEST_VERIFY_TOKEN,
    whatsappApiBase: 'http://127.0.0.1:9',
    whatsappApiVersion: 'v24.0',
    privateAttachmentHosts: ['127.0.0.1'],
    generated: [],
    ...overrides,
  };
}

export interface TestRuntime extends Runtime {
  database: TestDatabase;
  /** POSTs a body to the webhook signed as Meta would sign it. */
  postWebhook(body: string | Buffer, signature?: string): Promise<request.Response>;
  /** supertest against the running server. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/** A running Threadline on its own database, for tests that go through HTTP. */
export async function startTestRuntime(options: RuntimeOptions & { config?: Partial<Config> } = {}): Promise<TestRuntime> {
  const database = await createTestDatabase();
  const config = { ...testConfig(options.config), databaseUrl: database.url };
  const runtime = await startRuntime(config, { logger: createLogger({ level: 'silent' }), migrate: false, ...options });
  return {
    ...runtime,
    database,
    postWebhook: async (body, signature) => request(runtime.url)
      .post('/webhooks/whatsapp')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', signature ?? signMetaPayload(body, config.metaAppSecret))
      .send(typeof body === 'string' ? body : body.toString('utf8')),
    http: () => request(runtime.url),
    close: async () => {
      await runtime.stop();
      await database.drop();
    },
  };
}
