import { recordConsentFromHubSpot } from '../../connectors/hubspot/identity/consent-from-hubspot';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from './hubspot-world';
import { communicationOf, customerWrites, loggedMessage, messageIdOf, outboxStates } from './timeline-helpers';

jest.setTimeout(90_000);

const PORTAL = 62515;

describe('HubSpot timeline: messages, statuses, failures and consent on the record', () => {
  let world: HubSpotWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
  });
  afterAll(async () => world.close());

  const portal = () => world.hubspot.state.portal(PORTAL);
  const conversationOf = async (waId: string): Promise<string> => {
    const row: { id: string } = await world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where({ 'k.wa_id': waId }).first('c.id');
    return row.id;
  };
  const contactOf = (communicationId: string) => portal().get('contacts', portal().associatedIds('communications', communicationId, 'contacts')[0] ?? '');

  test('a reply sent from elsewhere is logged with who sent it, and its delivery status is kept on the same record', async () => {
    await customerWrites(world, { from: '4917612345678', wamid: 'wamid.TL_STATUS_IN', body: 'Hello?' });
    await loggedMessage(world, portal(), 'wamid.TL_STATUS_IN');
    const res = await world.rt.http().post(`/api/v1/conversations/${await conversationOf('4917612345678')}/messages`)
      .set('authorization', ADMIN_AUTH).set('idempotency-key', 'tl-status-1').send({ type: 'text', body: 'Yes, <we> are here' });
    expect(res.status).toBeLessThan(300);
    const messageId: string = res.body.message_id ?? res.body.messageId ?? res.body.id;

    await waitFor(() => communicationOf(portal(), messageId)[0]?.properties.threadline_whatsapp_status === 'delivered', 'the delivered tick on the record');
    const [logged, ...others] = communicationOf(portal(), messageId);
    expect(others).toHaveLength(0);
    expect(logged?.properties.hs_communication_body).toMatch(/^Yes, &lt;we&gt; are here<br><em>Sent by .+<\/em>$/);
    expect(logged?.properties.hs_communication_channel_type).toBe('WHATS_APP');
    expect(contactOf(logged?.id ?? '')?.properties.threadline_whatsapp_id).toBe('4917612345678');
  });

  test('a send from HubSpot that WhatsApp later fails is written back to the contact: property, note and status', async () => {
    await customerWrites(world, { from: '4917698765432', wamid: 'wamid.TL_FAIL_IN', body: 'Send me the quote' });
    const inbound = await loggedMessage(world, portal(), 'wamid.TL_FAIL_IN');
    const contact = contactOf(inbound.id);
    world.meta.state.failDeliveryTo('4917698765432', 'status-failed-131047');

    const send = sendFromPlatform({ db: world.rt.db });
    const sent = await send({
      workspaceId: world.rt.workspace.id, originInstallationId: installationId, idempotencyKey: 'card-send-1',
      to: { conversationId: await conversationOf('4917698765432') }, author: { platform: 'hubspot', id: '9000001', name: 'Rita Rep' },
      message: { type: 'text', text: 'Here is the quote' },
    });
    if (!sent.ok) throw new Error(sent.message);

    await waitFor(() => communicationOf(portal(), sent.messageId)[0]?.properties.threadline_whatsapp_status === 'failed', 'the failure on the record');
    expect(communicationOf(portal(), sent.messageId)[0]?.properties.threadline_whatsapp_error).toMatch(/^error 131047: /);
    await waitFor(() => communicationOf(portal(), `failed:${sent.messageId}`).length === 1, 'the failure note');
    const [note] = communicationOf(portal(), `failed:${sent.messageId}`);
    expect(note?.properties.hs_communication_body).toMatch(/WhatsApp did not deliver a message sent from HubSpot \(error 131047: .*\)\. The 24-hour window had closed: send an approved template instead\./);
    expect(portal().associatedIds('communications', note?.id ?? '', 'contacts')).toEqual([contact?.id]);
    await waitFor(() => portal().get('contacts', contact?.id ?? '')?.properties.threadline_whatsapp_last_failure !== undefined, 'the failure on the contact');
    expect(portal().get('contacts', contact?.id ?? '')?.properties.threadline_whatsapp_last_failure).toMatch(/^\d{4}-.*: error 131047: /);
  });

  test('a failure of a message not sent from HubSpot updates its record only', async () => {
    await customerWrites(world, { from: '4917611112222', wamid: 'wamid.TL_FAIL_API', body: 'hi' });
    const contact = contactOf((await loggedMessage(world, portal(), 'wamid.TL_FAIL_API')).id);
    world.meta.state.failDeliveryTo('4917611112222', 'status-failed-131026');
    const res = await world.rt.http().post(`/api/v1/conversations/${await conversationOf('4917611112222')}/messages`)
      .set('authorization', ADMIN_AUTH).set('idempotency-key', 'tl-fail-api').send({ type: 'text', body: 'From the API' });
    const messageId: string = res.body.message_id ?? res.body.messageId ?? res.body.id;
    await waitFor(() => communicationOf(portal(), messageId)[0]?.properties.threadline_whatsapp_status === 'failed', 'the failure on the record');
    expect(communicationOf(portal(), `failed:${messageId}`)).toHaveLength(0);
    expect(portal().get('contacts', contact?.id ?? '')?.properties.threadline_whatsapp_last_failure ?? null).toBeNull();
  });

  test('STOP on WhatsApp sets the consent property; an opt-out set in HubSpot stops sends', async () => {
    await customerWrites(world, { from: '4917633334444', wamid: 'wamid.TL_STOP', body: 'STOP' });
    const contact = contactOf((await loggedMessage(world, portal(), 'wamid.TL_STOP')).id);
    await waitFor(() => portal().get('contacts', contact?.id ?? '')?.properties.threadline_whatsapp_consent === 'opted_out', 'the consent property');

    await customerWrites(world, { from: '4917655556666', wamid: 'wamid.TL_HS_OPTOUT', body: 'hello' });
    const other = contactOf((await loggedMessage(world, portal(), 'wamid.TL_HS_OPTOUT')).id);
    // A rep sets the property in HubSpot: HubSpot's signed CRM webhook tells Threadline.
    const [delivery] = await world.deliverEvents([world.hubspot.outbound.crmEvent(PORTAL, {
      subscriptionType: 'contact.propertyChange', objectId: Number(other?.id), propertyName: 'threadline_whatsapp_consent', propertyValue: 'opted_out',
    })]);
    expect(delivery?.status).toBe(200);
    const res = await world.rt.http().post(`/api/v1/conversations/${await conversationOf('4917655556666')}/messages`)
      .set('authorization', ADMIN_AUTH).set('idempotency-key', 'tl-optout').send({ type: 'text', body: 'Still there?' });
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body)).toContain('CONSENT_REVOKED');
    expect(await recordConsentFromHubSpot(world.rt.db, { installationId, hubspotContactId: '999', value: 'opted_out' })).toEqual([]);
  });

  test('a batch replayed after HubSpot created its communications (the links lost) creates none again', async () => {
    await customerWrites(world, { from: '4917677778888', wamid: 'wamid.TL_REPLAY_1', body: 'one' });
    await customerWrites(world, { from: '4917677778888', wamid: 'wamid.TL_REPLAY_2', body: 'two' });
    await loggedMessage(world, portal(), 'wamid.TL_REPLAY_2');
    const before = portal().communications.length;
    const ids = [await messageIdOf(world, 'wamid.TL_REPLAY_1'), await messageIdOf(world, 'wamid.TL_REPLAY_2')] as string[];
    // As if the answer to the create had been lost: no links, the events pending again.
    await world.rt.db('external_link').where({ installation_id: installationId, external_type: 'hubspot_communication' }).whereIn('entity_id', ids).delete();
    await world.rt.db('sync_outbox').where({ installation_id: installationId }).whereIn('message_id', ids).update({ state: 'pending', delivered_at: null });
    await customerWrites(world, { from: '4917677778888', wamid: 'wamid.TL_REPLAY_3', body: 'three' });
    await loggedMessage(world, portal(), 'wamid.TL_REPLAY_3');
    await waitFor(async () => (await outboxStates(world, installationId)).pending === undefined, 'the replay delivered');
    expect(portal().communications.length).toBe(before + 1);
    expect(ids.map((id) => communicationOf(portal(), id).length)).toEqual([1, 1]);
  });
});

