import crypto from 'node:crypto';
import type express from 'express';
import request from 'supertest';
import { zendeskConnector } from '../../connectors/zendesk/zendesk-connector';
import { SIDEBAR_PATH, zendeskSidebarRoutes } from '../../connectors/zendesk/sidebar';
import type { ZendeskCredentials } from '../../connectors/zendesk/zendesk-settings';
import { createLogger } from '../../core/observability/logger';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { saveLinks } from '../../core/sync/external-links';
import { createApp } from '../../server/app';
import { sidebarReads } from '../../server/routes/zendesk-connector-routes';
import { ADMIN_AUTH, textWebhook, waitFor } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fakeZafApp, mintZafJwt, type ZafJwtInput } from '../fakes/zendesk/app-routes';
import { fixtureOAuthClient } from '../fakes/zendesk/fake-state';
import { startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { freePort } from '../send/send-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { storedZendeskCredentials } from './zendesk-installation';

type Account = 'acme' | 'globex' | 'initech' | 'hooli' | 'umbrella';

/**
 * The sidebar's backend on real HTTP and Postgres: the ZAF JWT page load (signed by the Zendesk fake's app
 * key, fetched from the fake), our session token, the ticket's state, templates, and template sends through
 * core's send to the Meta fake. Two Zendesk accounts, with ticket ids that collide, prove isolation.
 */
describe('Zendesk sidebar backend', () => {
  let rt: TestRuntime;
  let meta: MetaFake;
  let zendesk: ZendeskFake;
  let app: express.Express;
  let clock = new Date();
  const installations: Record<'acme' | 'globex', string> = { acme: '', globex: '' };
  const conversations: Record<'ana' | 'ben' | 'old', string> = { ana: '', ben: '', old: '' };
  const ANA = '15550008001';
  const BEN = '15550008002';
  const OLD = '15550008003';
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const jwt = (subdomain: Account, extra: Partial<ZafJwtInput> = {}) =>
    mintZafJwt({ accountBase: zendesk.baseUrlFor(subdomain), subdomain, now: clock, ...extra });
  const loadPage = (token: string | undefined) => request(app).post(SIDEBAR_PATH).type('form').send(token === undefined ? {} : { token });
  const sessionOf = (html: string) => /<meta name="threadline-session" content="([^"]+)">/.exec(html)?.[1] ?? '';
  const sessionFor = async (subdomain: 'acme' | 'globex') => sessionOf((await loadPage(jwt(subdomain))).text);
  const api = (session: string) => ({
    get: (path: string) => request(app).get(`${SIDEBAR_PATH}/api${path}`).set('authorization', `Bearer ${session}`),
    post: (path: string, body: object) => request(app).post(`${SIDEBAR_PATH}/api${path}`).set('authorization', `Bearer ${session}`).send(body),
  });
  const keyFetches = () => zendesk.state.requests.filter((r) => r.path.endsWith('/public_key.pem')).length;
  const tokenRefreshes = (subdomain: Account) => zendesk.state.requests.filter((r) => r.subdomain === subdomain && r.path === '/oauth/tokens').length;

  async function customerWrites(wamid: string, from: string, body: string, timestamp = nowSeconds() - 60): Promise<string> {
    expect((await rt.postWebhook(textWebhook({ wamid, from, name: `Customer ${from}`, timestamp, body }))).status).toBe(200);
    let id = '';
    await waitFor(async () => {
      const row: { id: string } | undefined = await rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where('k.wa_id', from).first('c.id');
      id = row?.id ?? '';
      return id !== '' && (await rt.db('message').where({ wamid }).first('id')) !== undefined;
    }, `the conversation of ${from}`);
    return id;
  }

  /** `restToken`: a token that never expires (the default), none, or the pair the install flow stores. */
  type RestToken = 'static' | 'none' | Pick<ZendeskCredentials, 'accessToken' | 'refreshToken' | 'accessTokenExpiresAt'>;
  async function install(subdomain: Account, restToken: RestToken = 'static'): Promise<string> {
    const instance = zendesk.state.addPushInstance(subdomain);
    const rest = restToken === 'static' ? { accessToken: zendesk.state.account(subdomain).oauth.issueStaticToken(['read', 'write']) } : restToken === 'none' ? {} : restToken;
    const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
      connector: 'zendesk', account_id: subdomain,
      config: { subdomain, instancePushId: instance.instancePushId, phoneNumberId: fixtureNumber.phoneNumberId },
      credentials: { pushToken: instance.token, metadataKey: crypto.randomBytes(32).toString('hex'), ...rest },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const sidebarApp = (app: { id?: string; publicKeyPem?: string }) => createApp({
    logger: createLogger({ level: 'silent' }),
    routers: [zendeskSidebarRoutes({
      db: rt.db, secrets: rt.secrets, logger: createLogger({ level: 'silent' }), send: sendFromPlatform({ db: rt.db }), workspaceId: rt.workspace.id,
      sessionKey: crypto.randomBytes(32), apiBase: zendesk.apiBase, app,
      oauth: { apiBase: zendesk.apiBase, clientId: fixtureOAuthClient.clientId, clientSecret: fixtureOAuthClient.secret, timeoutMs: 5_000 },
      reads: sidebarReads(rt.db),
      now: () => clock,
    })],
  });

  const linkTicket = (installationId: string, conversationId: string, ticketId: string) => saveLinks(rt.db, rt.workspace.id, installationId, [
    { entityType: 'conversation', entityId: conversationId, externalType: 'zendesk_ticket', externalId: ticketId },
  ]);

  beforeAll(async () => {
    zendesk = await startZendeskFake({ accounts: ['acme', 'globex', 'initech', 'hooli', 'umbrella'] });
    const port = await freePort();
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
    rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl, port }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [zendeskConnector] });
    const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(number.status).toBe(201);
    installations.acme = await install('acme');
    installations.globex = await install('globex');
    await rt.db('template').insert([
      { name: 'order_update', language: 'en_US', components: [{ type: 'BODY', text: 'Hello {{1}}, your order {{2}} has shipped.' }] },
      { name: 'pedido', language: 'es', components: [{ type: 'BODY', text: 'Hola {{1}}' }] },
      { name: 'promo_image', language: 'en_US', components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Deals' }] },
    ].map((t, i) => ({
      workspace_id: rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: String(91000 + i), name: t.name, language: t.language, category: 'UTILITY',
      status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify(t.components),
    })));

    conversations.ana = await customerWrites('wamid.SB_ANA_1', ANA, 'Where is <b>my</b> order?');
    conversations.ben = await customerWrites('wamid.SB_BEN_1', BEN, 'Hello from Ben');
    conversations.old = await customerWrites('wamid.SB_OLD_1', OLD, 'Two days ago', nowSeconds() - 48 * 3600);
    // Ticket ids are per Zendesk account: both accounts have a ticket 501, different conversations.
    await linkTicket(installations.acme, conversations.ana, '501');
    await linkTicket(installations.globex, conversations.ben, '501');
    await linkTicket(installations.acme, conversations.old, '502');

    app = sidebarApp({ id: fakeZafApp.appId });
  });
  beforeEach(() => {
    clock = new Date();
  });
  afterAll(async () => {
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await zendesk?.stop();
  });

  describe('the signed page load', () => {
    it('a valid ZAF JWT gets the page with a session token, framable by Zendesk only; the app key is fetched once per account', async () => {
      const before = keyFetches();
      const res = await loadPage(jwt('acme'));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['x-frame-options']).toBeUndefined();
      expect(res.headers['content-security-policy']).toContain('frame-ancestors https://*.zendesk.com');
      expect(sessionOf(res.text)).toMatch(/^[\w-]+\.[\w-]+$/);
      expect(res.text).toContain('"windowClosed":"The 24-hour reply window is closed');
      expect((await loadPage(jwt('acme'))).status).toBe(200);
      expect(keyFetches() - before).toBe(1);
    });

    it.each([
      ['expired', () => jwt('acme', { now: new Date(Date.now() - 10 * 60_000) }), /token expired/],
      ['not valid yet', () => jwt('acme', { claims: { nbf: nowSeconds() + 600 } }), /not valid yet/],
      ['signed with another key', () => jwt('acme', { privateKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }), /signature does not verify/],
      ['for another account\'s app installation', () => jwt('acme', { claims: { aud: `${zendesk.baseUrlFor('globex')}/api/v2/apps/installations/7001.json` } }), /audience/],
      ['with a malformed audience', () => jwt('acme', { claims: { aud: 'threadline' } }), /audience/],
      ['claiming HS256', () => {
        const [, body] = jwt('acme').split('.');
        const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
        return `${head}.${body}.${crypto.createHmac('sha256', fakeZafApp.publicKeyPem).update(`${head}.${body}`).digest('base64url')}`;
      }, /not RS256/],
      ['missing', () => undefined, /only inside Zendesk/],
    ])('a token %s is refused with 401 and no session', async (_what, token, message) => {
      const res = await loadPage(token());
      expect(res.status).toBe(401);
      expect(res.text).toMatch(message);
      expect(res.text).not.toContain('threadline-session');
    });

    it('an account with no Threadline installation gets 403 with what to do', async () => {
      const res = await loadPage(jwt('initech'));
      expect(res.status).toBe(403);
      expect(res.text).toContain('no active Threadline WhatsApp integration');
    });

    it('without a REST token to fetch the app key the page says why (503); a configured key needs none', async () => {
      await install('initech', 'none');
      const res = await loadPage(jwt('initech'));
      expect(res.status).toBe(503);
      expect(res.text).toContain('has not authorised Threadline (no REST token)');
      const configured = await request(sidebarApp({ publicKeyPem: fakeZafApp.publicKeyPem })).post(SIDEBAR_PATH).type('form').send({ token: jwt('initech') });
      expect(configured.status).toBe(200);
      expect(sessionOf(configured.text)).not.toBe('');
    });

    // Access tokens live 30 minutes and the key is fetched once an hour, so the fetch usually finds its token expired.
    it.each([
      ['expired by our clock too: refreshed before the fetch', 'hooli', true],
      ['with no recorded expiry: refreshed on the 401 and the fetch retried', 'umbrella', false],
    ] as const)('an expired REST token, %s: the page still verifies, the pair rotated once', async (_how, subdomain, expiryKnown) => {
      const issued = new Date();
      const pair = zendesk.state.account(subdomain).oauth.issuePair(fixtureOAuthClient.clientId, ['read', 'write'], 1_800, 2_592_000);
      const installationId = await install(subdomain, {
        accessToken: pair.access_token, refreshToken: pair.refresh_token, ...(expiryKnown ? { accessTokenExpiresAt: new Date(issued.getTime() + 1_800_000).toISOString() } : {}),
      });
      zendesk.state.advanceTime(31 * 60_000);
      clock = new Date(issued.getTime() + 31 * 60_000);
      const refused = () => zendesk.state.requests.filter((r) => r.subdomain === subdomain && r.path.endsWith('/public_key.pem') && r.status === 401).length;

      const res = await loadPage(jwt(subdomain));
      expect(res.status).toBe(200);
      expect(sessionOf(res.text)).not.toBe('');
      expect(tokenRefreshes(subdomain)).toBe(1);
      expect(refused()).toBe(expiryKnown ? 0 : 1);
      const stored = await storedZendeskCredentials(rt, installationId);
      expect(stored.accessToken).not.toBe(pair.access_token);
      expect(stored.refreshToken).not.toBe(pair.refresh_token);
      expect(zendesk.state.account(subdomain).oauth.validAccessToken(stored.accessToken ?? '')).toBeDefined();
      expect(Date.parse(stored.accessTokenExpiresAt ?? '')).toBeGreaterThan(clock.getTime());
    });
  });

  describe('session tokens', () => {
    it('the API refuses a missing, forged or expired session with 401 and a sentence to act on', async () => {
      const session = await sessionFor('acme');
      expect((await request(app).get(`${SIDEBAR_PATH}/api/tickets/501`)).status).toBe(401);
      const [payload, mac] = session.split('.');
      const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), subdomain: 'globex' })).toString('base64url')}.${mac}`;
      expect((await api(forged).get('/tickets/501')).body).toEqual({ code: 'SESSION_INVALID', error: expect.stringContaining('reload the app') });
      clock = new Date(Date.now() + 31 * 60_000);
      const expired = await api(session).get('/tickets/501');
      expect(expired.status).toBe(401);
      expect(expired.body.error).toMatch(/session expired/);
    });

    it('a session reads only its own account\'s tickets: the same ticket id is another conversation, an unlinked ticket 404', async () => {
      const acme = api(await sessionFor('acme'));
      const globex = api(await sessionFor('globex'));
      expect((await acme.get('/tickets/501')).body.conversation.id).toBe(conversations.ana);
      expect((await globex.get('/tickets/501')).body.conversation.id).toBe(conversations.ben);
      for (const res of [await globex.get('/tickets/502'), await acme.get('/tickets/999'), await globex.get('/tickets/502/templates')]) {
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'NOT_A_WHATSAPP_TICKET' });
      }
      expect((await globex.post('/tickets/502/template', { name: 'order_update', language: 'en_US', parameters: ['x', 'y'], idempotencyKey: 'isolation-1' })).status).toBe(404);
      expect((await acme.get('/tickets/abc')).status).toBe(400);
    });
  });

  describe('ticket state and templates', () => {
    it('shows the window, consent and the last messages of the ticket\'s conversation', async () => {
      const res = await api(await sessionFor('acme')).get('/tickets/501');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        conversation: { id: conversations.ana, customer: { name: `Customer ${ANA}`, waId: ANA }, phoneNumberId: fixtureNumber.phoneNumberId },
        window: { open: true, expiresAt: expect.any(String) },
        consent: { status: 'unknown', marketing: 'subscribed' },
        messages: [{ direction: 'inbound', type: 'text', text: 'Where is <b>my</b> order?', error: null }],
      });
      const closed = await api(await sessionFor('acme')).get('/tickets/502');
      expect(closed.body.window.open).toBe(false);
    });

    it('lists the approved templates it can send in the ticket\'s language, all languages when none matches', async () => {
      const acme = api(await sessionFor('acme'));
      const english = await acme.get('/tickets/501/templates?language=en-US');
      expect(english.status).toBe(200);
      expect(english.body).toEqual({
        languageMatched: true,
        items: [{ name: 'order_update', language: 'en_US', category: 'UTILITY', parameterFormat: 'POSITIONAL',
          parameters: [{ name: '1', example: null }, { name: '2', example: null }], text: { header: null, body: 'Hello {{1}}, your order {{2}} has shipped.', footer: null } }],
      });
      expect((await acme.get('/tickets/501/templates?language=es-MX')).body.items.map((t: { name: string }) => t.name)).toEqual(['pedido']);
      const french = await acme.get('/tickets/501/templates?language=fr');
      expect(french.body.languageMatched).toBe(false);
      expect(french.body.items.map((t: { name: string }) => t.name)).toEqual(['order_update', 'pedido']);
      expect((await acme.get('/tickets/501/templates?language=<script>')).status).toBe(400);
    });
  });

  describe('sending a template', () => {
    it('outside the window: sent once through Meta whatever the retries, then shown with its delivery tick', async () => {
      const acme = api(await sessionFor('acme'));
      const sentBefore = meta.state.sent.length;
      const body = { name: 'order_update', language: 'en_US', parameters: ['Olga', '#77'], idempotencyKey: 'sidebar-send-old-1' };
      const first = await acme.post('/tickets/502/template', body);
      expect(first.status).toBe(202);
      const again = await acme.post('/tickets/502/template', body);
      expect(again.body.messageId).toBe(first.body.messageId);
      await waitFor(async () => meta.state.sent.length > sentBefore, 'Meta to receive the template');
      await waitFor(async () => {
        const state = await acme.get('/tickets/502');
        return state.body.messages.some((m: { id: string; status: string }) => m.id === first.body.messageId && m.status === 'delivered');
      }, 'the delivered tick');
      expect(meta.state.sent.slice(sentBefore)).toEqual([expect.objectContaining({ waId: OLD, type: 'template' })]);
      expect(meta.state.sent[sentBefore]?.request).toMatchObject({ template: { name: 'order_update', language: { code: 'en_US' } } });
    });

    it('inside the window too, as the agent chooses', async () => {
      const sentBefore = meta.state.sent.length;
      const res = await api(await sessionFor('acme')).post('/tickets/501/template', { name: 'order_update', language: 'en_US', parameters: ['Ana', '#1'], idempotencyKey: 'sidebar-send-ana-1' });
      expect(res.status).toBe(202);
      await waitFor(async () => meta.state.sent.length > sentBefore, 'Meta to receive the template');
      expect(meta.state.sent[sentBefore]).toMatchObject({ waId: ANA, type: 'template' });
    });

    it('answers refusals as channelback does: the sentence for the agent, the code, nothing sent', async () => {
      const acme = api(await sessionFor('acme'));
      const sentBefore = meta.state.sent.length;
      const wrong = await acme.post('/tickets/502/template', { name: 'order_update', language: 'en_US', parameters: ['only one'], idempotencyKey: 'sidebar-send-bad-1' });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toMatchObject({ code: 'TEMPLATE_PARAMS_INVALID', error: expect.stringMatching(/^Not sent to WhatsApp: The parameters do not match/) });
      const unknown = await acme.post('/tickets/502/template', { name: 'nope', language: 'en_US', parameters: [], idempotencyKey: 'sidebar-send-bad-2' });
      expect({ status: unknown.status, code: unknown.body.code }).toEqual({ status: 422, code: 'TEMPLATE_NOT_APPROVED' });
      const malformed = await acme.post('/tickets/502/template', { name: 'order_update', parameters: ['a'], idempotencyKey: 'x' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatch(/language/);
      await new Promise((r) => setTimeout(r, 300));
      expect(meta.state.sent.length).toBe(sentBefore);
    });

    it('a customer who opted out shows as opted out, and a template to them is refused with what to do', async () => {
      await customerWrites('wamid.SB_ANA_STOP', ANA, 'STOP');
      const acme = api(await sessionFor('acme'));
      await waitFor(async () => (await acme.get('/tickets/501')).body.consent?.status === 'opted_out', 'the opt-out to show');
      const refused = await acme.post('/tickets/501/template', { name: 'order_update', language: 'en_US', parameters: ['Ana', '#2'], idempotencyKey: 'sidebar-send-stop-1' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'CONSENT_REVOKED', error: expect.stringContaining('reach them on another channel') });
    });
  });
});
