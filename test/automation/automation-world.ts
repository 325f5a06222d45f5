import crypto from 'node:crypto';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fakePlatform, FAKE_API_KEY } from '../sync/sync-harness';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';

/** The real runtime (server and worker, the test connector) on the Meta fake with the fixture number: what automations run on. */
export interface AutomationWorld {
  rt: TestRuntime;
  meta: MetaFake;
  /** `PUT /api/v1/automation/rules/:kind` as the admin. */
  putRule(kind: string, definition: unknown, phoneNumberId?: string): ReturnType<ReturnType<TestRuntime['http']>['put']>;
  /** A customer's text arrives, signed as Meta sends it, `secondsAgo` before now (default 5); resolves to its wamid. */
  writes(from: string, body?: string, secondsAgo?: number): Promise<string>;
  /** True once the message is stored and no job of these tasks (automations and sends by default) is due. */
  handled(wamid: string, tasks?: readonly string[]): () => Promise<boolean>;
  /** What Meta was asked to send to this customer, in order. */
  sentTo(waId: string): unknown[];
  /** A test-platform installation that records every conversation event it is sent (what a connector would see). */
  installPlatform(): Promise<FakePlatform>;
  close(): Promise<void>;
}

const BUSY_TASKS = ['automation.inbound', 'automation.closing_message', 'automation.sla_due', 'whatsapp.send'];

export async function startAutomationWorld(): Promise<AutomationWorld> {
  const meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  const rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [testConnector] });
  const platforms: FakePlatform[] = [];
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  if (number.status !== 201) throw new Error(`number not registered: ${number.status}`);
  const idle = async (tasks: readonly string[]) => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', tasks).where('run_at', '<=', rt.db.fn.now()).pluck('id')).length === 0;
  return {
    rt, meta,
    putRule: (kind, definition, phoneNumberId) => rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH)
      .send({ definition, ...(phoneNumberId ? { phone_number_id: phoneNumberId } : {}) }),
    async writes(from, body = 'Hello?', secondsAgo = 5) {
      const wamid = `wamid.AUTO_${crypto.randomBytes(6).toString('hex')}`;
      const res = await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - secondsAgo, body: JSON.stringify(body).slice(1, -1) }));
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      return wamid;
    },
    handled: (wamid, tasks = BUSY_TASKS) => async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined && idle(tasks),
    sentTo: (waId) => meta.state.sent.filter((m) => m.waId === waId).map((m) => m.request),
    async installPlatform() {
      const platform = await fakePlatform();
      platforms.push(platform);
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'test-platform', account_id: `account-${platforms.length}`, config: { baseUrl: platform.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: `secret-${platforms.length}` },
      });
      if (res.status !== 201) throw new Error(`installation not saved: ${res.status}`);
      return platform;
    },
    async close() {
      await rt.close();
      await meta.stop();
      await Promise.all(platforms.map((p) => p.stop()));
    },
  };
}
