import crypto from 'node:crypto';
import { signInstallationMetadata } from '../../connectors/zendesk/metadata';
import { fixtureNumber, type MetaFake } from '../fakes/meta/meta-fake';
import type { PushInstance, ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import type { TestRuntime } from '../support/test-runtime';
import { commentsOfThread, imageWebhook, postChannelback } from './zendesk-helpers';
import { startZendeskWorld, waitFor, type ZendeskWorld } from './zendesk-world';

/**
 * Issue 4's ticketing and channelback, end to end: signed WhatsApp webhooks through the real runtime
 * (engine, sync, send) to the Zendesk fake's Push API, and agents' channelbacks to the Meta fake.
 */
describe('Zendesk connector through the real runtime', () => {
  let world: ZendeskWorld;
  let rt: TestRuntime;
  let meta: MetaFake;
  let zendesk: ZendeskFake;
  let installationId = '';
  let metadataKey = '';
  let metadata = '';
  let instance: PushInstance;
  const ANA = '15550007001';
  const BEN = '15550007002';
  const LATE = '15550007003';
  const RATE = '15550007004';

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const customerWrites = (wamid: string, from: string, body: string, secondsAgo?: number) => world.customerWrites({ wamid, from, body, secondsAgo });
  const acme = () => world.account('acme');
  const threadOf = (wamid: string) => world.threadOf('acme', wamid);
  const pushed = (wamid: string) => world.pushed('acme', wamid);

  beforeAll(async () => {
    world = await startZendeskWorld();
    ({ rt, meta, zendesk } = world);
    const installed = await world.install('acme', { config: { tags: ['whatsapp'], mediaLinkTemplate: 'https://threadline.example/messages/{messageId}' } });
    expect(installed.status).toBe(201);
    ({ installationId, metadataKey, metadata, instance } = installed);
    await rt.db('template').insert({
      workspace_id: rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: '90001', name: 'order_update', language: 'en_US', category: 'UTILITY',
      status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: 'Hello {{1}}' }]),
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a customer\'s messages become one ticket with their comments in order, from the customer, once however often Meta redelivers', async () => {
    await customerWrites('wamid.ZD_ANA_1', ANA, 'Where is my order?');
    await waitFor(() => pushed('wamid.ZD_ANA_1'), 'the first message on a ticket');
    await customerWrites('wamid.ZD_ANA_2', ANA, 'It was <b>#1234</b> & urgent');
    await waitFor(() => pushed('wamid.ZD_ANA_2'), 'the second message');
    // Meta redelivers both.
    await customerWrites('wamid.ZD_ANA_1', ANA, 'Where is my order?');
    await customerWrites('wamid.ZD_ANA_2', ANA, 'It was <b>#1234</b> & urgent');

    const thread = threadOf('wamid.ZD_ANA_1');
    expect(threadOf('wamid.ZD_ANA_2')).toBe(thread);
    await waitFor(async () => Number((await rt.db('sync_outbox').where({ installation_id: installationId, state: 'pending' }).count({ n: '*' }))[0]?.n) === 0, 'the outbox to drain');
    expect(commentsOfThread(zendesk, 'acme', thread)).toEqual([
      { body: 'Where is my order?', author: `whatsapp:${ANA}`, external_id: 'wa:wamid.ZD_ANA_1', public: true },
      { body: 'It was <b>#1234</b> & urgent', author: `whatsapp:${ANA}`, external_id: 'wa:wamid.ZD_ANA_2', public: true },
    ]);
    const second = acme().comments.find((c) => c.external_id === 'wa:wamid.ZD_ANA_2');
    expect(second?.html_body).toBe('It was &lt;b&gt;#1234&lt;/b&gt; &amp; urgent');
    const ticket = acme().ticketForThread(thread);
    expect(ticket?.tags).toEqual(['whatsapp']);
    expect(acme().users.get(ticket?.requester_id ?? 0)).toMatchObject({ external_id: `whatsapp:${ANA}`, name: `Customer ${ANA}` });
    // The thread is linked to the conversation, each message to its comment's external id.
    const links = await rt.db('external_link').where({ installation_id: installationId }).orderBy('external_type').select('entity_type', 'external_type', 'external_id');
    expect(links).toEqual(expect.arrayContaining([
      { entity_type: 'conversation', external_type: 'zendesk_thread', external_id: thread },
      { entity_type: 'message', external_type: 'zendesk_external_id', external_id: 'wa:wamid.ZD_ANA_1' },
    ]));
  });

  it('another customer\'s conversation is another ticket; an image arrives as an attachment Zendesk fetches from Threadline', async () => {
    await customerWrites('wamid.ZD_BEN_1', BEN, 'Hi, Ben here');
    expect((await rt.postWebhook(imageWebhook({ wamid: 'wamid.ZD_BEN_IMG', from: BEN, name: 'Ben', timestamp: nowSeconds() - 30, caption: 'the damaged box', mediaId: '900000000000001' }))).status).toBe(200);
    await waitFor(() => pushed('wamid.ZD_BEN_1') && pushed('wamid.ZD_BEN_IMG'), 'Ben\'s messages');
    const thread = threadOf('wamid.ZD_BEN_1');
    expect(thread).not.toBe(threadOf('wamid.ZD_ANA_1'));
    expect(acme().tickets.size).toBe(2);
    const [, image] = commentsOfThread(zendesk, 'acme', thread);
    expect(image?.body).toBe('the damaged box');
    // The bytes themselves are checked in media.test.ts; here, that the comment carries a signed Threadline URL.
    expect(acme().comments.find((c) => c.external_id === 'wa:wamid.ZD_BEN_IMG')?.file_urls).toEqual([expect.stringMatching(/\/media\/[0-9a-f-]{36}\?expires=\d+&signature=/)]);
  });

  it('an agent\'s channelback is sent to WhatsApp once, however often Zendesk retries it, and is not pushed back to the ticket', async () => {
    const thread = threadOf('wamid.ZD_ANA_1');
    const sentBefore = meta.state.sent.length;
    const form = { message: 'It ships today', thread_id: thread, recipient_id: `whatsapp:${ANA}`, metadata, request_unique_identifier: 'zd-req-1', parent_id: 'wa:wamid.ZD_ANA_2' };
    const first = await postChannelback(rt.url, form);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ external_id: expect.stringMatching(/^threadline:message:[0-9a-f-]{36}$/), allow_channelback: true });
    // A network error on Zendesk's side: the same request, twice at once.
    const retries = await Promise.all([1, 2].map(() => postChannelback(rt.url, form)));
    for (const r of retries) expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: first.body });

    await waitFor(() => meta.state.sent.length > sentBefore, 'Meta to receive the reply');
    await new Promise((r) => setTimeout(r, 300));
    expect(meta.state.sent.slice(sentBefore)).toEqual([expect.objectContaining({ waId: ANA, type: 'text', request: expect.objectContaining({ text: { body: 'It ships today' } }) })]);
    // Its outbound event reaches this installation as its own echo: skipped, the ticket unchanged.
    await waitFor(async () => (await rt.db('sync_outbox').where({ installation_id: installationId, type: 'message.outbound' }).first('state'))?.state === 'skipped', 'the echo to be skipped');
    expect(commentsOfThread(zendesk, 'acme', thread)).toHaveLength(2);
  });

  it('a channelback without a thread (requester edited in Zendesk) reaches the customer by recipient_id on this account\'s number', async () => {
    const sentBefore = meta.state.sent.length;
    const res = await postChannelback(rt.url, { message: 'One more thing', recipient_id: `whatsapp:${ANA}`, metadata, request_unique_identifier: 'zd-req-2' });
    expect(res.status).toBe(200);
    await waitFor(() => meta.state.sent.length === sentBefore + 1, 'Meta to receive the reply');
    expect(meta.state.sent.at(-1)).toMatchObject({ waId: ANA, request: { text: { body: 'One more thing' } } });
    const nowhere = await postChannelback(rt.url, { message: 'Lost', metadata, request_unique_identifier: 'zd-req-3' });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a channelback outside the 24-hour window gets the reason and the template hint, and nothing is sent', async () => {
    await customerWrites('wamid.ZD_LATE_1', LATE, 'Hello?', 25 * 3600);
    await waitFor(() => pushed('wamid.ZD_LATE_1'), 'the old message on a ticket');
    const sentBefore = meta.state.sent.length;
    const res = await postChannelback(rt.url, { message: 'Sorry for the wait', thread_id: threadOf('wamid.ZD_LATE_1'), metadata, request_unique_identifier: 'zd-req-late' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'WINDOW_CLOSED', error: expect.stringMatching(/^Not sent to WhatsApp: .*template/i), details: { templates: [expect.objectContaining({ name: 'order_update' })] } });
    await new Promise((r) => setTimeout(r, 300));
    expect(meta.state.sent.length).toBe(sentBefore);
  });

  it('a forged channelback is refused and sends nothing: wrong signature, another installation\'s id, no metadata', async () => {
    const thread = threadOf('wamid.ZD_ANA_1');
    const sentBefore = meta.state.sent.length;
    const attempts = [
      signInstallationMetadata(installationId, 'x'.repeat(64)),
      signInstallationMetadata(crypto.randomUUID(), metadataKey),
      JSON.stringify({ v: 1, installation_id: installationId, signature: '' }),
      'not json',
      undefined,
    ];
    for (const [i, forged] of attempts.entries()) {
      const res = await postChannelback(rt.url, { message: 'Send me your card number', thread_id: thread, metadata: forged, request_unique_identifier: `forged-${i}` });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(meta.state.sent.length).toBe(sentBefore);
  });

  it('a Zendesk 429 with Retry-After delays delivery for that long, and nothing is lost', async () => {
    zendesk.state.failNext(1, 'rate_limited', { scope: 'push', subdomain: 'acme', retryAfterSeconds: 2 });
    const started = Date.now();
    await customerWrites('wamid.ZD_RATE_1', RATE, 'First');
    await customerWrites('wamid.ZD_RATE_2', RATE, 'Second');
    await waitFor(() => pushed('wamid.ZD_RATE_1') && pushed('wamid.ZD_RATE_2'), 'the messages after the pause', 20_000);
    const pushes = zendesk.state.requests.filter((r) => r.path === '/api/v2/any_channel/push' && r.at >= started);
    const limited = pushes.find((r) => r.status === 429);
    const accepted = pushes.filter((r) => r.status === 200);
    expect(limited).toBeDefined();
    expect(Math.min(...accepted.map((r) => r.at)) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(commentsOfThread(zendesk, 'acme', threadOf('wamid.ZD_RATE_1')).map((c) => c.body)).toEqual(['First', 'Second']);
    // Zendesk has the comments once it answered; the outbox rows are marked when that answer is recorded.
    await waitFor(async () => Number((await rt.db('sync_outbox').where({ installation_id: installationId, state: 'pending' }).count({ n: '*' }))[0]?.n) === 0, 'the outbox to settle');
    expect(await rt.db('sync_outbox').where({ installation_id: installationId, state: 'dead' }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('an agent\'s public reply typed in Zendesk reaches the customer: Zendesk\'s channelback call, sent once however often Zendesk retries it', async () => {
    await customerWrites('wamid.ZD_REPLY_1', '15550007005', 'Can I change the address?');
    await waitFor(() => pushed('wamid.ZD_REPLY_1'), 'the question on a ticket');
    const ticket = acme().ticketForThread(threadOf('wamid.ZD_REPLY_1'));
    const sentBefore = meta.state.sent.length;
    const first = await zendesk.agentReply('acme', instance, ticket?.id ?? 0, { text: 'Yes, until it ships', agentName: 'Ana Agent' });
    expect(first.status).toBe(200);
    expect(first.comment.external_id).toMatch(/^threadline:message:[0-9a-f-]{36}$/);
    // A network error on Zendesk's side: it sends the same request again.
    const retried = await zendesk.agentReply('acme', instance, ticket?.id ?? 0, { text: 'Yes, until it ships', agentName: 'Ana Agent', requestUniqueIdentifier: first.requestUniqueIdentifier });
    expect({ status: retried.status, body: retried.body, comment: retried.comment.id }).toEqual({ status: 200, body: first.body, comment: first.comment.id });
    await waitFor(() => meta.state.sent.length > sentBefore, 'Meta to receive the reply');
    await new Promise((r) => setTimeout(r, 300));
    expect(meta.state.sent.slice(sentBefore)).toEqual([expect.objectContaining({ waId: '15550007005', type: 'text', request: expect.objectContaining({ text: { body: 'Yes, until it ships' } }) })]);
  });
});
