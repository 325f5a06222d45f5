import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { FAKE_API_KEY, fakePlatform, waitFor } from '../sync/sync-harness';

/**
 * Bot handoff (issue 7 item 4) end to end: the real runtime on the Meta fake, a test-connector installation as the
 * platform, and a local HTTP server as the bot, which checks nothing itself but answers by calling Threadline's API.
 */
interface BotPayload {
  timestamp: number;
  conversation_id: string;
  message: { id: string; type: string; text: string; tapped_id: string | null };
  contact: { wa_id: string; name: string };
  transcript: Array<{ direction: string; from: string; text: string }>;
}
interface BotRequest {
  raw: string;
  headers: http.IncomingHttpHeaders;
  body: BotPayload;
}
/** What the bot does with a message: the HTTP status it answers with (it may take its time). */
type Behaviour = (request: BotRequest) => Promise<number> | number;

const REPLY_SECRET = 'platform-reply-secret';
const RETRY = { baseMs: 300, factor: 2, maxMs: 600, maxAttempts: 3, jitter: 0 };

let meta: MetaFake;
let rt: TestRuntime;
let platform: FakePlatform;
let installationId = '';
let bot: http.Server;
let botSecret = '';
const received: BotRequest[] = [];
const botErrors: string[] = [];
/** Per customer; anyone else gets `answers`. */
const behaviours = new Map<string, Behaviour>();

/** The bot's own calls to Threadline, as any external bot would make them. */
const callApi = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${rt.url}${path}`, {
  method: 'POST', headers: { authorization: `Bearer ${botSecret}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});
const afterAnswering = (work: () => Promise<Response>): number => {
  setImmediate(() => void work().then(async (res) => {
    if (!res.ok) botErrors.push(`${res.status} ${await res.text()}`);
  }));
  return 200;
};
/** The bot's usual self: it takes the message, then answers it through the API. */
const answers: Behaviour = (r) => afterAnswering(() => callApi(`/api/v1/bot/conversations/${r.body.conversation_id}/messages`,
  { type: 'text', body: `Bot: ${r.body.message.text}` }, { 'idempotency-key': r.body.message.id }));
const handsOff = (team?: string): Behaviour => (r) => afterAnswering(() => callApi(`/api/v1/bot/conversations/${r.body.conversation_id}/handoff`,
  { reason: 'The customer asked for a person', ...(team ? { team } : {}) }));

