import { threadIdFor } from '../../connectors/zendesk/map-event-to-resource';
import { wakeSync } from '../../core/sync/wake-sync';
import { fixtureOAuthClient, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import type { TestRuntime } from '../support/test-runtime';
import { commentsOfThread } from './zendesk-helpers';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskAccountInstall, type ZendeskWorld } from './zendesk-world';

/**
 * Requesters (issue 4 item 2, reference §4.2), end to end: signed WhatsApp webhooks through the real
 * runtime; `acme` holds a REST token, so each new customer becomes a Zendesk user `whatsapp:<wa_id>` with
 * their profile name and a phone identity before their first comment; `globex` has none yet and pushes anyway.
 */
describe('Zendesk requesters through the real runtime', () => {
  let world: ZendeskWorld;
  let rt: TestRuntime;
  let zendesk: ZendeskFake;
  let installations: Record<'acme' | 'globex', ZendeskAccountInstall>;
  const ANA = '15550008001';
  const BEN = '15550008002';

  const customerWrites = (wamid: string, from: string, body: string) => world.customerWrites({ wamid, from, body });
  const account = (subdomain: 'acme' | 'globex') => world.account(subdomain);
  const pushedTo = (subdomain: 'acme' | 'globex', wamid: string) => world.pushed(subdomain, wamid);
  const requesterOf = (subdomain: 'acme' | 'globex', wamid: string) => {
    const resource = account(subdomain).resources.get(`wa:${wamid}`);
    const ticket = account(subdomain).tickets.get(resource?.ticketId ?? 0);
    return account(subdomain).users.get(ticket?.requester_id ?? 0);
  };
  const userRequests = (subdomain: string, path: string) => zendesk.state.requests.filter((r) => r.subdomain === subdomain && r.path === path);
  const contactOf = async (waId: string): Promise<string> => (await rt.db('contact').where({ wa_id: waId }).first('id')).id;
  const threadOfCustomer = async (waId: string): Promise<string> =>
    threadIdFor((await rt.db('contact as k').join('conversation as c', 'c.contact_id', 'k.id').where('k.wa_id', waId).first('c.id')).id);

  beforeAll(async () => {
    world = await startZendeskWorld({ accounts: ['acme', 'globex'] });
    ({ rt, zendesk } = world);
    installations = { acme: await world.install('acme', { credentials: authorisedPair(account('acme')) }), globex: await world.install('globex') };
    expect(installations.acme.status).toBe(201);
    expect(installations.globex.status).toBe(201);
  });
  afterAll(async () => {
    await world?.close();
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
    const links = await rt.db('external_link').where({ installation_id: installations.acme.installationId, entity_type: 'contact' }).select('entity_id', 'external_type', 'external_id');
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
    const bens = () => rt.db('sync_outbox').where({ installation_id: installations.acme.installationId, type: 'message.inbound' })
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
    installations.acme = await world.install('acme', { instance: installations.acme.instance, metadataKey: installations.acme.metadataKey, credentials: authorisedPair(account('acme')) });
    expect(installations.acme.status).toBe(200);
    await rt.db('sync_outbox').where({ installation_id: installations.acme.installationId, state: 'pending' }).update({ not_before: null });
    await wakeSync(rt.db, rt.workspace.id, [installations.acme.installationId], { delayMs: 0 });
    await waitFor(async () => (await bens()).every((r) => r.state === 'delivered'), 'Ben\'s messages after re-authorisation');

    const ben = requesterOf('acme', 'wamid.RQ_BEN_1');
    expect(ben).toMatchObject({ external_id: `whatsapp:${BEN}`, name: `Customer ${BEN}` });
    expect([...account('acme').identities.values()].filter((i) => i.user_id === ben?.id).map((i) => i.value)).toEqual([`+${BEN}`]);
    expect(commentsOfThread(zendesk, 'acme', await threadOfCustomer(BEN)).map((c) => c.body)).toEqual(['Ben here', 'Still Ben']);
  });
});
