import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { gdprDeletions } from '../../fakes/hubspot/object-routes';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from '../../hubspot/hubspot-world';
import { customerWrites, loggedMessage } from '../../hubspot/timeline-helpers';

jest.setTimeout(120_000);

const PORTAL = 62515;

describe('GDPR export and erasure of a contact synced to HubSpot', () => {
  let world: HubSpotWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
  });
  afterAll(async () => {
    await world?.close();
  });

  const portal = () => world.hubspot.state.portal(PORTAL);
  const contactIdOf = async (waId: string): Promise<string> => {
    const row: { id: string } = await world.rt.db('contact').where({ workspace_id: world.rt.workspace.id, wa_id: waId }).first('id');
    return row.id;
  };
  const erasureOf = async (contactId: string) => (await world.rt.http().get(`/api/v1/contacts/${contactId}/erasure`).set('authorization', ADMIN_AUTH)).body;
  const hubspotContactOf = async (contactId: string): Promise<string> => {
    const link: { external_id: string } = await world.rt.db('external_link').where({ entity_type: 'contact', entity_id: contactId, external_type: 'hubspot_contact' }).first('external_id');
    return link.external_id;
  };

  test('the export holds the contact, their messages with bodies, consent, links and audit; other ids get 404', async () => {
    await customerWrites(world, { from: '4915112340001', wamid: 'wamid.PRIV_EXPORT_1', body: 'I live at 1 Privacy Lane', name: 'Petra Private' });
    const communication = await loggedMessage(world, portal(), 'wamid.PRIV_EXPORT_1');
    const contactId = await contactIdOf('4915112340001');

    const res = await world.rt.http().get(`/api/v1/contacts/${contactId}/export`).set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain(`contact-${contactId}.json`);
    expect(res.body.contact).toMatchObject({ id: contactId, wa_id: '4915112340001', profile_name: 'Petra Private' });
    expect(res.body.conversations).toHaveLength(1);
    expect(res.body.messages).toEqual([expect.objectContaining({ wamid: 'wamid.PRIV_EXPORT_1', direction: 'inbound', text: 'I live at 1 Privacy Lane', body: expect.objectContaining({ type: 'text' }) })]);
    expect(res.body.external_links).toEqual(expect.arrayContaining([
      expect.objectContaining({ connector: 'hubspot', entity_type: 'contact', external_type: 'hubspot_contact' }),
      expect.objectContaining({ connector: 'hubspot', entity_type: 'message', external_type: 'hubspot_communication', external_id: communication.id }),
    ]));
    expect(Array.isArray(res.body.consent) && Array.isArray(res.body.audit) && Array.isArray(res.body.media)).toBe(true);

    const unknown = await world.rt.http().get('/api/v1/contacts/00000000-0000-4000-8000-000000000000/export').set('authorization', ADMIN_AUTH);
    expect(unknown.status).toBe(404);
    expect((await world.rt.http().get('/api/v1/contacts/not-a-uuid/export').set('authorization', ADMIN_AUTH)).status).toBe(404);
    expect((await world.rt.http().get(`/api/v1/contacts/${contactId}/export`)).status).toBe(401);
    expect((await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`)).status).toBe(401);
  });

  test('erasure forgets the customer here and in HubSpot, is idempotent, and its report and audit hold no personal data', async () => {
    const contactId = await contactIdOf('4915112340001');
    const hubspotContact = await hubspotContactOf(contactId);
    const communication = portal().communications.find((c) => c.properties.hs_communication_body?.includes('Privacy Lane'));
    expect(communication).toBeDefined();

    const first = await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH);
    expect(first.status).toBe(202);
    expect(first.headers.location).toBe(`/api/v1/contacts/${contactId}/erasure`);
    const again = await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH);
    expect([200, 202]).toContain(again.status);
    expect(again.body.id).toBe(first.body.id);

    await waitFor(async () => (await erasureOf(contactId)).state === 'done', 'the erasure done', 20_000);
    const report = await erasureOf(contactId);
    expect(report.local).toMatchObject({ messages: 1 });
    expect(report.platforms[installationId]).toMatchObject({ connector: 'hubspot', account_id: String(PORTAL), status: 'done' });
    expect(report.platforms[installationId].steps).toEqual(expect.arrayContaining(['archived 1 communications', 'GDPR-deleted 1 contacts']));

    // HubSpot: the contact deleted for good (not archived), the logged message archived.
    expect(gdprDeletions(portal())).toContain(hubspotContact);
    expect(portal().records.has(hubspotContact)).toBe(false);
    expect(portal().communications.some((c) => c.id === communication?.id)).toBe(false);

    // Here: a tombstone, bodies gone, nothing left that names the customer.
    const db = world.rt.db;
    const contact = await db('contact').where({ id: contactId }).first();
    expect(contact).toMatchObject({ wa_id: null, user_id: null, profile_name: null });
    expect(contact.erased_at).not.toBeNull();
    const messages = await db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where({ 'c.contact_id': contactId }).select('m.*');
    expect(messages).toEqual([expect.objectContaining({ text: null, wamid: null, body: { removed: true }, direction: 'inbound' })]);
    const mentions = async (table: string) => (await db.raw(`select count(*)::int as n from ${table} t where t::text like ? or t::text like ?`, ['%4915112340001%', '%Privacy Lane%'])).rows[0].n;
    for (const table of ['contact', 'message', 'inbox_event', 'sync_outbox', 'message_status', 'audit_log', 'contact_erasure']) expect([table, await mentions(table)]).toEqual([table, 0]);
    expect(await db('external_link').where({ installation_id: installationId }).whereIn('entity_id', [contactId, ...messages.map((m: { id: string }) => m.id)])).toEqual([]);
    const audit = await db('audit_log').where({ entity_id: contactId }).whereIn('action', ['contact.erasure_requested', 'contact.erased']).orderBy('id').select('action', 'actor');
    expect(audit).toEqual([{ action: 'contact.erasure_requested', actor: 'admin-token' }, { action: 'contact.erased', actor: 'system' }]);

    // Asking once more changes nothing and still answers the finished report.
    const late = await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH);
    expect(late.status).toBe(200);
    expect(late.body.state).toBe('done');
  });

  test('while HubSpot is down the report shows the failure to be retried; once it is back the erasure finishes', async () => {
    await customerWrites(world, { from: '4915112340002', wamid: 'wamid.PRIV_OUTAGE_1', body: 'Forget me please' });
    await loggedMessage(world, portal(), 'wamid.PRIV_OUTAGE_1');
    const contactId = await contactIdOf('4915112340002');
    const hubspotContact = await hubspotContactOf(contactId);

    world.hubspot.state.setOutage(true);
    try {
      expect((await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH)).status).toBe(202);
      await waitFor(async () => (await erasureOf(contactId)).platforms[installationId]?.status === 'failed', 'the failure in the report', 20_000);
      const failing = await erasureOf(contactId);
      expect(failing).toMatchObject({ state: 'pending', local: expect.objectContaining({ messages: 1 }) });
      expect(failing.platforms[installationId]).toMatchObject({ status: 'failed', retryable: true });
      expect(failing.last_error).toMatch(/^hubspot \(.+\): HubSpot PLATFORM_UNAVAILABLE/);
      // Erased here already, whatever the platform says.
      expect(await world.rt.db('contact').where({ id: contactId }).first('wa_id')).toEqual({ wa_id: null });
    } finally {
      world.hubspot.state.setOutage(false);
    }
    await waitFor(async () => (await erasureOf(contactId)).state === 'done', 'the erasure done after the outage', 30_000);
    expect(gdprDeletions(portal())).toContain(hubspotContact);
  });

  test('a failure waiting cannot mend (the app was uninstalled) makes the erasure dead at once, with the reason; asking again restarts it', async () => {
    await customerWrites(world, { from: '4915112340003', wamid: 'wamid.PRIV_DEAD_1', body: 'Bye' });
    await loggedMessage(world, portal(), 'wamid.PRIV_DEAD_1');
    const contactId = await contactIdOf('4915112340003');
    world.hubspot.state.uninstall(PORTAL);

    await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH);
    await waitFor(async () => (await erasureOf(contactId)).state === 'dead', 'the dead erasure', 20_000);
    const dead = await erasureOf(contactId);
    expect(dead.platforms[installationId]).toMatchObject({ status: 'failed', retryable: false });
    expect(dead.last_error).toMatch(/hubspot/);
    expect(dead.finished_at).not.toBeNull();
    expect(await world.rt.db('audit_log').where({ entity_id: contactId, action: 'contact.erasure_failed' }).first('actor')).toEqual({ actor: 'system' });

    const restarted = await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH);
    expect(restarted.status).toBe(202);
    expect(restarted.body).toMatchObject({ id: dead.id, state: 'pending', attempts: 0 });
  });
});
