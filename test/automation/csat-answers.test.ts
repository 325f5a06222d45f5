import crypto from 'node:crypto';
import { ADMIN_AUTH, waitFor } from '../admin/admin-helpers';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { fixtureText } from '../support/fixtures';
import { startAutomationWorld, type AutomationWorld } from './automation-world';

/** CSAT answers (issue 7 item 7): a score tapped or typed after a CSAT send is stored once and counted; no rule in force. */
let w: AutomationWorld;
beforeAll(async () => {
  w = await startAutomationWorld();
  w.meta.state.templates.add({ name: 'csat_survey', components: [
    { type: 'BODY', text: 'How did we do? Tap a score from 1 (bad) to 5 (great).' },
    { type: 'BUTTONS', buttons: ['1', '3', '5'].map((text) => ({ type: 'QUICK_REPLY', text })) },
  ] });
  expect((await w.rt.http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH).send({ phone_number_id: fixtureNumber.phoneNumberId })).status).toBe(200);
});
afterAll(() => w.close());

/** The customer writes (opening their window), then their solved ticket's CSAT template goes out as Zendesk's trigger sends it. */
async function csatSentTo(waId: string, { minutesAgo = 1 } = {}): Promise<{ conversationId: string; csatMessageId: string }> {
  const wamid = await w.writes(waId, 'My parcel never came');
  await waitFor(w.handled(wamid), 'the first message');
  const { conversation_id: conversationId } = await w.rt.db('message').where({ wamid }).first('conversation_id');
  const sent = await sendFromPlatform({ db: w.rt.db })({
    workspaceId: w.rt.workspace.id, originInstallationId: crypto.randomUUID(), to: { conversationId, phoneNumberId: fixtureNumber.phoneNumberId },
    idempotencyKey: `zendesk:csat:${crypto.randomUUID()}`, author: { platform: 'zendesk', id: 'acme:trigger:csat', name: 'Zendesk CSAT trigger (acme)' },
    message: { type: 'template', name: 'csat_survey', language: 'en_US', parameters: [] }, unattended: true,
  });
  if (!sent.ok) throw new Error(`CSAT not sent: ${sent.code} ${sent.message}`);
  // WhatsApp times are whole seconds: the send is placed before the answer the way it happens for real.
  await w.rt.db('message').where({ id: sent.messageId }).update({ sent_at: new Date(Date.now() - minutesAgo * 60_000) });
  return { conversationId, csatMessageId: sent.messageId };
}

/** A quick-reply tap on the template (inbound-template-button.json), as Meta sends it. */
async function taps(waId: string, text: string): Promise<string> {
  const wamid = `wamid.TAP_${crypto.randomBytes(6).toString('hex')}`;
  const body = fixtureText('inbound-template-button.json').replaceAll('15550001111', waId).replace('wamid.FAKE_IN_TPL_BUTTON_0001', wamid)
    .replace('"1750001400"', `"${Math.floor(Date.now() / 1000) - 2}"`).replace('CANCEL_ORDER_1234', `csat-${text}`).replace('Cancel order', text);
  expect((await w.rt.postWebhook(body)).status).toBe(200);
  await waitFor(w.handled(wamid), 'the tap');
  return wamid;
}

async function types(waId: string, text: string): Promise<string> {
  const wamid = await w.writes(waId, text);
  await waitFor(w.handled(wamid), `"${text}"`);
  return wamid;
}

const answersTo = (csatMessageId: string) => w.rt.db('csat_response as r').join('message as m', 'm.id', 'r.message_id')
  .where({ 'r.csat_message_id': csatMessageId }).select('r.conversation_id', 'r.score', 'r.source', 'm.wamid');
const csatAnalytics = (query = '') => w.rt.http().get(`/api/v1/analytics/csat${query}`).set('authorization', ADMIN_AUTH);

test('a tapped "5" is stored as the answer, counted in /metrics and in the analytics', async () => {
  const { conversationId, csatMessageId } = await csatSentTo('4917000000001');
  const tap = await taps('4917000000001', '5');
  expect(await answersTo(csatMessageId)).toEqual([{ conversation_id: conversationId, score: 5, source: 'button', wamid: tap }]);
  expect((await w.rt.http().get('/metrics')).text).toMatch(/threadline_csat_responses_total\{score="5"\} 1\n/);
  const analytics = await csatAnalytics(`?from=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`);
  expect(analytics.status).toBe(200);
  expect(analytics.body).toMatchObject({ responses: 1, average: 5, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 } });
  // Answers before the range are not in it.
  expect((await csatAnalytics(`?to=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`)).body).toMatchObject({ responses: 0, average: null });
});

test('a typed "4" is stored as a 4', async () => {
  const { csatMessageId } = await csatSentTo('4917000000002');
  const typed = await types('4917000000002', ' 4 ');
  expect(await answersTo(csatMessageId)).toMatchObject([{ score: 4, source: 'text', wamid: typed }]);
  expect((await csatAnalytics()).body).toMatchObject({ responses: 2, average: 4.5, distribution: { 4: 1, 5: 1 } });
});

test('only the first answer to a CSAT send counts', async () => {
  const { csatMessageId } = await csatSentTo('4917000000003');
  const first = await taps('4917000000003', '3');
  await types('4917000000003', '1');
  await taps('4917000000003', '5');
  expect(await answersTo(csatMessageId)).toMatchObject([{ score: 3, wamid: first }]);
  const metrics = (await w.rt.http().get('/metrics')).text;
  expect(metrics).toMatch(/threadline_csat_responses_total\{score="3"\} 1\n/);
  expect(metrics).toMatch(/threadline_csat_responses_total\{score="5"\} 1\n/); // the tap in the first test only
  expect(metrics).not.toMatch(/threadline_csat_responses_total\{score="1"\}/);
});

test('a message that is not a score 1–5 stores nothing, and the score after it still counts', async () => {
  const { csatMessageId } = await csatSentTo('4917000000004');
  for (const text of ['Thanks a lot!', '10', '0', '4 stars and more']) await types('4917000000004', text);
  expect(await answersTo(csatMessageId)).toEqual([]);
  await types('4917000000004', '2');
  expect(await answersTo(csatMessageId)).toMatchObject([{ score: 2 }]);
});

test('an answer more than 24 hours after the CSAT send stores nothing', async () => {
  const { csatMessageId } = await csatSentTo('4917000000005', { minutesAgo: 24 * 60 + 1 });
  await taps('4917000000005', '5');
  await types('4917000000005', '5');
  expect(await answersTo(csatMessageId)).toEqual([]);
  // The same send a few minutes inside the day: the next answer is its answer.
  await w.rt.db('message').where({ id: csatMessageId }).update({ sent_at: new Date(Date.now() - (24 * 60 - 5) * 60_000) });
  await types('4917000000005', '2');
  expect(await answersTo(csatMessageId)).toMatchObject([{ score: 2 }]);
});

test('a from that is not before to is refused', async () => {
  const res = await csatAnalytics('?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z');
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('from: must be before to') });
});
