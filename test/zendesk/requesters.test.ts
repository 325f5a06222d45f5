import crypto from 'node:crypto';
import { threadIdFor } from '../../connectors/zendesk/map-event-to-resource';
import { zendeskConnector } from '../../connectors/zendesk/zendesk-connector';
import { wakeSync } from '../../core/sync/wake-sync';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureOAuthClient } from '../fakes/zendesk/fake-state';
import { startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { freePort } from '../send/send-harness';
import { waitFor } from '../sync/sync-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { commentsOfThread } from './zendesk-helpers';

/**
 * Requesters (issue 4 item 2, reference §4.2), end to end: signed WhatsApp webhooks through the real
 * runtime; `acme` holds a REST token, so each new customer becomes a Zendesk user `whatsapp:<wa_id>` with
 * their profile name and a phone identity before their first comment; `globex` has none yet and pushes anyway.
 */
describe('Zendesk requesters through the real runtime', () => {
  let rt: TestRuntime;
  let meta: MetaFake;
  let zendesk: ZendeskFake;
  const installations: Record<'acme' | 'globex', { id: string; pushToken: string; instancePushId: string }> = {
    acme: { id: '', pushToken: '', instancePushId: '' },
    globex: { id: '', pushToken: '', instancePushId: '' },
  };
  const metadataKey = crypto.randomBytes(32).toString('hex');
  const ANA = '15550008001';
  const BEN = '15550008002';
  const savedEnv = { ...process.env };

  const customerWrites = async (wamid: string, from: string, body: string) => {
    const timestamp = Math.floor(Date.now() / 1000) - 60;
    expect((await rt.postWebhook(textWebhook({ wamid, from, name: `Customer ${from}`, timestamp, body }))).status).toBe(200);
  };
  const account = (subdomain: 'acme' | 'globex') => zendesk.state.account(subdomain);
  const pushedTo = (subdomain: 'acme' | 'globex', wamid: string) => account(subdomain).resources.has(`wa:${wamid}`);
  const requesterOf = (subdomain: 'acme' | 'globex', wamid: string) => {
    const resource = account(subdomain).resources.get(`wa:${wamid}`);
    const ticket = account(subdomain).tickets.get(resource?.ticketId ?? 0);
    return account(subdomain).users.get(ticket?.requester_id ?? 0);
  };
  const userRequests = (subdomain: string, path: string) => zendesk.state.requests.filter((r) => r.subdomain === subdomain && r.path === path);
  const contactOf = async (waId: string): Promise<string> => (await rt.db('contact').where({ wa_id: waId }).first('id')).id;
  const threadOfCustomer = async (waId: string): Promise<string> =>
    threadIdFor((await rt.db('contact as k').join('conversation as c', 'c.contact_id', 'k.id').where('k.wa_id', waId).first('c.id')).id);

  async function install(subdomain: 'acme' | 'globex', rest: Record<string, string>): Promise<number> {
    const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
      connector: 'zendesk',
      account_id: subdomain,
      config: { subdomain, instancePushId: installations[subdomain].instancePushId, phoneNumberId: fixtureNumber.phoneNumberId },
      credentials: { pushToken: installations[subdomain].pushToken, metadataKey, ...rest },
    });
    if (res.status === 200 || res.status === 201) installations[subdomain].id = res.body.id;
    return res.status;
  }
  /** The pair the install flow stores after the admin authorises (§3). */
  const authorisedPair = () => {
    const pair = account('acme').oauth.issuePair(fixtureOAuthClient.clientId, ['read', 'write'], 1800, 2_592_000);
    return { accessToken: pair.access_token, refreshToken: pair.refresh_token, accessTokenExpiresAt: new Date(Date.now() + 1800_000).toISOString() };
  };

  beforeAll(async () => {
    zendesk = await startZendeskFake({ accounts: ['acme', 'globex'] });
    Object.assign(process.env, { ZENDESK_API_BASE: zendesk.apiBase, ZENDESK_CLIENT_ID: fixtureOAuthClient.clientId, ZENDESK_CLIENT_SECRET: fixtureOAuthClient.secret });
    const port = await freePort();
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
    rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl, port }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [zendeskConnector] });
    const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(number.status).toBe(201);
    for (const subdomain of ['acme', 'globex'] as const) {
      const instance = zendesk.state.addPushInstance(subdomain);
      installations[subdomain] = { id: '', pushToken: instance.token, instancePushId: instance.instancePushId };
    }
    expect(await install('acme', authorisedPair())).toBe(201);
    expect(await install('globex', {})).toBe(201);
  });
  afterAll(async () => {
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await zendesk?.stop();
    process.env = savedEnv;
  });

  it('a customer\'s ticket has the requester whatsapp:<wa_id> with the profile name and a phone identity, set up once across many messages', async () => {
    for (const n of [1, 2, 3]) await customerWrites(`wamid.RQ_ANA_${n}`, ANA, `Message ${n}`);
    await waitFor(() => [1, 2, 3].every((n) => pushedTo('acme', `wamid.RQ_ANA_${n}`) && pushedTo('globex', `wamid.RQ_ANA_${n}`)), 'Ana\'s first messages in both accounts');
    for (const n of [4, 5]) await customerWrites(`wamid.RQ_ANA_${n}`, ANA, `Message ${n}`);
    await waitFor(() => [4, 5].every((n) => pushedTo('acme', `wamid.RQ_ANA_${n}`) && pushedTo('globex', `wamid.RQ_ANA_${n}`)), 'Ana\'s later messages');

    const requester = requesterOf('acme', 'wamid.RQ_ANA_1');
    expect(requester).toMatchObject({ external_id: `whatsapp:${ANA}`, name: `Customer ${ANA}` });
    expect([...account('acme').identities.values()].filter((i) => i.user_id === requester?.id).map((i) => [i.type, i.value])).toEqual([['phone_number', `+${ANA}`]]);
    expect(commentsOfThread(zendesk, 'acme', await threadOfCustomer(ANA)).map((c) => [c.body, c.author])).toEqual([1, 2, 3, 4, 5].map((n) => [`Message ${n}`, `whatsapp:${ANA}`]));
    // Once per contact, not per message: one create_or_update, and the link that says so.
    expect(userRequests('acme', '/api/v2/users/create_or_update')).toHaveLength(1);
    const links = await rt.db('external_link').where({ installation_id: installations.acme.id, entity_type: 'contact' }).select('entity_id', 'external_type', 'external_id');
    expect(links).toEqual([{ entity_id: await contactOf(ANA), external_type: 'zendesk_user', external_id: String(requester?.id) }]);

    // globex has no REST token: pushed anyway, the push's author is the requester, no REST call made.
    expect(requesterOf('globex', 'wamid.RQ_ANA_1')).toMatchObject({ external_id: `whatsapp:${ANA}`, name: `Customer ${ANA}` });
    expect(zendesk.state.requests.filter((r) => r.subdomain === 'globex' && r.path.startsWith('/api/v2/users'))).toEqual([]);
  });

  it('a refresh token Zendesk no longer honours holds new customers\' messages with a re-authorise error, loses nothing, and they go once an admin re-authorises', async () => {
    // Rotated away elsewhere: the stored access token and refresh token are both dead at Zendesk.
    const stored = zendesk.state.requests.findLast((r) => r.subdomain === 'acme' && r.path === '/api/v2/users/create_or_update')?.token ?? '';
    const refreshToken = account('acme').oauth.accessTokens.get(stored)?.refreshToken ?? '';
    expect(account('acme').oauth.rotate(refreshToken, fixtureOAuthClient.clientId)).toBeDefined();

    await customerWrites('wamid.RQ_BEN_1', BEN, 'Ben here');
    await customerWrites('wamid.RQ_BEN_2', BEN, 'Still Ben');
    await customerWrites('wamid.RQ_ANA_6', ANA, 'Ana again');
    // Ana is linked already: her message needs no REST call and goes. globex takes everything.
    await waitFor(() => pushedTo('acme', 'wamid.RQ_ANA_6') && ['wamid.RQ_BEN_1', 'wamid.RQ_BEN_2'].every((w) => pushedTo('globex', w)), 'the messages that can go');
    const bens = () => rt.db('sync_outbox').where({ installation_id: installations.acme.id, type: 'message.inbound' })
      .whereRaw("data->>'from' = ?", [BEN]).orderBy('id').select('state', 'attempts', 'last_error');
    await waitFor(async () => (await bens()).some((r) => r.attempts > 0), 'Ben\'s first attempt at acme');
    const waiting = await bens();
    expect(waiting.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(waiting[0]?.last_error).toMatch(/^ZENDESK_REAUTHORISE: .*re-authorise Threadline in Zendesk/);
    expect(waiting[0]?.last_error).not.toContain(refreshToken);
    expect(pushedTo('acme', 'wamid.RQ_BEN_1')).toBe(false);
    // One refresh attempt, not a loop.
    expect(zendesk.state.requests.filter((r) => r.subdomain === 'acme' && r.path === '/oauth/tokens').map((r) => r.status)).toEqual([400]);

    // The admin re-authorises (the install flow stores a fresh pair); the backoff elapses.
    expect(await install('acme', authorisedPair())).toBe(200);
    await rt.db('sync_outbox').where({ installation_id: installations.acme.id, state: 'pending' }).update({ not_before: null });
    await wakeSync(rt.db, rt.workspace.id, [installations.acme.id], { delayMs: 0 });
    await waitFor(async () => (await bens()).every((r) => r.state === 'delivered'), 'Ben\'s messages after re-authorisation');

    const ben = requesterOf('acme', 'wamid.RQ_BEN_1');
    expect(ben).toMatchObject({ external_id: `whatsapp:${BEN}`, name: `Customer ${BEN}` });
    expect([...account('acme').identities.values()].filter((i) => i.user_id === ben?.id).map((i) => i.value)).toEqual([`+${BEN}`]);
    expect(commentsOfThread(zendesk, 'acme', await threadOfCustomer(BEN)).map((c) => c.body)).toEqual(['Ben here', 'Still Ben']);
  });
});
