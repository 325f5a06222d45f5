import { DateTime } from 'luxon';
import { RULE_KINDS } from '../../core/automation/rule-kinds';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

/** The out-of-hours reply (issue 7 item 1) end to end: rules through the admin API, webhooks in, sends at the Meta fake. */
let meta: MetaFake;
let rt: TestRuntime;
beforeAll(async () => {
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [] });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
});
afterAll(async () => {
  await rt.close();
  await meta.stop();
});

const tomorrow = () => DateTime.utc().plus({ days: 1 }).toISODate();
/** Closed now: nothing weekly, open only tomorrow 09:00–17:00 UTC. */
const closedUntilTomorrow = () => ({ hours: { timeZone: 'UTC', weekly: {}, exceptions: [{ date: tomorrow(), intervals: [{ open: '09:00', close: '17:00' }] }] } });
const alwaysOpen = () => ({ hours: { timeZone: 'UTC', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '24:00' }]])) } });

const putRule = (definition: unknown, phoneNumberId?: string) => rt.http().put('/api/v1/automation/rules/business_hours').set('authorization', ADMIN_AUTH)
  .send({ definition, ...(phoneNumberId ? { phone_number_id: phoneNumberId } : {}) });
const writes = async (from: string, wamid: string, secondsAgo = 30) => {
  const res = await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - secondsAgo, body: 'Hello?' }));
  expect(res.status).toBe(200);
};
const automationIdle = async () => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', ['automation.inbound', 'whatsapp.send']).pluck('id')).length === 0;
const sentTo = (waId: string) => meta.state.sent.filter((m) => m.waId === waId);
const stored = async (wamid: string) => (await rt.db('message').where({ wamid }).first('id')) !== undefined;

test('a message while closed gets one reply naming when the team is back; a second message the same night gets none', async () => {
  expect((await putRule(closedUntilTomorrow())).status).toBe(201);
  await writes('4915110000001', 'wamid.OOH_A1', 60);
  await writes('4915110000001', 'wamid.OOH_A2', 30);
  await waitFor(async () => (await stored('wamid.OOH_A2')) && (await automationIdle()) && sentTo('4915110000001').length > 0, 'the auto-reply');
  await waitFor(automationIdle, 'automation jobs to finish');
  const sent = sentTo('4915110000001');
  expect(sent).toHaveLength(1);
  expect(sent[0]?.request).toMatchObject({ type: 'text', text: { body: "Thanks for your message! We're closed right now and back tomorrow at 09:00. We'll answer you then." } });
  const message = await rt.db('message').where({ direction: 'outbound', wamid: sent[0]?.wamid }).first('sent_by');
  expect(message?.sent_by).toEqual({ platform: 'threadline', id: 'automation:business_hours', name: 'Out-of-hours reply' });
  expect(await rt.db('automation_action').where({ action: 'out_of_hours_reply' }).count({ n: '*' })).toEqual([{ n: 1 }]);
});

test('while open nothing is sent; a number can switch the workspace default off for itself', async () => {
  expect((await putRule(alwaysOpen())).status).toBe(200);
  await writes('4915110000002', 'wamid.OOH_B1');
  await waitFor(async () => (await stored('wamid.OOH_B1')) && automationIdle(), 'the message to be processed');
  expect(sentTo('4915110000002')).toHaveLength(0);

  expect((await putRule(closedUntilTomorrow())).status).toBe(200);
  const off = await rt.http().delete(`/api/v1/automation/rules/business_hours?phone_number_id=${fixtureNumber.phoneNumberId}`).set('authorization', ADMIN_AUTH);
  expect(off.status).toBe(200);
  expect(off.body).toMatchObject({ enabled: false, phone_number_id: fixtureNumber.phoneNumberId, version: 1 });
  await writes('4915110000003', 'wamid.OOH_C1');
  await waitFor(async () => (await stored('wamid.OOH_C1')) && automationIdle(), 'the message to be processed');
  expect(sentTo('4915110000003')).toHaveLength(0);
});

test('rules are versioned and audited; a bad definition is refused with what to fix', async () => {
  const bad = await putRule({ hours: { timeZone: 'Europe/Atlantis', weekly: { mon: [{ open: '18:00', close: '09:00' }] } }, autoReply: { text: '' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('INVALID_RULE');
  expect(bad.body.error.issues).toEqual(expect.arrayContaining([
    'definition.hours.timeZone: must be an IANA time zone such as Europe/Berlin',
    "definition.hours.weekly.mon.0: must close after it opens on the same day (split a night shift into two days' intervals)",
  ]));
  const versions = await rt.http().get('/api/v1/automation/rules/business_hours/versions').set('authorization', ADMIN_AUTH);
  expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  const audit = await rt.db('audit_log').where({ entity_type: 'automation_rule' }).orderBy('id').pluck('action');
  expect(audit).toEqual(['automation.rule_saved', 'automation.rule_saved', 'automation.rule_saved', 'automation.rule_disabled']);
  const list = await rt.http().get('/api/v1/automation/rules').set('authorization', ADMIN_AUTH);
  expect(list.body.items).toEqual(expect.arrayContaining([
    expect.objectContaining({ kind: 'business_hours', phone_number_id: null, version: 3, enabled: true }),
    expect.objectContaining({ kind: 'business_hours', phone_number_id: fixtureNumber.phoneNumberId, version: 1, enabled: false }),
  ]));
  const unknown = await rt.http().put('/api/v1/automation/rules/horoscope').set('authorization', ADMIN_AUTH).send({ definition: {} });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toBe(`There is no automation rule "horoscope"; the kinds are: ${RULE_KINDS.join(', ')}`);
  expect(RULE_KINDS).toContain('business_hours');
  expect((await rt.http().get('/api/v1/automation/rules')).status).toBe(401);
});
