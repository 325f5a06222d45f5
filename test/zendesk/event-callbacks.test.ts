import { textWebhook } from '../admin/admin-helpers';
import { lifecycleEvent, type PushInstance, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import type { TestRuntime } from '../support/test-runtime';
import { postChannelback } from './zendesk-helpers';
import { startZendeskWorld, waitFor, type ZendeskWorld } from './zendesk-world';

/** Issue 4 item 2's event-callback half: ticket ids linked from signed pushes only; lifecycle events verified. */
describe('Zendesk event callbacks', () => {
  let world: ZendeskWorld;
  let rt: TestRuntime;
  let zendesk: ZendeskFake;
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const acme = () => zendesk.state.account('acme');

  /** A new integration account of acme whose event callbacks reach Threadline. */
  const install = async (accountId: string): Promise<{ id: string; instance: PushInstance; metadata: string }> => {
    const installed = await world.install('acme', { accountId, eventCallbacks: true });
    expect(installed.status).toBe(201);
    return { id: installed.installationId, instance: installed.instance, metadata: installed.metadata };
  };
  /** `events` is sent as given: a test may send what Zendesk never would (no array at all). */
  const postEvents = (events: unknown) => rt.http().post('/connectors/zendesk/events').send({ events });
  const links = (installationId: string, type: string) => rt.db('external_link').where({ installation_id: installationId, external_type: type }).select('entity_type', 'entity_id', 'external_id');

  beforeAll(async () => {
    world = await startZendeskWorld();
    ({ rt, zendesk } = world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('links the conversation to its ticket and the message to its comment from a signed push\'s callback; a forged request id links nothing', async () => {
    const { id } = await install('acme:links');
    expect((await rt.postWebhook(textWebhook({ wamid: 'wamid.EV_1', from: '15550008001', name: 'Eve', timestamp: nowSeconds() - 60, body: 'Hello' }))).status).toBe(200);
    await waitFor(async () => (await links(id, 'zendesk_ticket')).length === 1, 'the ticket link from the callback');
    const imported = acme().resources.get('wa:wamid.EV_1');
    const [conversation] = await rt.db('conversation').select('id');
    expect(await links(id, 'zendesk_ticket')).toEqual([{ entity_type: 'conversation', entity_id: conversation.id, external_id: String(imported?.ticketId) }]);
    expect(await links(id, 'zendesk_comment')).toEqual([expect.objectContaining({ entity_type: 'message', external_id: String(imported?.commentId) })]);
    const callback = zendesk.state.eventCallbacks.find((c) => JSON.stringify(c.body).includes('resources_created'));
    const requestId: string = (callback?.body.events[0] as { data: { request_id: string } }).data.request_id;
    expect(requestId).toMatch(/^tl-\d+-1-[A-Za-z0-9_-]{16}$/);

    // The push's events claiming another ticket: a forged signature, none, and this signature on another outbox row.
    const forged = (rid: string) => ({ ...(callback?.body.events[0] as object), data: { request_id: rid, resource_events: [{ type_id: 'comment_on_new_ticket', external_id: 'wa:wamid.EV_1', ticket_id: 999, comment_id: 998 }] } });
    const res = await postEvents([forged(`${requestId.slice(0, -16)}AAAAAAAAAAAAAAAA`), forged(requestId.slice(0, -17)) /* the signature is base64url: it may itself contain '-' */, forged(requestId.replace(/^tl-(\d+)/, (_m, n: string) => `tl-${Number(n) + 1}`))]);
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['unauthenticated', 'unauthenticated', 'unauthenticated']);
    expect(await links(id, 'zendesk_ticket')).toEqual([expect.objectContaining({ external_id: String(imported?.ticketId) })]);
  });

  it('a malformed event never drops the others in its batch', async () => {
    const res = await postEvents([{ nonsense: true }, { type_id: 'create_integration', subdomain: 'acme', data: {} }]);
    expect(res.status).toBe(200);
    expect(res.body.outcomes).toEqual([{ type_id: null, outcome: 'invalid' }, { type_id: 'create_integration', outcome: 'ignored' }]);
    expect((await postEvents(undefined)).status).toBe(400);
  });

  it('destroy_integration_instance with the signed metadata uninstalls: pending events cancelled, a channelback with the old metadata 401', async () => {
    const { id, instance, metadata } = await install('acme:destroy');
    zendesk.state.setOutage(true);
    expect((await rt.postWebhook(textWebhook({ wamid: 'wamid.EV_2', from: '15550008002', name: 'Finn', timestamp: nowSeconds() - 30, body: 'Still there?' }))).status).toBe(200);
    await waitFor(async () => (await rt.db('sync_outbox').where({ installation_id: id, state: 'pending' }).whereNotNull('not_before').first('id')) !== undefined, 'a push waiting out its backoff');

    const forged = await postEvents([lifecycleEvent(acme(), instance, 'destroy_integration_instance', metadata.replace(/"signature":"[^"]+"/, '"signature":"forged"'), acme().timestamp())]);
    expect(forged.body.outcomes).toEqual([{ type_id: 'destroy_integration_instance', outcome: 'unauthenticated' }]);
    expect((await rt.db('installation').where({ id }).first('state')).state).toBe('active');

    const res = await postEvents([lifecycleEvent(acme(), instance, 'destroy_integration_instance', metadata, acme().timestamp())]);
    expect(res.body.outcomes).toEqual([{ type_id: 'destroy_integration_instance', outcome: 'uninstalled' }]);
    expect(await rt.db('installation').where({ id }).first('state', 'credentials_sealed')).toEqual({ state: 'uninstalled', credentials_sealed: null });
    expect(await rt.db('sync_outbox').where({ installation_id: id, state: 'pending' }).select('id')).toEqual([]);
    expect(await rt.db('sync_outbox').where({ installation_id: id, state: 'cancelled' }).select('id')).toHaveLength(1);
    zendesk.state.setOutage(false);
    const channelback = await postChannelback(rt.url, { message: 'Hi', recipient_id: 'whatsapp:15550008002', metadata, request_unique_identifier: 'ev-1' });
    expect(channelback.status).toBe(401);
  });

  it('destroy_integration (the app uninstalled) removes the subdomain\'s installations only once Zendesk refuses their push tokens', async () => {
    const { id, instance } = await install('acme:app');
    const appUninstalled = () => postEvents([lifecycleEvent(acme(), undefined, 'destroy_integration', undefined, acme().timestamp())]);
    expect((await appUninstalled()).body.outcomes).toEqual([{ type_id: 'destroy_integration', outcome: 'ignored' }]);
    expect((await rt.db('installation').where({ id }).first('state')).state).toBe('active');
    acme().pushInstances.delete(instance.instancePushId);
    expect((await appUninstalled()).body.outcomes).toEqual([{ type_id: 'destroy_integration', outcome: 'uninstalled' }]);
    expect((await rt.db('installation').where({ id }).first('state')).state).toBe('uninstalled');
  });
});