describe('HubSpot timeline under a 429 storm', () => {
  let world: HubSpotWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL);
  });
  afterAll(async () => world.close());

  test('loses, duplicates and reorders nothing', async () => {
    const portal = world.hubspot.state.portal(PORTAL);
    world.hubspot.state.failNext(4, 'rate_limited', { scope: 'api', portalId: PORTAL });
    world.hubspot.state.failNext(2, 'search_limit', { scope: 'search', portalId: PORTAL });
    const customers = ['4915111111111', '4915122222222', '4915133333333'];
    const wamids = customers.flatMap((from) => Array.from({ length: 10 }, (_, i) => ({ from, wamid: `wamid.STORM_${from}_${i}`, i })));
    for (const m of wamids) await customerWrites(world, { from: m.from, wamid: m.wamid, body: `message ${m.i}`, secondsAgo: 100 - m.i });

    const idOf = new Map<string, string | undefined>();
    await waitFor(async () => {
      for (const m of wamids) idOf.set(m.wamid, idOf.get(m.wamid) ?? await messageIdOf(world, m.wamid));
      return wamids.every((m) => communicationOf(portal, idOf.get(m.wamid)).length > 0);
    }, 'all 30 messages on the timeline', 60_000);

    expect(world.hubspot.state.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6);
    expect(wamids.map((m) => communicationOf(portal, idOf.get(m.wamid)).length)).toEqual(wamids.map(() => 1));
    expect(portal.communications).toHaveLength(30);
    expect(portal.contacts).toHaveLength(3);
    for (const from of customers) {
      const logged = wamids.filter((m) => m.from === from).map((m) => communicationOf(portal, idOf.get(m.wamid))[0]);
      const times = logged.map((c) => Date.parse(c?.properties.hs_timestamp ?? ''));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(logged.flatMap((c) => portal.associatedIds('communications', c?.id ?? '', 'contacts'))).size).toBe(1);
    }
    await waitFor(async () => (await outboxStates(world, installationId)).delivered === 30, 'every event marked delivered');
    expect(await outboxStates(world, installationId)).toEqual({ delivered: 30 });
  });
});