beforeAll(async () => {
  bot = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (chunk: string) => { raw += chunk; }).on('end', async () => {
      const request = { raw, headers: req.headers, body: JSON.parse(raw) as BotPayload };
      received.push(request);
      res.writeHead(await (behaviours.get(request.body.contact.wa_id) ?? answers)(request)).end();
    });
  });
  await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [testConnector], botRetry: RETRY });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
  platform = await fakePlatform();
  const installed = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH)
    .send({ connector: 'test-platform', account_id: 'account-bot', config: { baseUrl: platform.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: REPLY_SECRET } });
  expect(installed.status).toBe(201);
  installationId = installed.body.id;
  expect((await putRule('teams', { teams: [{ key: 'support', name: 'Support' }, { key: 'billing', name: 'Billing' }] })).status).toBe(201);
  expect((await putRule('routing_menu', { options: [{ title: 'Support', team: 'support' }, { title: 'Billing', team: 'billing' }], fallbackTeam: 'support' })).status).toBe(201);
  expect((await putRule('faq', { entries: [{ question: 'How long does shipping take?', answer: 'Two to four days.' }] })).status).toBe(201);
  expect((await putRule('bot', { url: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/threadline`, timeoutMs: 5_000 })).status).toBe(201);
  const secret = await rt.http().post('/api/v1/automation/bot/secret').set('authorization', ADMIN_AUTH).send({});
  expect(secret.status).toBe(201);
  botSecret = secret.body.secret;
});
afterAll(async () => {
  await rt?.close();
  await meta?.stop();
  await platform?.stop();
  bot?.closeAllConnections();
  await new Promise((resolve) => bot?.close(resolve));
});
afterEach(() => expect(botErrors.splice(0)).toEqual([]));

function putRule(kind: string, definition: unknown) {
  return rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
}
async function writes(from: string, body: string): Promise<string> {
  const wamid = `wamid.BOT_${crypto.randomBytes(6).toString('hex')}`;
  expect((await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 5, body }))).status).toBe(200);
  return wamid;
}
const busy = ['automation.inbound', 'automation.bot_forward', 'whatsapp.send'];
const idle = async () => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', busy).where('run_at', '<=', rt.db.fn.now()).pluck('id')).length === 0;
const handled = (wamid: string) => async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined && idle();
const sentTo = (waId: string) => meta.state.sent.filter((m) => m.waId === waId).map((m) => m.request as { type: string; text?: { body: string } });
const textsTo = (waId: string) => sentTo(waId).map((m) => m.text?.body ?? m.type);
const botGot = (waId: string) => received.filter((r) => r.body.contact.wa_id === waId).map((r) => r.body.message.text);
async function conversationOf(wamid: string): Promise<string> {
  await waitFor(async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined, `message ${wamid} stored`);
  return (await rt.db('message').where({ wamid }).first('conversation_id')).conversation_id;
}
const ownership = (conversationId: string) => rt.db('bot_conversation').where({ conversation_id: conversationId }).first('owner', 'handoff_reason', 'handoff_team');

test('a new conversation goes to the bot, signed; the bot answers through the API and the customer gets the answer', async () => {
  const wamid = await writes('4917100000001', 'Where is my order?');
  await waitFor(async () => textsTo('4917100000001').includes('Bot: Where is my order?'), 'the bot\'s answer to reach the customer');
  const conversationId = await conversationOf(wamid);
  const [request] = received.filter((r) => r.body.contact.wa_id === '4917100000001');
  expect(request?.headers['x-threadline-signature']).toBe(`sha256=${crypto.createHmac('sha256', botSecret).update(request?.raw ?? '').digest('hex')}`);
  expect(Number(request?.headers['x-threadline-timestamp'])).toBe(request?.body.timestamp);
  expect(Math.abs(Date.now() / 1000 - (request?.body.timestamp ?? 0))).toBeLessThan(30);
  expect(request?.body).toMatchObject({
    conversation_id: conversationId,
    message: { type: 'text', text: 'Where is my order?', tapped_id: null },
    contact: { wa_id: '4917100000001', name: 'Ana' },
    transcript: [{ direction: 'inbound', from: 'customer', text: 'Where is my order?' }],
  });
  // Only the bot spoke: no menu, no FAQ.
  await waitFor(idle, 'the automations to finish');
  expect(textsTo('4917100000001')).toEqual(['Bot: Where is my order?']);
  expect(await rt.db('message').where({ conversation_id: conversationId, direction: 'outbound' }).first('sent_by')).toEqual({ sent_by: { platform: 'bot', id: 'bot:workspace', name: 'Bot' } });
  expect(await ownership(conversationId)).toMatchObject({ owner: 'bot' });
});

test('a handoff with a reason silences the bot; routing resumes, FAQ stays quiet, the platform gets reason and transcript, a person\'s reply goes out', async () => {
  const customer = '4917100000002';
  behaviours.set(customer, handsOff());
  const first = await writes(customer, 'I want to talk to a human');
  const conversationId = await conversationOf(first);
  await waitFor(async () => (await ownership(conversationId))?.owner === 'person', 'the handoff');
  expect(await ownership(conversationId)).toEqual({ owner: 'person', handoff_reason: 'The customer asked for a person', handoff_team: null });
  expect(await rt.db('audit_log').where({ action: 'bot.handoff', entity_id: conversationId }).first('actor', 'data')).toEqual({ actor: 'bot', data: { reason: 'The customer asked for a person', team: null } });
  await waitFor(() => platform.records.some((r) => r.type === 'conversation.handoff' && r.conversationId === conversationId), 'the handoff on the platform');
  expect(platform.records.find((r) => r.type === 'conversation.handoff')?.data).toMatchObject({
    to: 'person', reason: 'The customer asked for a person', transcript: [{ direction: 'inbound', text: 'I want to talk to a human' }],
  });

  // A question the FAQ knows: no FAQ answer and nothing to the bot, but the routing menu.
  await waitFor(handled(await writes(customer, 'How long does shipping take?')), 'the next message');
  expect(botGot(customer)).toEqual(['I want to talk to a human']);
  expect(sentTo(customer)).toEqual([expect.objectContaining({ type: 'interactive', interactive: expect.objectContaining({ body: { text: 'Hello! How can we help? Please choose:' } }) })]);
  const late = await callApi(`/api/v1/bot/conversations/${conversationId}/messages`, { type: 'text', body: 'Still me!' }, { 'idempotency-key': 'late-1' });
  expect(late.status).toBe(409);
  expect(await late.json()).toMatchObject({ error: { code: 'BOT_NOT_OWNER' } });

  const reply = await fetch(`${rt.url}/connectors/test-platform/installations/${installationId}/replies`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-test-platform-secret': REPLY_SECRET },
    body: JSON.stringify({ reply_id: 'r-1', conversation_id: conversationId, text: 'Hi, Sam here. How can I help?', agent: { id: 'agent-1', name: 'Sam' } }),
  });
  expect(reply.status).toBe(201);
  await waitFor(async () => textsTo(customer).includes('Hi, Sam here. How can I help?'), 'the person\'s reply');
});

test('a handoff naming a team routes the conversation there: no menu afterwards; an unknown team is refused', async () => {
  const customer = '4917100000003';
  behaviours.set(customer, (r) => afterAnswering(async () => {
    const unknown = await callApi(`/api/v1/bot/conversations/${r.body.conversation_id}/handoff`, { reason: 'Invoice question', team: 'accounting' });
    if (unknown.status !== 400) return unknown;
    return callApi(`/api/v1/bot/conversations/${r.body.conversation_id}/handoff`, { reason: 'Invoice question', team: 'billing' });
  }));
  const conversationId = await conversationOf(await writes(customer, 'My invoice is wrong'));
  await waitFor(async () => (await ownership(conversationId))?.owner === 'person', 'the handoff');
  expect(await rt.db('conversation_routing').where({ conversation_id: conversationId }).first('state', 'team', 'routed_by')).toEqual({ state: 'routed', team: 'billing', routed_by: 'bot' });
  await waitFor(handled(await writes(customer, 'Hello?')), 'the next message');
  expect(sentTo(customer)).toEqual([]);
});

test('a person taking the conversation pauses the bot at once: a message queued behind the bot\'s is never forwarded', async () => {
  const customer = '4917100000004';
  let release: (status: number) => void = () => undefined;
  behaviours.set(customer, () => new Promise<number>((resolve) => { release = resolve; }));
  const first = await writes(customer, 'first');
  await waitFor(() => botGot(customer).length === 1, 'the bot to get the first message');
  const conversationId = await conversationOf(first);
  // The bot is still busy with the first: the second waits in the customer's queue.
  const second = await writes(customer, 'second');
  await waitFor(async () => (await rt.db('message').where({ wamid: second }).first('id')) !== undefined, 'the second message stored');
  const assigned = await rt.http().post(`/api/v1/conversations/${conversationId}/assign`).set('authorization', ADMIN_AUTH)
    .send({ assignee: { platform: 'zendesk', id: '901', name: 'Sam' } });
  expect(assigned.status).toBe(200);
  expect(await ownership(conversationId)).toEqual({ owner: 'person', handoff_reason: 'taken by Sam on zendesk', handoff_team: null });
  release(200);
  await waitFor(handled(second), 'the second message judged');
  expect(botGot(customer)).toEqual(['first']);
  expect(await rt.db('bot_forward').where({ conversation_id: conversationId }).select('state')).toEqual([{ state: 'delivered' }]);
  expect(await rt.db('audit_log').where({ action: 'bot.paused', entity_id: conversationId }).first('data')).toEqual({ data: { reason: 'taken by Sam on zendesk' } });
});

test('a person taking the conversation drops a message waiting for a retry: the bot is not called again', async () => {
  const customer = '4917100000008';
  behaviours.set(customer, () => 503);
  const conversationId = await conversationOf(await writes(customer, 'are you there?'));
  await waitFor(async () => (await rt.db('bot_forward').where({ conversation_id: conversationId }).first('attempts'))?.attempts === 1, 'the first failed attempt');
  expect((await rt.http().post(`/api/v1/conversations/${conversationId}/assign`).set('authorization', ADMIN_AUTH)
    .send({ assignee: { platform: 'hubspot', id: '77', name: 'Kim' } })).status).toBe(200);
  expect(await rt.db('bot_forward').where({ conversation_id: conversationId }).select('state', 'last_error')).toEqual([{ state: 'dropped', last_error: 'taken by Kim on hubspot' }]);
  await new Promise((resolve) => setTimeout(resolve, RETRY.baseMs * 3));
  expect(botGot(customer)).toEqual(['are you there?']);
});

test('closing hands the next conversation to the bot again; an admin can hand a conversation back', async () => {
  const customer = '4917100000005';
  behaviours.set(customer, handsOff());
  const conversationId = await conversationOf(await writes(customer, 'a person please'));
  await waitFor(async () => (await ownership(conversationId))?.owner === 'person', 'the handoff');
  expect((await rt.http().post(`/api/v1/conversations/${conversationId}/hand-to-bot`).set('authorization', ADMIN_AUTH)).status).toBe(200);
  behaviours.delete(customer);
  await waitFor(handled(await writes(customer, 'never mind')), 'a message after the hand-back');
  await waitFor(async () => textsTo(customer).includes('Bot: never mind'), 'the bot\'s answer');

  behaviours.set(customer, handsOff());
  await waitFor(handled(await writes(customer, 'a person after all')), 'a second handoff');
  await waitFor(async () => (await ownership(conversationId))?.owner === 'person', 'the second handoff');
  expect((await rt.http().post(`/api/v1/conversations/${conversationId}/close`).set('authorization', ADMIN_AUTH)).status).toBe(200);
  expect(await ownership(conversationId)).toBeUndefined();
  behaviours.delete(customer);
  const next = await writes(customer, 'new question');
  await waitFor(async () => textsTo(customer).includes('Bot: new question'), 'the bot to own the next conversation');
  expect(await ownership(await conversationOf(next))).toMatchObject({ owner: 'bot' });
});

test('a bot rule needs an https URL (http only to 127.0.0.1 outside production)', async () => {
  const res = await putRule('bot', { url: 'http://bot.example.com/threadline' });
  expect(res.status).toBe(400);
  expect(res.body.error.issues).toEqual(['definition.url: must be an https URL (http only to 127.0.0.1, and not in production)']);
});

test('the bot API refuses a wrong or missing secret', async () => {
  const conversationId = await conversationOf(await writes('4917100000006', 'hi'));
  const wrong = await fetch(`${rt.url}/api/v1/bot/conversations/${conversationId}/messages`, {
    method: 'POST', headers: { authorization: 'Bearer tlbot_not-the-secret', 'content-type': 'application/json', 'idempotency-key': 'x' }, body: JSON.stringify({ type: 'text', body: 'spoofed' }),
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  const missing = await fetch(`${rt.url}/api/v1/bot/conversations/${conversationId}/handoff`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"x"}' });
  expect(missing.status).toBe(401);
  await waitFor(idle, 'the automations to finish');
  expect(textsTo('4917100000006')).not.toContain('spoofed');
});

test('a failing bot is retried in order, then the message is a dead letter in the admin API, and a replay delivers it', async () => {
  const customer = '4917100000007';
  behaviours.set(customer, (r) => (r.body.message.text === 'one' ? 500 : 200));
  const first = await writes(customer, 'one');
  await waitFor(() => botGot(customer).length === 1, 'the first attempt');
  // Waits behind the failing one: the bot gets a customer's messages in their order.
  await writes(customer, 'two');
  await waitFor(() => botGot(customer).length === 4, 'three attempts at the first, then the second');
  expect(botGot(customer)).toEqual(['one', 'one', 'one', 'two']);
  const firstId = (await rt.db('message').where({ wamid: first }).first('id')).id;
  const dead = await rt.http().get('/api/v1/automation/bot/dead-letters').set('authorization', ADMIN_AUTH);
  expect(dead.status).toBe(200);
  const letter = dead.body.items.find((i: { message_id: string }) => i.message_id === firstId);
  expect(letter).toMatchObject({ attempts: 3, error: 'the bot answered HTTP 500' });

  behaviours.set(customer, () => 200);
  expect((await rt.http().post(`/api/v1/automation/bot/dead-letters/${letter.id}/replay`).set('authorization', ADMIN_AUTH)).status).toBe(202);
  await waitFor(async () => (await rt.db('bot_forward').where({ id: letter.id }).first('state')).state === 'delivered', 'the replay');
  expect(botGot(customer).filter((t) => t === 'one')).toHaveLength(4);
});
