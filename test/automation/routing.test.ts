import { sendFromPlatform } from '../../core/send/reply-adapter';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { fixtureText } from '../support/fixtures';
import { waitFor } from '../sync/sync-harness';
import { startAutomationWorld, type AutomationWorld } from './automation-world';

/** Routing (issue 7 item 2) end to end: teams and menus through the admin API, customers answering through webhooks. */
let w: AutomationWorld;
beforeAll(async () => {
  w = await startAutomationWorld();
  const teams = await w.putRule('teams', { teams: [{ key: 'support', name: 'Support' }, { key: 'sales', name: 'Sales' }, { key: 'billing', name: 'Billing', zendesk: { groupId: 42, tags: ['billing'] } }] });
  expect(teams.status).toBe(201);
  expect((await w.putRule('keyword_routes', { routes: [{ keywords: ['invoice', 'refund'], team: 'billing' }] })).status).toBe(201);
  expect((await w.putRule('routing_menu', { options: [{ title: 'Support', team: 'support', keywords: ['broken', 'help'] }, { title: 'Sales', team: 'sales' }, { title: 'Billing', team: 'billing' }], fallbackTeam: 'support' })).status).toBe(201);
});
afterAll(() => w.close());

const putRule = (kind: string, definition: unknown) => w.putRule(kind, definition);
const writes = (from: string, body: string) => w.writes(from, body);
let seq = 0;
async function taps(from: string, id: string, title: string): Promise<string> {
  const wamid = `wamid.ROUTE_${++seq}`;
  const body = fixtureText('inbound-interactive-button-reply.json').replaceAll('15550001111', from).replace('wamid.FAKE_IN_BUTTON_REPLY_0001', wamid)
    .replace('"1750001200"', `"${Math.floor(Date.now() / 1000) - 5}"`).replace('confirm-delivery', id).replace('"Confirm"', JSON.stringify(title));
  expect((await w.rt.postWebhook(body)).status).toBe(200);
  return wamid;
}
const handled = (wamid: string) => w.handled(wamid);
const sentTo = (waId: string) => w.sentTo(waId);
const routingOf = async (waId: string) => w.rt.db('conversation_routing as r').join('conversation as c', 'c.id', 'r.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
  .where('k.wa_id', waId).first('r.state', 'r.team', 'r.routed_by', 'r.prompts', 'r.conversation_id');

test('a new conversation gets the menu as buttons; tapping one routes it and confirms with the team\'s name', async () => {
  const platform = await w.installPlatform();
  await waitFor(handled(await writes('4917000000001', 'Hello')), 'the first message');
  expect(sentTo('4917000000001')).toEqual([expect.objectContaining({
    type: 'interactive',
    interactive: expect.objectContaining({ type: 'button', action: { buttons: [
      { type: 'reply', reply: { id: 'menu:0', title: 'Support' } }, { type: 'reply', reply: { id: 'menu:1', title: 'Sales' } }, { type: 'reply', reply: { id: 'menu:2', title: 'Billing' } },
    ] } }),
  })]);
  expect(await routingOf('4917000000001')).toMatchObject({ state: 'awaiting_choice', prompts: 1 });
  await waitFor(handled(await taps('4917000000001', 'menu:1', 'Sales')), 'the answer');
  expect(await routingOf('4917000000001')).toMatchObject({ state: 'routed', team: 'sales', routed_by: 'menu' });
  expect(sentTo('4917000000001').at(-1)).toMatchObject({ type: 'text', text: { body: 'Thanks! Sales will answer you here.' } });
  // The platforms hear where it went, with the team's mapping, to place it in their own terms.
  await waitFor(() => platform.records.some((r) => r.type === 'conversation.routed'), 'the routed event');
  expect(platform.records.find((r) => r.type === 'conversation.routed')?.data).toMatchObject({ team: { key: 'sales', name: 'Sales' }, by: 'menu' });
  // Routed: later messages are the team's, no more menus.
  await waitFor(handled(await writes('4917000000001', 'Do you ship to Spain?')), 'a later message');
  expect(sentTo('4917000000001')).toHaveLength(2);
});

test('a keyword routes at once, with no menu; a typed number or keyword answers the menu too', async () => {
  await waitFor(handled(await writes('4917000000002', 'Where is my invoice for October?')), 'the keyword message');
  expect(await routingOf('4917000000002')).toMatchObject({ state: 'routed', team: 'billing', routed_by: 'keyword' });
  expect(sentTo('4917000000002')).toEqual([]);

  await waitFor(handled(await writes('4917000000003', 'Hi there')), 'the first message');
  await waitFor(handled(await writes('4917000000003', '2.')), 'a typed number');
  expect(await routingOf('4917000000003')).toMatchObject({ state: 'routed', team: 'sales', routed_by: 'menu' });

  await waitFor(handled(await writes('4917000000004', 'Hi')), 'the first message');
  await waitFor(handled(await writes('4917000000004', 'my phone is broken')), 'a keyword of an option');
  expect(await routingOf('4917000000004')).toMatchObject({ state: 'routed', team: 'support', routed_by: 'menu' });
});

test('a wrong answer re-prompts; after the last prompt the fallback team takes it', async () => {
  await waitFor(handled(await writes('4917000000005', 'Hello')), 'the first message');
  await waitFor(handled(await writes('4917000000005', 'banana')), 'a wrong answer');
  expect(sentTo('4917000000005')).toHaveLength(2);
  expect(sentTo('4917000000005')[1]).toMatchObject({ type: 'interactive', interactive: { body: { text: "Sorry, I didn't get that. Please choose one of the options." } } });
  expect(await routingOf('4917000000005')).toMatchObject({ state: 'awaiting_choice', prompts: 2 });
  await waitFor(handled(await writes('4917000000005', 'still banana')), 'a second wrong answer');
  expect(await routingOf('4917000000005')).toMatchObject({ state: 'routed', team: 'support', routed_by: 'fallback' });
  expect(sentTo('4917000000005')).toHaveLength(2);
});

test('an unanswered menu goes to the fallback team when its timeout job runs', async () => {
  await waitFor(handled(await writes('4917000000006', 'Hello')), 'the first message');
  const routing = await routingOf('4917000000006');
  // The timeout is 10 minutes away: bring its job forward instead of waiting.
  const moved = await w.rt.db('graphile_worker._private_jobs').where({ key: `routing-timeout:${routing?.conversation_id}` }).update({ run_at: w.rt.db.fn.now() });
  expect(moved).toBe(1);
  await waitFor(async () => (await routingOf('4917000000006'))?.state === 'routed', 'the timeout to route it');
  expect(await routingOf('4917000000006')).toMatchObject({ team: 'support', routed_by: 'timeout' });
  expect(await w.rt.db('audit_log').where({ action: 'conversation.routed', entity_id: routing?.conversation_id }).first('data')).toEqual({ data: { team: 'support', by: 'timeout' } });
});

test('a menu or keyword naming a team that does not exist is refused', async () => {
  const res = await putRule('keyword_routes', { routes: [{ keywords: ['tax'], team: 'accounting' }] });
  expect(res.status).toBe(400);
  expect(res.body.error.issues).toEqual(['definition: team "accounting" is not in the teams rule (save it first: PUT /api/v1/automation/rules/teams)']);
  const tooMany = await putRule('routing_menu', { options: Array.from({ length: 11 }, (_, i) => ({ title: `Option ${i}`, team: 'support' })), fallbackTeam: 'support' });
  expect(tooMany.body.error.issues).toEqual(['definition.options: WhatsApp lists show at most 10 options']);
});

test('an FAQ question is answered with a button for a person; tapping it brings the menu, and each is recorded', async () => {
  const saved = await putRule('faq', { entries: [{ question: 'How long does shipping take?', answer: 'Orders arrive in 2–4 working days.' }] });
  expect(saved.status).toBe(201);
  await waitFor(handled(await writes('4917000000007', 'How long does shipping take to Lisbon?')), 'the question');
  expect(sentTo('4917000000007')).toEqual([expect.objectContaining({
    type: 'interactive',
    interactive: expect.objectContaining({ type: 'button', body: { text: 'Orders arrive in 2–4 working days.' }, action: { buttons: [{ type: 'reply', reply: { id: 'faq:human', title: 'Talk to a person' } }] } }),
  })]);
  expect(await routingOf('4917000000007')).toBeUndefined();

  await waitFor(handled(await taps('4917000000007', 'faq:human', 'Talk to a person')), 'the tap');
  expect(sentTo('4917000000007')).toHaveLength(2);
  expect(sentTo('4917000000007')[1]).toMatchObject({ type: 'interactive', interactive: { body: { text: 'Hello! How can we help? Please choose:' } } });
  expect(await routingOf('4917000000007')).toMatchObject({ state: 'awaiting_choice', prompts: 1 });
  await waitFor(handled(await taps('4917000000007', 'menu:2', 'Billing')), 'the menu answer');
  expect(await routingOf('4917000000007')).toMatchObject({ state: 'routed', team: 'billing', routed_by: 'menu' });
  const actions = await w.rt.db('automation_action as a').join('conversation as c', 'c.id', 'a.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
    .where('k.wa_id', '4917000000007').orderBy('a.created_at').pluck('a.action');
  expect(actions).toEqual(['faq_answer', 'faq_escalated']);
});

test('a customer answering a conversation the business started gets no menu (keyword routes still apply)', async () => {
  await w.rt.db('template').insert({
    workspace_id: w.rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: '9200001', name: 'order_shipped', language: 'en_US', category: 'UTILITY',
    status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: 'Your order {{1}} is on its way' }]),
  });
  const send = sendFromPlatform({ db: w.rt.db });
  const sent = await send({
    workspaceId: w.rt.workspace.id, originInstallationId: await installationId(), author: { platform: 'test', id: 'crm', name: 'CRM' },
    to: { waId: '4917000000008', phoneNumberId: fixtureNumber.phoneNumberId }, idempotencyKey: 'shipped-1',
    message: { type: 'template', name: 'order_shipped', language: 'en_US', parameters: ['#77'] },
  });
  expect(sent.ok).toBe(true);
  await waitFor(async () => sentTo('4917000000008').length === 1, 'the template');
  await waitFor(handled(await writes('4917000000008', 'Thanks!')), 'the answer');
  expect(sentTo('4917000000008')).toHaveLength(1);
  expect(await routingOf('4917000000008')).toBeUndefined();
  await waitFor(handled(await writes('4917000000008', 'Can I get an invoice?')), 'a keyword');
  expect(await routingOf('4917000000008')).toMatchObject({ state: 'routed', team: 'billing', routed_by: 'keyword' });
});

/** A platform installation to send as (sends from platforms carry their origin); not active, so nothing syncs to it. */
async function installationId(): Promise<string> {
  const [row]: Array<{ id: string }> = await w.rt.db('installation').insert({
    workspace_id: w.rt.workspace.id, connector: 'test-platform', account_id: 'routing-test', state: 'uninstalled', settings: '{}', credentials_sealed: w.rt.secrets.seal('{}'),
  }).returning('id');
  if (!row) throw new Error('installation not inserted');
  return row.id;
}
