import { v3Headers } from '../fakes/hubspot/request-signing';
import { PUBLIC_URL, startCardWorld, waitFor, type CardWorld } from './card-world';

const A = 62515;
const B = 77001;
const DAY = 24 * 3600;

describe('HubSpot CRM card backend (hubspot.fetch, v3 signed)', () => {
  let world: CardWorld;
  let installA: string;
  let contactAna: string;
  let hubspotAna: string;
  let contactOld: string;
  let hubspotOld: string;

  beforeAll(async () => {
    world = await startCardWorld([A, B]);
    installA = await world.install(A);
    await world.install(B);
    const portal = world.hubspot.state.portal(A);
    hubspotAna = portal.create('contacts', { phone: '+49 151 11110001' }, { indexed: true }).id;
    hubspotOld = portal.create('contacts', { phone: '+49 151 11110002' }, { indexed: true }).id;
    contactAna = await world.customerWrites({ from: '4915111110001', wamid: 'wamid.CARD_ANA_1', body: 'Is my order on its way?' });
    contactOld = await world.customerWrites({ from: '4915111110002', wamid: 'wamid.CARD_OLD_1', body: 'Thanks!', secondsAgo: 2 * DAY });
    await world.linkContact(installA, contactAna, hubspotAna);
    await world.linkContact(installA, contactOld, hubspotOld);
  }, 60_000);

  afterAll(async () => world?.close());

  const contact = (objectId: string) => ({ objectTypeId: '0-1', objectId });

  test('thread: the contact\'s conversation, window, consent, messages and the templates it can send', async () => {
    const res = await world.card('thread', A, contact(hubspotAna));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      contact: { waId: '4915111110001', name: 'Customer 4915111110001' },
      conversation: { status: 'open', holder: null },
      window: { open: true },
      consent: 'unknown',
      messages: [{ direction: 'inbound', text: 'Is my order on its way?', type: 'text', status: null, error: null }],
    });
    expect(Date.parse(res.body.window.closesAt)).toBeGreaterThan(Date.now());
    expect(res.body.templates.length).toBeGreaterThan(0);
    for (const t of res.body.templates) expect(t).toEqual({ name: expect.any(String), language: expect.any(String), body: expect.any(String), parameters: expect.any(Array) });
  });

  test('thread on a deal: through its associated contact, read from HubSpot with the portal\'s token', async () => {
    const portal = world.hubspot.state.portal(A);
    const deal = portal.create('deals', { dealname: 'Ana renewal' }, { indexed: true });
    portal.associateDefault('deals', deal.id, 'contacts', hubspotAna);
    const res = await world.card('thread', A, { objectTypeId: '0-3', objectId: deal.id });
    expect(res.status).toBe(200);
    expect(res.body.contact).toMatchObject({ waId: '4915111110001' });
  });

  test('a contact of the portal nobody wrote from yet: an empty thread, composer off', async () => {
    const fresh = world.hubspot.state.portal(A).create('contacts', { email: 'new@example.com' }, { indexed: true });
    const res = await world.card('thread', A, contact(fresh.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contact: null, conversation: null, window: { open: false, closesAt: null }, consent: 'unknown', messages: [], templates: [] });
  });

  test('a portal cannot read another portal\'s threads', async () => {
    // Portal B asks for A's contact (linked only under A's installation), and for A's deal.
    const contactRes = await world.card('thread', B, contact(hubspotAna));
    expect(contactRes.status).toBe(404);
    expect(JSON.stringify(contactRes.body)).not.toContain('4915111110001');
    const deal = world.hubspot.state.portal(A).create('deals', { dealname: 'A only' }, { indexed: true });
    world.hubspot.state.portal(A).associateDefault('deals', deal.id, 'contacts', hubspotAna);
    expect((await world.card('thread', B, { objectTypeId: '0-3', objectId: deal.id })).status).toBe(404);
    // And cannot send to it either.
    expect((await world.card('send', B, contact(hubspotAna), { text: 'hi', idempotencyKey: 'cross-portal-1' })).status).toBe(404);
    // A portal without an installation.
    expect(await world.card('thread', 99999, contact(hubspotAna))).toMatchObject({ status: 404, body: { code: 'NOT_INSTALLED' } });
  });

  test('a send outside the window returns the template offer and sends nothing', async () => {
    const sentBefore = world.meta.state.sent.length;
    const res = await world.card('send', A, contact(hubspotOld), { text: 'Can I help with anything else?', idempotencyKey: 'closed-window-1' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'WINDOW_CLOSED', message: expect.stringContaining('24-hour') });
    expect(res.body.templates.length).toBeGreaterThan(0);
    expect(res.body.templates[0]).toEqual({ name: expect.any(String), language: expect.any(String), body: expect.any(String), parameters: expect.any(Array) });
    const thread = await world.card('thread', A, contact(hubspotOld));
    expect(thread.body.window.open).toBe(false);
    expect(thread.body.messages).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.meta.state.sent.length).toBe(sentBefore);
  });

  test('a text in the window and a template send reach Meta once each, as the HubSpot user', async () => {
    const sentBefore = world.meta.state.sent.length;
    const text = await world.card('send', A, contact(hubspotAna), { text: 'Yes, it ships today.', idempotencyKey: 'card-text-0001' });
    expect(text).toMatchObject({ status: 200, body: { messageId: expect.any(String) } });
    const offer = (await world.card('thread', A, contact(hubspotOld))).body.templates[0];
    const parameters = offer.parameters.map((p: { name: string; example: string | null }) => p.example ?? 'x');
    const body = { name: offer.name, language: offer.language, parameters, idempotencyKey: 'card-template-0001' };
    const first = await world.card('template', A, contact(hubspotOld), body);
    const again = await world.card('template', A, contact(hubspotOld), body);
    expect(first).toMatchObject({ status: 200, body: { messageId: expect.any(String) } });
    expect(again.body.messageId).toBe(first.body.messageId);
    await waitFor(() => world.meta.state.sent.length >= sentBefore + 2, 'Meta to receive both');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.meta.state.sent.slice(sentBefore).map((s) => [s.waId, s.type])).toEqual([['4915111110001', 'text'], ['4915111110002', 'template']]);
    const sender = await world.rt.db('message').where({ id: first.body.messageId }).first('sent_by');
    expect(JSON.stringify(sender)).toContain('rep@example.com');
  });

  test('bad input gets 400 with what to fix', async () => {
    expect(await world.card('send', A, contact(hubspotAna), { text: '', idempotencyKey: 'k' })).toMatchObject({ status: 400, body: { code: 'INVALID_SEND' } });
    expect(await world.card('thread', A, { objectTypeId: '0-2', objectId: '1' })).toMatchObject({ status: 400, body: { code: 'INVALID_QUERY', message: expect.stringContaining('objectTypeId') } });
  });

  describe('requests HubSpot did not sign are refused', () => {
    const path = () => `/connectors/hubspot/card/thread?portalId=${A}&userId=9001&objectTypeId=0-1&objectId=${hubspotAna}&appId=3000001`;
    const post = (headers: Record<string, string>, body = '{}') => world.send({ url: `${world.localUrl}${path()}`, method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const signWith = (o: { clientSecret?: string; body?: string; url?: string; timestamp?: number } = {}) => v3Headers({
      clientSecret: o.clientSecret ?? world.hubspot.state.app.clientSecret, method: 'POST', url: o.url ?? `${PUBLIC_URL}${path()}`, body: o.body ?? '{}', ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
    });

    test('correctly signed passes (the control)', async () => {
      expect((await post(signWith())).status).toBe(200);
    });

    test.each([
      ['unsigned', () => ({})],
      ['signed with another secret', () => signWith({ clientSecret: 'not-the-app-secret' })],
      ['signed for another portal\'s URL', () => signWith({ url: `${PUBLIC_URL}${path().replace(String(A), String(B))}` })],
      ['signed over another body', () => signWith({ body: '{"x":1}' })],
      ['signed over the local URL instead of PUBLIC_URL', () => signWith({ url: `${world.localUrl}${path()}` })],
      ['stale (6 minutes old)', () => signWith({ timestamp: Date.now() - 360_000 })],
    ])('%s: 401', async (_name, headers) => {
      const res = await post(headers());
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('not signed by HubSpot') });
    });
  });
});
