import { DateTime } from 'luxon';
import { RULE_KINDS } from '../../core/automation/rule-kinds';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { waitFor } from '../sync/sync-harness';
import { startAutomationWorld, type AutomationWorld } from './automation-world';

/** The out-of-hours reply (issue 7 item 1) end to end: rules through the admin API, webhooks in, sends at the Meta fake. */
let w: AutomationWorld;
beforeAll(async () => {
  w = await startAutomationWorld();
});
afterAll(() => w.close());

const tomorrow = () => DateTime.utc().plus({ days: 1 }).toISODate();
/** Closed now: nothing weekly, open only tomorrow 09:00–17:00 UTC. */
const closedUntilTomorrow = () => ({ hours: { timeZone: 'UTC', weekly: {}, exceptions: [{ date: tomorrow(), intervals: [{ open: '09:00', close: '17:00' }] }] } });
const alwaysOpen = () => ({ hours: { timeZone: 'UTC', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '24:00' }]])) } });
const putRule = (definition: unknown) => w.putRule('business_hours', definition);

test('a message while closed gets one reply naming when the team is back; a second message the same night gets none', async () => {
  expect((await putRule(closedUntilTomorrow())).status).toBe(201);
  await w.writes('4915110000001', 'Hello?', 60);
  const second = await w.writes('4915110000001', 'Anyone?', 30);
  await waitFor(async () => (await w.handled(second)()) && w.sentTo('4915110000001').length > 0, 'the auto-reply');
  await waitFor(w.handled(second), 'automation jobs to finish');
  const sent = w.meta.state.sent.filter((m) => m.waId === '4915110000001');
  expect(sent).toHaveLength(1);
  expect(sent[0]?.request).toMatchObject({ type: 'text', text: { body: "Thanks for your message! We're closed right now and back tomorrow at 09:00. We'll answer you then." } });
  const message = await w.rt.db('message').where({ direction: 'outbound', wamid: sent[0]?.wamid }).first('sent_by');
  expect(message?.sent_by).toEqual({ platform: 'threadline', id: 'automation:business_hours', name: 'Out-of-hours reply' });
  expect(await w.rt.db('automation_action').where({ action: 'out_of_hours_reply' }).count({ n: '*' })).toEqual([{ n: 1 }]);
});

test('while open nothing is sent; a number can switch the workspace default off for itself', async () => {
  expect((await putRule(alwaysOpen())).status).toBe(200);
  await waitFor(w.handled(await w.writes('4915110000002')), 'the message to be processed');
  expect(w.sentTo('4915110000002')).toHaveLength(0);

  expect((await putRule(closedUntilTomorrow())).status).toBe(200);
  const off = await w.rt.http().delete(`/api/v1/automation/rules/business_hours?phone_number_id=${fixtureNumber.phoneNumberId}`).set('authorization', ADMIN_AUTH);
  expect(off.status).toBe(200);
  expect(off.body).toMatchObject({ enabled: false, phone_number_id: fixtureNumber.phoneNumberId, version: 1 });
  await waitFor(w.handled(await w.writes('4915110000003')), 'the message to be processed');
  expect(w.sentTo('4915110000003')).toHaveLength(0);
});

test('rules are versioned and audited; a bad definition is refused with what to fix', async () => {
  const bad = await putRule({ hours: { timeZone: 'Europe/Atlantis', weekly: { mon: [{ open: '18:00', close: '09:00' }] } }, autoReply: { text: '' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('INVALID_RULE');
  expect(bad.body.error.issues).toEqual(expect.arrayContaining([
    'definition.hours.timeZone: must be an IANA time zone such as Europe/Berlin',
    "definition.hours.weekly.mon.0: must close after it opens on the same day (split a night shift into two days' intervals)",
  ]));
  const versions = await w.rt.http().get('/api/v1/automation/rules/business_hours/versions').set('authorization', ADMIN_AUTH);
  expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  const audit = await w.rt.db('audit_log').where({ entity_type: 'automation_rule' }).orderBy('id').pluck('action');
  expect(audit).toEqual(['automation.rule_saved', 'automation.rule_saved', 'automation.rule_saved', 'automation.rule_disabled']);
  const list = await w.rt.http().get('/api/v1/automation/rules').set('authorization', ADMIN_AUTH);
  expect(list.body.items).toEqual(expect.arrayContaining([
    expect.objectContaining({ kind: 'business_hours', phone_number_id: null, version: 3, enabled: true }),
    expect.objectContaining({ kind: 'business_hours', phone_number_id: fixtureNumber.phoneNumberId, version: 1, enabled: false }),
  ]));
  const unknown = await w.rt.http().put('/api/v1/automation/rules/horoscope').set('authorization', ADMIN_AUTH).send({ definition: {} });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toBe(`There is no automation rule "horoscope"; the kinds are: ${RULE_KINDS.join(', ')}`);
  expect(RULE_KINDS).toContain('business_hours');
  expect((await w.rt.http().get('/api/v1/automation/rules')).status).toBe(401);
});
