import { DateTime } from 'luxon';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

/** Response targets (issue 7 item 5): timers as jobs, met by a person's reply, breached at their due time. */
let meta: MetaFake;
let rt: TestRuntime;
beforeAll(async () => {
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [] });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
  expect((await putRule('sla', { firstResponseMinutes: 5, nextResponseMinutes: 10, businessHoursOnly: false })).status).toBe(201);
});
afterAll(async () => {
  await rt.close();
  await meta.stop();
});

function putRule(kind: string, definition: unknown) {
  return rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
}
let seq = 0;
async function writes(from: string): Promise<{ conversationId: string; sentAt: Date }> {
  const wamid = `wamid.SLA_${++seq}`;
  expect((await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 2, body: 'Hello?' }))).status).toBe(200);
  await waitFor(async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined && idle(), `message ${wamid}`);
  return rt.db('message').where({ wamid }).first({ conversationId: 'conversation_id', sentAt: 'sent_at' });
}
const idle = async () => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', ['automation.inbound', 'automation.sla_due', 'whatsapp.send']).where('run_at', '<=', rt.db.fn.now()).pluck('id')).length === 0;
const timerOf = (conversationId: string) => rt.db('sla_timer').where({ conversation_id: conversationId }).first('kind', 'state', 'started_at', 'due_at');
const agentAnswers = (conversationId: string) => rt.http().post(`/api/v1/conversations/${conversationId}/messages`).set('authorization', ADMIN_AUTH)
  .set('idempotency-key', `answer-${++seq}`).send({ type: 'text', body: 'On it!' });
const runDueNow = (conversationId: string) => rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: rt.db.fn.now() });

test('a first message starts the first-response timer; a person\'s reply meets it; the next message starts the next one', async () => {
  const { conversationId, sentAt } = await writes('4919000000001');
  expect(await timerOf(conversationId)).toEqual({ kind: 'first_response', state: 'running', started_at: sentAt, due_at: new Date(sentAt.getTime() + 5 * 60_000) });
  expect((await agentAnswers(conversationId)).status).toBe(202);
  expect(await timerOf(conversationId)).toMatchObject({ state: 'met' });
  // Met: the job at the old due time finds nothing to breach.
  expect(await runDueNow(conversationId)).toBe(1);
  await waitFor(idle, 'the due job');
  expect(await timerOf(conversationId)).toMatchObject({ state: 'met' });

  const next = await writes('4919000000001');
  expect(await timerOf(conversationId)).toEqual({ kind: 'next_response', state: 'running', started_at: next.sentAt, due_at: new Date(next.sentAt.getTime() + 10 * 60_000) });
});

test('unanswered at the due time: breached, recorded once, counted and audited', async () => {
  const { conversationId } = await writes('4919000000002');
  await writes('4919000000002'); // a second unanswered message does not restart the clock
  const started = (await timerOf(conversationId))?.started_at;
  // Five minutes pass: the timer is due and its job runs.
  await rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: rt.db.fn.now() });
  expect(await runDueNow(conversationId)).toBe(1);
  await waitFor(async () => (await timerOf(conversationId))?.state === 'breached', 'the breach');
  expect((await timerOf(conversationId))?.started_at).toEqual(started);
  expect(await rt.db('automation_action').where({ conversation_id: conversationId, action: 'sla_breached' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  expect(await rt.db('audit_log').where({ entity_id: conversationId, action: 'conversation.sla_breached' }).first('data'))
    .toMatchObject({ data: { kind: 'first_response', team: null } });
  const metrics = await rt.http().get('/metrics');
  expect(metrics.text).toMatch(/threadline_sla_breaches_total\{kind="first_response",team=""\} [1-9]/);
});

test('in business hours the clock stops while closed, and an automatic reply is not an answer', async () => {
  const tomorrow = DateTime.utc().plus({ days: 1 }).toISODate();
  expect((await putRule('business_hours', { hours: { timeZone: 'UTC', weekly: {}, exceptions: [{ date: tomorrow, intervals: [{ open: '09:00', close: '17:00' }] }] } })).status).toBe(201);
  expect((await putRule('sla', { firstResponseMinutes: 5 })).status).toBe(200);
  const { conversationId } = await writes('4919000000003');
  await waitFor(async () => meta.state.sent.some((m) => m.waId === '4919000000003'), 'the out-of-hours reply');
  await waitFor(idle, 'the reply to be sent');
  expect(await timerOf(conversationId)).toMatchObject({ state: 'running', due_at: new Date(`${tomorrow}T09:05:00Z`) });
});
