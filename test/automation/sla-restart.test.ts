import { createLogger } from '../../core/observability/logger';
import { startRuntime, type Runtime } from '../../server/runtime';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

/**
 * Issue 7's must-show: an SLA breach after a restart still fires once. The timer is a row and a job, not memory:
 * the worker that started it stops, another one (a new process's runtime on the same database) breaches it.
 */
let meta: MetaFake;
let rt: TestRuntime;
let worker: Runtime | undefined;
beforeAll(async () => {
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: false, connectors: [] });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
  const rule = await rt.http().put('/api/v1/automation/rules/sla').set('authorization', ADMIN_AUTH).send({ definition: { firstResponseMinutes: 5, businessHoursOnly: false } });
  expect(rule.status).toBe(201);
});
afterAll(async () => {
  await worker?.stop();
  await rt.close();
  await meta.stop();
});

/** A worker alone (no HTTP server), as `npm start`'s worker on another process would run. */
const startWorker = () => startRuntime({ ...rt.config, databaseUrl: rt.database.url }, {
  logger: createLogger({ level: 'silent' }), migrate: false, http: false, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [],
});

test('a timer started before a restart is breached once by the worker after it', async () => {
  worker = await startWorker();
  const res = await rt.postWebhook(textWebhook({ wamid: 'wamid.SLA_RESTART', from: '4919100000001', name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 2, body: 'Hello?' }));
  expect(res.status).toBe(200);
  const timer = () => rt.db('sla_timer as t').join('message as m', 'm.conversation_id', 't.conversation_id').where('m.wamid', 'wamid.SLA_RESTART').first('t.conversation_id', 't.state');
  await waitFor(async () => (await timer())?.state === 'running', 'the timer to start');
  await worker.stop();
  worker = undefined;

  // Down past the due time: the timer and its job wait in the database.
  const { conversation_id: conversationId } = (await timer()) as { conversation_id: string };
  await rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: rt.db.fn.now() });
  expect(await rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: rt.db.fn.now() })).toBe(1);
  expect((await timer())?.state).toBe('running');

  worker = await startWorker();
  await waitFor(async () => (await timer())?.state === 'breached', 'the breach after the restart');
  await waitFor(async () => (await rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).first('id')) === undefined, 'the due job to finish');
  expect(await rt.db('automation_action').where({ conversation_id: conversationId, action: 'sla_breached' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  expect(await rt.db('audit_log').where({ entity_id: conversationId, action: 'conversation.sla_breached' }).count({ n: '*' })).toEqual([{ n: 1 }]);
});
