import { sendFromPlatform } from '../../core/send/reply-adapter';
import { textWebhook, ADMIN_AUTH } from '../admin/admin-helpers';
import type { FakePlatform, PlatformRecord } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { freePort } from '../send/send-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { FAKE_API_KEY, fakePlatform, waitFor } from './sync-harness';

/**
 * "One thread, every platform", end to end: the real runtime (webhook, engine, send, sync) on
 * the Meta fake, with two test-connector installations on one workspace and number. Replies go
 * through the platform → connector → core send path, never a fake send.
 */
describe('two platforms on one number, through the real runtime and the Meta fake', () => {
  let rt: TestRuntime;
  let meta: MetaFake;
  let a: FakePlatform;
  let b: FakePlatform;
  const installs: Record<'a' | 'b', { id: string; replySecret: string }> = { a: { id: '', replySecret: 'secret-platform-a' }, b: { id: '', replySecret: 'secret-platform-b' } };
  const CUSTOMER = '15550009001';
  const LATE_CUSTOMER = '15550009002';
  const ANA = { id: 'agent-7', name: 'Ana' };
  let conversationId = '';
  let replyWamid = '';

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const replyUrl = (id: string) => `${rt.url}/connectors/test-platform/installations/${id}/replies`;
  const of = (f: FakePlatform, type: string, conversation = conversationId): PlatformRecord[] => f.records.filter((r) => r.type === type && r.conversationId === conversation);
  const customerWrites = async (wamid: string, from: string, body: string, timestamp = nowSeconds() - 60) => {
    expect((await rt.postWebhook(textWebhook({ wamid, from, name: `Customer ${from}`, timestamp, body }))).status).toBe(200);
  };

  beforeAll(async () => {
    const port = await freePort();
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
    rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl, port }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [testConnector] });
    const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(number.status).toBe(201);
    a = await fakePlatform();
    b = await fakePlatform();
    for (const [key, fake] of [['a', a], ['b', b]] as const) {
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'test-platform', account_id: `account-${key}`, config: { baseUrl: fake.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: installs[key].replySecret },
      });
      expect(res.status).toBe(201);
      installs[key].id = res.body.id;
    }
    // Approved templates on the number's WABA: a utility one fits a closed window; marketing needs an opt-in this customer never gave.
    for (const [name, category] of [['order_update', 'UTILITY'], ['spring_sale', 'MARKETING']] as const) {
      await rt.db('template').insert({
        workspace_id: rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: `9000${name.length}`, name, language: 'en_US', category,
        status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: 'Hello {{1}}' }]),
      });
    }
  });
  afterAll(async () => {
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await a?.stop();
    await b?.stop();
  });

  it('a customer message (signed webhook) reaches both platforms', async () => {
    await customerWrites('wamid.TWO_IN_1', CUSTOMER, 'Where is my order?');
    await waitFor(() => a.records.length === 1 && b.records.length === 1, 'the inbound message on both platforms');
    for (const f of [a, b]) expect(f.records[0]).toMatchObject({ type: 'message.inbound', own: false, externalId: 'wa:wamid.TWO_IN_1' });
    conversationId = a.records[0]?.conversationId ?? '';
    expect(b.records[0]?.conversationId).toBe(conversationId);
  });

  it('a reply written on A is sent to WhatsApp once, however often A retries, and appears on B with A as its origin', async () => {
    const reply = { replyId: 'r-1', conversationId, text: 'It ships today', agent: ANA };
    const first = await a.postReply(replyUrl(installs.a.id), installs.a.replySecret, reply);
    expect(first).toEqual({ status: 201, body: { message_id: expect.any(String) } });
    // The platform times out and retries, twice at once: same answer, nothing new.
    const retries = await Promise.all([1, 2].map(() => a.postReply(replyUrl(installs.a.id), installs.a.replySecret, reply)));
    expect(retries).toEqual([first, first]);

    const messageId = String((first.body as { message_id: string }).message_id);
    await waitFor(async () => (await rt.db('message').where({ workspace_id: rt.workspace.id, id: messageId }).first('wamid'))?.wamid != null, 'Meta to accept the reply');
    expect(meta.state.sent).toHaveLength(1);
    expect(meta.state.sent[0]).toMatchObject({ waId: CUSTOMER, type: 'text', request: { text: { body: 'It ships today' } } });
    replyWamid = meta.state.sent[0]?.wamid ?? '';

    await waitFor(() => of(a, 'message.outbound').length === 1 && of(b, 'message.outbound').length === 1, 'the reply on both platforms');
    const sender = { platform: 'test-platform', id: 'agent-7', name: 'Ana' };
    expect(of(b, 'message.outbound')[0]).toMatchObject({ own: false, data: { type: 'text', text: 'It ships today', sender } });
    expect(of(a, 'message.outbound')[0]).toMatchObject({ own: true, data: { sender } });
    const origins = await rt.db('sync_outbox').where({ workspace_id: rt.workspace.id, type: 'message.outbound' }).pluck('origin_installation_id');
    expect(origins).toEqual([installs.a.id, installs.a.id]);
    expect(await rt.db('message').where({ workspace_id: rt.workspace.id, direction: 'outbound' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('the status webhooks for that reply reach both platforms', async () => {
    const delivered = (f: FakePlatform) => of(f, 'message.status').some((r) => r.data.wamid === replyWamid && r.data.status === 'delivered');
    await waitFor(() => delivered(a) && delivered(b), 'the delivered status on both platforms');
    for (const f of [a, b]) {
      expect(of(f, 'message.status').map((r) => r.data.status)).toEqual(['sent', 'delivered']);
      expect(of(f, 'message.status').map((r) => r.externalId)).toEqual([`wa:${replyWamid}:sent`, `wa:${replyWamid}:delivered`]);
    }
  });

  it('a reply Meta refuses at once fails on both platforms, once each, naming who sent it', async () => {
    meta.state.failNext(1, 100);
    const res = await b.postReply(replyUrl(installs.b.id), installs.b.replySecret, { replyId: 'r-2', conversationId, text: 'Also, a coupon', agent: { id: 'agent-9', name: 'Bo' } });
    expect(res.status).toBe(201);
    await waitFor(() => of(a, 'message.failed').length === 1 && of(b, 'message.failed').length === 1, 'the failure on both platforms');
    for (const f of [a, b]) {
      expect(of(f, 'message.failed')[0]?.data).toMatchObject({ status: 'failed', errorCode: 100, sender: { platform: 'test-platform', id: 'agent-9', name: 'Bo' } });
    }
    // Nothing else will report it: one event per installation, and Meta has still sent one message.
    expect(await rt.db('sync_outbox').where({ workspace_id: rt.workspace.id, type: 'message.failed' }).count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(meta.state.sent).toHaveLength(1);
  });

  it('a reply outside the 24-hour window comes back to A as WINDOW_CLOSED with the templates that fit, and nothing is sent', async () => {
    await customerWrites('wamid.TWO_IN_LATE', LATE_CUSTOMER, 'Hello?', nowSeconds() - 25 * 3600);
    await waitFor(() => a.records.some((r) => r.externalId === 'wa:wamid.TWO_IN_LATE'), 'the old message on A');
    const lateConversation = a.records.find((r) => r.externalId === 'wa:wamid.TWO_IN_LATE')?.conversationId ?? '';

    const res = await a.postReply(replyUrl(installs.a.id), installs.a.replySecret, { replyId: 'r-late', conversationId: lateConversation, text: 'Sorry for the wait', agent: ANA });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'WINDOW_CLOSED', details: { hint: expect.stringContaining('template') } });
    const templates = (res.body as { details: { templates: { name: string; category: string }[] } }).details.templates;
    expect(templates.map((t) => [t.name, t.category])).toEqual([['order_update', 'UTILITY']]);

    expect(meta.state.sent).toHaveLength(1);
    expect(await rt.db('message').where({ workspace_id: rt.workspace.id, conversation_id: lateConversation, direction: 'outbound' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(of(a, 'message.outbound', lateConversation)).toEqual([]);
  });

  it('a platform may name the customer by phone: the reply goes to their live conversation; an unknown customer is NOT_FOUND', async () => {
    const sendAsA = sendFromPlatform({ db: rt.db });
    const base = { workspaceId: rt.workspace.id, originInstallationId: installs.a.id, author: { platform: 'test-platform', ...ANA }, message: { type: 'text' as const, text: 'By phone' } };
    const outcome = await sendAsA({ ...base, to: { waId: CUSTOMER, phoneNumberId: fixtureNumber.phoneNumberId }, idempotencyKey: 'by-phone-1' });
    expect(outcome).toEqual({ ok: true, messageId: expect.any(String), wamid: null });
    const stored = await rt.db('message').where({ workspace_id: rt.workspace.id, id: outcome.ok ? outcome.messageId : '' }).first('conversation_id');
    expect(stored?.conversation_id).toBe(conversationId);
    await waitFor(() => of(b, 'message.outbound').length === 2, 'the reply by phone on B');

    expect(await sendAsA({ ...base, to: { waId: '15550000000', phoneNumberId: fixtureNumber.phoneNumberId }, idempotencyKey: 'by-phone-2' }))
      .toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  it('a STOP from the customer reaches both platforms as consent.changed', async () => {
    await customerWrites('wamid.TWO_IN_STOP', CUSTOMER, 'STOP');
    await waitFor(() => of(a, 'consent.changed').length === 1 && of(b, 'consent.changed').length === 1, 'the consent change on both platforms');
    for (const f of [a, b]) {
      expect(of(f, 'consent.changed')[0]?.data).toMatchObject({ changed: 'status', status: 'opted_out', marketing: 'subscribed', source: 'keyword' });
    }
  });
});
