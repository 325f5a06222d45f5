import { DateTime } from 'luxon';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { waitFor } from '../sync/sync-harness';
import { startAutomationWorld, type AutomationWorld } from './automation-world';

/** Response targets (issue 7 item 5): timers as jobs, met by a person's reply, breached at their due time. */
let w: AutomationWorld;
beforeAll(async () => {
  w = await startAutomationWorld();
  expect((await w.putRule('sla', { firstResponseMinutes: 5, nextResponseMinutes: 10, businessHoursOnly: false })).status).toBe(201);
});
afterAll(() => w.close());

const putRule = (kind: string, definition: unknown) => w.putRule(kind, definition);
let answers = 0;
async function writes(from: string): Promise<{ conversationId: string; sentAt: Date }> {
  const wamid = await w.writes(from, 'Hello?', 2);
  await waitFor(w.handled(wamid), `message ${wamid}`);
  return w.rt.db('message').where({ wamid }).first({ conversationId: 'conversation_id', sentAt: 'sent_at' });
}
const idle = async () => (await w.rt.db('graphile_worker.jobs').whereIn('task_identifier', ['automation.inbound', 'automation.sla_due', 'whatsapp.send']).where('run_at', '<=', w.rt.db.fn.now()).pluck('id')).length === 0;
const timerOf = (conversationId: string) => w.rt.db('sla_timer').where({ conversation_id: conversationId }).first('kind', 'state', 'started_at', 'due_at');
const agentAnswers = (conversationId: string) => w.rt.http().post(`/api/v1/conversations/${conversationId}/messages`).set('authorization', ADMIN_AUTH)
  .set('idempotency-key', `answer-${++answers}`).send({ type: 'text', body: 'On it!' });
const runDueNow = (conversationId: string) => w.rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: w.rt.db.fn.now() });

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

test('unanswered at the due time: breached, recorded once, counted, audited and told to the platforms', async () => {
  const platform = await w.installPlatform();
  const { conversationId } = await writes('4919000000002');
  await writes('4919000000002'); // a second unanswered message does not restart the clock
  const started = (await timerOf(conversationId))?.started_at;
  // Five minutes pass: the timer is due and its job runs.
  await w.rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: w.rt.db.fn.now() });
  expect(await runDueNow(conversationId)).toBe(1);
  await waitFor(async () => (await timerOf(conversationId))?.state === 'breached', 'the breach');
  expect((await timerOf(conversationId))?.started_at).toEqual(started);
  expect(await w.rt.db('automation_action').where({ conversation_id: conversationId, action: 'sla_breached' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  expect(await w.rt.db('audit_log').where({ entity_id: conversationId, action: 'conversation.sla_breached' }).first('data'))
    .toMatchObject({ data: { kind: 'first_response', team: null } });
  await waitFor(() => platform.records.some((r) => r.type === 'conversation.sla_breached' && r.conversationId === conversationId), 'the breach event');
  expect(platform.records.find((r) => r.type === 'conversation.sla_breached')?.data).toMatchObject({ kind: 'first_response', team: null });
  const metrics = await w.rt.http().get('/metrics');
  expect(metrics.text).toMatch(/threadline_sla_breaches_total\{kind="first_response",team=""\} [1-9]/);
});

test('in business hours the clock stops while closed, and an automatic reply is not an answer', async () => {
  const tomorrow = DateTime.utc().plus({ days: 1 }).toISODate();
  expect((await putRule('business_hours', { hours: { timeZone: 'UTC', weekly: {}, exceptions: [{ date: tomorrow, intervals: [{ open: '09:00', close: '17:00' }] }] } })).status).toBe(201);
  expect((await putRule('sla', { firstResponseMinutes: 5 })).status).toBe(200);
  const { conversationId } = await writes('4919000000003');
  await waitFor(async () => w.meta.state.sent.some((m) => m.waId === '4919000000003'), 'the out-of-hours reply');
  await waitFor(idle, 'the reply to be sent');
  expect(await timerOf(conversationId)).toMatchObject({ state: 'running', due_at: new Date(`${tomorrow}T09:05:00Z`) });
});

test('a conversation routed by its first message is timed by its team\'s target', async () => {
  expect((await putRule('teams', { teams: [{ key: 'billing', name: 'Billing' }] })).status).toBe(201);
  expect((await putRule('keyword_routes', { routes: [{ keywords: ['invoice'], team: 'billing' }] })).status).toBe(201);
  expect((await putRule('sla', { firstResponseMinutes: 5, businessHoursOnly: false, teams: { billing: { firstResponseMinutes: 30 } } })).status).toBe(200);
  const wamid = await w.writes('4919000000004', 'Where is my invoice?', 2);
  await waitFor(w.handled(wamid), 'the message');
  const { conversationId, sentAt } = await w.rt.db('message').where({ wamid }).first({ conversationId: 'conversation_id', sentAt: 'sent_at' });
  expect(await w.rt.db('sla_timer').where({ conversation_id: conversationId }).first('team', 'due_at')).toEqual({ team: 'billing', due_at: new Date(sentAt.getTime() + 30 * 60_000) });
});

test('a team\'s own hours time its conversations and answer its out-of-hours messages', async () => {
  const tomorrow = DateTime.utc().plus({ days: 1 }).toISODate();
  const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ open: '00:00', close: '24:00' }]]));
  const billingHours = { timeZone: 'UTC', weekly: {}, exceptions: [{ date: tomorrow, intervals: [{ open: '13:00', close: '17:00' }] }] };
  expect((await putRule('business_hours', { hours: { timeZone: 'UTC', weekly: allWeek }, teams: { billing: billingHours } })).status).toBe(200);
  expect((await putRule('sla', { firstResponseMinutes: 5, teams: { billing: { firstResponseMinutes: 30 } } })).status).toBe(200);
  // The number is open, so the first message gets no reply; it routes to billing, whose hours count the target.
  const first = await w.writes('4919000000005', 'A question about my invoice', 2);
  await waitFor(w.handled(first), 'the first message');
  expect(w.sentTo('4919000000005')).toEqual([]);
  const { conversationId } = await w.rt.db('message').where({ wamid: first }).first({ conversationId: 'conversation_id' });
  expect(await timerOf(conversationId)).toMatchObject({ state: 'running', due_at: new Date(`${tomorrow}T13:30:00Z`) });
  // Billing is closed now: its conversation's next message gets billing's out-of-hours reply.
  await waitFor(w.handled(await w.writes('4919000000005', 'Hello?', 1)), 'the second message');
  expect(w.sentTo('4919000000005')).toEqual([expect.objectContaining({ type: 'text', text: { body: "Thanks for your message! We're closed right now and back tomorrow at 13:00. We'll answer you then." } })]);
});
