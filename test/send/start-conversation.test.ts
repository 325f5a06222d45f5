import { setConsent } from '../../core/engine/set-consent';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { ADMIN_AUTH, createOtherWorkspace, textWebhook, waitForInboxDrained } from '../admin/admin-helpers';
import type { FakePlatform, PlatformRecord } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { FAKE_API_KEY, fakePlatform, waitFor } from '../sync/sync-harness';
import { freePort } from './send-harness';

/**
 * A business-initiated template (a CRM workflow on a contact who never wrote) starts the
 * conversation, through the real runtime on the Meta fake, with two test-connector installations
 * to see what platforms are told: the installation that sends (A) and another one (B).
 */
describe('a template to a customer who never wrote starts the conversation', () => {
  let rt: TestRuntime;
  let meta: MetaFake;
  let a: FakePlatform;
  let b: FakePlatform;
  const installs = { a: '', b: '' };
  const PNID = fixtureNumber.phoneNumberId;
  const ANA = { platform: 'test-platform', id: 'agent-7', name: 'Ana' };
  const orderUpdate = { type: 'template' as const, name: 'order_update', language: 'en_US', parameters: ['Olaf'] };
  let key = 0;

  const sendAs = (installationId: string, waId: string, message: Parameters<ReturnType<typeof sendFromPlatform>>[0]['message'], idempotencyKey = `key-${++key}`, phoneNumberId = PNID) =>
    sendFromPlatform({ db: rt.db })({ workspaceId: rt.workspace.id, originInstallationId: installationId, author: ANA, to: { waId, phoneNumberId }, idempotencyKey, message });
  const contactsOf = (waId: string) => rt.db('contact').where({ workspace_id: rt.workspace.id, wa_id: waId }).select('id');
  const conversationsOf = (waId: string) => rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id')
    .where({ 'c.workspace_id': rt.workspace.id, 'k.wa_id': waId }).select('c.id', 'c.status', 'c.last_inbound_at', 'c.window_expires_at', 'c.contact_id');
  const messagesIn = (conversationId: string) => rt.db('message').where({ workspace_id: rt.workspace.id, conversation_id: conversationId }).orderBy('created_at').select('id', 'direction', 'type', 'wamid');
  const sentTo = (waId: string) => meta.state.sent.filter((s) => s.waId === waId);
  const recordsOf = (f: FakePlatform, conversationId: string): PlatformRecord[] => f.records.filter((r) => r.conversationId === conversationId);
  const messageIdOf = (outcome: Awaited<ReturnType<typeof sendAs>>): string => {
    if (!outcome.ok) throw new Error(`send refused: ${outcome.code} ${outcome.message}`);
    return outcome.messageId;
  };

  beforeAll(async () => {
    const port = await freePort();
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
    rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl, port }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [testConnector] });
    const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: PNID, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(number.status).toBe(201);
    a = await fakePlatform();
    b = await fakePlatform();
    for (const [name, fake] of [['a', a], ['b', b]] as const) {
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'test-platform', account_id: `account-${name}`, config: { baseUrl: fake.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: `secret-platform-${name}` },
      });
      expect(res.status).toBe(201);
      installs[name] = res.body.id;
    }
    // Approved on the number's WABA: a utility template any customer may get, a marketing one only with an opt-in.
    for (const [name, category] of [['order_update', 'UTILITY'], ['spring_sale', 'MARKETING']] as const) {
      await rt.db('template').insert({
        workspace_id: rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: `9100${name.length}`, name, language: 'en_US', category,
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

  describe('to a brand-new customer', () => {
    const NEW = '4915120000001';
    let conversationId = '';

    it('creates the contact and a conversation without a window, and Meta receives the template', async () => {
      const messageId = messageIdOf(await sendAs(installs.a, NEW, orderUpdate));
      expect(await contactsOf(NEW)).toHaveLength(1);
      const [conversation, ...others] = await conversationsOf(NEW);
      expect(others).toEqual([]);
      // No inbound yet: no 24-hour window for free-form messages.
      expect(conversation).toMatchObject({ status: 'open', last_inbound_at: null, window_expires_at: null });
      conversationId = conversation?.id ?? '';
      expect(await messagesIn(conversationId)).toMatchObject([{ id: messageId, direction: 'outbound', type: 'template' }]);

      await waitFor(() => sentTo(NEW).length === 1, 'Meta to receive the template');
      expect(sentTo(NEW)[0]).toMatchObject({ phoneNumberId: PNID, type: 'template', request: { template: { name: 'order_update', language: { code: 'en_US' } } } });
    });

    it('platforms hear of the conversation first through the outbound template, naming the customer', async () => {
      const [contact] = await contactsOf(NEW);
      await waitFor(() => recordsOf(a, conversationId).length > 0 && recordsOf(b, conversationId).length > 0, 'the template on both platforms');
      for (const [f, own] of [[a, true], [b, false]] as const) {
        expect(recordsOf(f, conversationId)[0]).toMatchObject({
          type: 'message.outbound', own, data: { type: 'template', to: NEW, contactId: contact?.id, sender: ANA },
        });
      }
    });

    it('a free-form message is still refused until the customer writes', async () => {
      const refused = await sendAs(installs.a, NEW, { type: 'text', text: 'Any questions?' });
      expect(refused).toMatchObject({ ok: false, code: 'WINDOW_CLOSED', message: expect.stringContaining('has not written') });
    });

    it('the customer\'s reply lands in the same conversation, opens the window, and a text may follow', async () => {
      const reply = await rt.postWebhook(textWebhook({ wamid: 'wamid.START_REPLY_1', from: NEW, name: 'Olaf', timestamp: Math.floor(Date.now() / 1000) + 1, body: 'Thanks, when does it arrive?' }));
      expect(reply.status).toBe(200);
      await waitForInboxDrained(rt.db);
      expect((await messagesIn(conversationId)).map((m) => m.direction)).toEqual(['outbound', 'inbound']);
      const conversations = await conversationsOf(NEW);
      expect(conversations).toHaveLength(1);
      expect(conversations[0]?.window_expires_at).toBeInstanceOf(Date);
      await waitFor(() => recordsOf(b, conversationId).some((r) => r.type === 'message.inbound'), 'the reply on the platform');

      const text = await sendAs(installs.a, NEW, { type: 'text', text: 'Tomorrow' });
      expect(text).toMatchObject({ ok: true });
      expect(await messagesIn(conversationId)).toHaveLength(3);
    });
  });

  it('two concurrent templates to one new customer: one contact, one conversation, two messages', async () => {
    const NEW = '4915120000002';
    const outcomes = await Promise.all([1, 2].map(() => sendAs(installs.a, NEW, orderUpdate)));
    const messageIds = outcomes.map(messageIdOf);
    expect(new Set(messageIds).size).toBe(2);
    expect(await contactsOf(NEW)).toHaveLength(1);
    const conversations = await conversationsOf(NEW);
    expect(conversations).toHaveLength(1);
    expect((await messagesIn(conversations[0]?.id ?? '')).map((m) => m.id).sort()).toEqual([...messageIds].sort());
    await waitFor(() => sentTo(NEW).length === 2, 'Meta to receive both templates');
  });

  it('two concurrent templates with one idempotency key: one message, sent once', async () => {
    const NEW = '4915120000003';
    const outcomes = await Promise.all([1, 2].map(() => sendAs(installs.a, NEW, orderUpdate, 'flow-interview-7')));
    const [first, second] = outcomes.map(messageIdOf);
    expect(second).toBe(first);
    const conversations = await conversationsOf(NEW);
    expect(conversations).toHaveLength(1);
    expect(await messagesIn(conversations[0]?.id ?? '')).toHaveLength(1);
    await waitFor(() => sentTo(NEW).length === 1, 'Meta to receive the template');
    // And a retry later still finds the first.
    expect(messageIdOf(await sendAs(installs.a, NEW, orderUpdate, 'flow-interview-7'))).toBe(first);
  });

  describe('refusals leave no contact and no conversation behind, and send nothing', () => {
    const nothingFor = async (waId: string) => {
      expect(await conversationsOf(waId)).toEqual([]);
      expect(sentTo(waId)).toEqual([]);
    };

    it('a free-form message to a customer who never wrote: NOT_FOUND, saying only a template can start it', async () => {
      const NEW = '4915120000004';
      const refused = await sendAs(installs.a, NEW, { type: 'text', text: 'Hello there' });
      expect(refused).toMatchObject({ ok: false, code: 'NOT_FOUND', message: expect.stringContaining('no 24-hour window'), details: { hint: expect.stringContaining('template') } });
      expect(await contactsOf(NEW)).toEqual([]);
      await nothingFor(NEW);
    });

    it('a malformed wa_id: INVALID_CONTENT naming the number and the format', async () => {
      for (const waId of ['+4915120000005', '015120000005', '123456', '49151200000051234', '49 151 2000', 'abc']) {
        const refused = await sendAs(installs.a, waId, orderUpdate);
        expect(refused).toMatchObject({ ok: false, code: 'INVALID_CONTENT', message: expect.stringContaining(`"${waId}"`) });
        expect(refused.ok ? '' : refused.message).toMatch(/country code first/);
      }
      expect(await rt.db('contact').where('wa_id', 'like', '%20000005%').count({ n: '*' })).toEqual([{ n: 0 }]);
    });

    it('a number that is not the workspace\'s: NOT_FOUND naming it', async () => {
      const NEW = '4915120000006';
      const other = '100000000000777';
      await createOtherWorkspace(rt.db, other);
      const refused = await sendAs(installs.a, NEW, orderUpdate, undefined, other);
      expect(refused).toMatchObject({ ok: false, code: 'NOT_FOUND', message: expect.stringContaining(other) });
      expect(await contactsOf(NEW)).toEqual([]);
      await nothingFor(NEW);
    });

    it('a marketing template without an opt-in: NO_OPT_IN, as for any send', async () => {
      const NEW = '4915120000007';
      const refused = await sendAs(installs.a, NEW, { type: 'template', name: 'spring_sale', language: 'en_US', parameters: ['x'] });
      expect(refused).toMatchObject({ ok: false, code: 'NO_OPT_IN' });
      expect(await contactsOf(NEW)).toEqual([]);
      await nothingFor(NEW);
    });

    it('a known contact who opted out on this number: CONSENT_REVOKED', async () => {
      const STOPPED = '4915120000008';
      const [contact]: { id: string }[] = await rt.db('contact').insert({ workspace_id: rt.workspace.id, wa_id: STOPPED }).returning('id');
      const numberId: string = (await rt.db('whatsapp_number').where({ workspace_id: rt.workspace.id, phone_number_id: PNID }).first('id')).id;
      await setConsent(rt.db, rt.workspace.id, { contactId: contact?.id ?? '', whatsappNumberId: numberId, change: { field: 'status', value: 'opted_out' }, actor: 'test' });
      const refused = await sendAs(installs.a, STOPPED, orderUpdate);
      expect(refused).toMatchObject({ ok: false, code: 'CONSENT_REVOKED', message: expect.stringContaining('opted out') });
      await nothingFor(STOPPED);
    });
  });
});
