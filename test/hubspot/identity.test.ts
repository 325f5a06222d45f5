import crypto from 'node:crypto';
import { resolveContact } from '../../connectors/hubspot/identity/resolve-contact';
import { connectDb } from '../../core/db/connect';
import { createLogger } from '../../core/observability/logger';
import { exclusiveFor } from '../../core/sync/deliver-installation';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from './hubspot-world';
import { communicationOf, customerWrites, loggedMessage, messageIdOf, usernameUserWrites } from './timeline-helpers';

jest.setTimeout(60_000);

const PORTAL = 62515;

describe('HubSpot identity: the right contact, never two', () => {
  let world: HubSpotWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL, { config: { phoneNumberId: fixtureNumber.phoneNumberId, associateOpenDeals: true } });
  });
  afterAll(async () => world.close());

  const portal = () => world.hubspot.state.portal(PORTAL);
  const contactsWithPhone = (e164: string) => portal().contacts.filter((c) => c.properties.hs_calculated_phone_number === e164 || c.properties.hs_calculated_mobile_number === e164);

  test('an inbound message lands as a WhatsApp communication on the contact found by phone search, with its open deal', async () => {
    const contact = portal().create('contacts', { firstname: 'Greta', mobilephone: '+49 151 2345 6789' }, { indexed: true });
    const open = portal().create('deals', { dealname: 'Fleet renewal', dealstage: 'contractsent' }, { indexed: true });
    const won = portal().create('deals', { dealname: 'Old deal', dealstage: 'closedwon' }, { indexed: true });
    portal().associateDefault('contacts', contact.id, 'deals', open.id);
    portal().associateDefault('contacts', contact.id, 'deals', won.id);

    await customerWrites(world, { from: '4915123456789', wamid: 'wamid.ID_SEARCH_1', body: 'Is <b>my</b> order & invoice ready?\nThanks' });
    const logged = await loggedMessage(world, portal(), 'wamid.ID_SEARCH_1');

    expect(logged.properties).toMatchObject({
      hs_communication_channel_type: 'WHATS_APP',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: 'Is &lt;b&gt;my&lt;/b&gt; order &amp; invoice ready?<br>Thanks',
    });
    expect(portal().associatedIds('communications', logged.id, 'contacts')).toEqual([contact.id]);
    expect(portal().associatedIds('communications', logged.id, 'deals')).toEqual([open.id]);
    expect(contactsWithPhone('+4915123456789')).toHaveLength(1);
    const link = await world.rt.db('external_link').where({ installation_id: installationId, entity_type: 'contact', external_type: 'hubspot_contact' }).first('external_id');
    expect(link?.external_id).toBe(contact.id);
  });

  test('a second message before search has indexed a new contact goes to the same contact (the local mapping)', async () => {
    await customerWrites(world, { from: '447700900123', wamid: 'wamid.ID_LAG_1', body: 'first', name: 'Lena' });
    const first = await loggedMessage(world, portal(), 'wamid.ID_LAG_1');
    const [created] = portal().associatedIds('communications', first.id, 'contacts');
    expect(portal().get('contacts', created ?? '')?.properties).toMatchObject({ firstname: 'Lena', phone: '+447700900123', threadline_whatsapp_id: '447700900123' });
    // Search still shows nothing for it (the fake indexes after 3 s): only the link can find it now.
    const searches = world.hubspot.state.requests.filter((r) => r.path.endsWith('/contacts/search')).length;

    await customerWrites(world, { from: '447700900123', wamid: 'wamid.ID_LAG_2', body: 'second' });
    const second = await loggedMessage(world, portal(), 'wamid.ID_LAG_2');
    expect(portal().associatedIds('communications', second.id, 'contacts')).toEqual([created]);
    expect(contactsWithPhone('+447700900123')).toHaveLength(1);
    expect(world.hubspot.state.requests.filter((r) => r.path.endsWith('/contacts/search')).length).toBe(searches);
  });

  test('50 messages from a new number in one second create one contact, and all 50 land on it', async () => {
    const from = '5511987654321';
    const requestsBefore = world.hubspot.state.requests.length;
    await Promise.all(Array.from({ length: 50 }, (_, i) => customerWrites(world, { from, wamid: `wamid.ID_BURST_${i}`, body: `burst ${i}`, secondsAgo: 50 - i })));
    const idsOf = () => Promise.all(Array.from({ length: 50 }, (_, i) => messageIdOf(world, `wamid.ID_BURST_${i}`)));
    await waitFor(async () => (await idsOf()).every((id) => communicationOf(portal(), id).length === 1), '50 communications', 30_000);
    const ids = await idsOf();
    // One lookup (by our id, then by phone) and one creation for the customer, then a read and a create per
    // batch (the linger fills batches): a handful of requests, and no error answers, for 50 messages.
    const requests = world.hubspot.state.requests.slice(requestsBefore).filter((r) => !r.path.startsWith('/crm/v3/properties'));
    expect(requests.length).toBeLessThanOrEqual(10);
    expect(requests.filter((r) => r.status >= 400)).toEqual([]);

    const contacts = contactsWithPhone(`+${from}`);
    expect(contacts).toHaveLength(1);
    const logged = ids.map((id) => communicationOf(portal(), id));
    expect(logged.every((c) => c.length === 1)).toBe(true);
    expect(new Set(logged.flatMap((c) => portal().associatedIds('communications', c[0]?.id ?? '', 'contacts')))).toEqual(new Set([contacts[0]?.id]));
  });

  test('two worker processes resolving the same new customer at once create one contact (the advisory lock)', async () => {
    const processes = [connectDb(world.rt.database.url, { poolMax: 4 }), connectDb(world.rt.database.url, { poolMax: 4 })];
    try {
      const installation = await world.installation(installationId);
      const customer = { contactId: crypto.randomUUID(), waId: '819012345678', userId: null, name: 'Kenji' };
      const resolutions = await Promise.all(processes.flatMap((db) => Array.from({ length: 3 }, () => resolveContact(installation, customer, {
        logger: createLogger({ level: 'silent' }), signal: AbortSignal.timeout(10_000), exclusive: exclusiveFor(db, world.rt.workspace.id, installationId),
      }))));
      const ids = resolutions.map((r) => (r.ok && r.value.kind === 'linked' ? r.value.hubspotContactId : r));
      expect(new Set(ids).size).toBe(1);
      expect(resolutions.filter((r) => r.ok && r.value.kind === 'linked' && r.value.created)).toHaveLength(1);
      expect(contactsWithPhone('+819012345678')).toHaveLength(1);
    } finally {
      await Promise.all(processes.map((db) => db.destroy()));
    }
  });

  test('a business-scoped user without a number is matched by their user id, and created with their username', async () => {
    await usernameUserWrites(world, 'wamid.ID_BSUID_1');
    const first = await loggedMessage(world, portal(), 'wamid.ID_BSUID_1');
    const [contactId] = portal().associatedIds('communications', first.id, 'contacts');
    expect(portal().get('contacts', contactId ?? '')?.properties).toMatchObject({
      firstname: 'Test Customer', threadline_whatsapp_id: 'user.fakebsuid0000000000000000000000000000000000000000000000000001',
    });
    expect(portal().get('contacts', contactId ?? '')?.properties.phone ?? null).toBeNull();
    // Forget the local link: the unique property finds the same contact again, without search.
    await world.rt.db('external_link').where({ installation_id: installationId, external_type: 'hubspot_contact', external_id: contactId }).delete();
    await usernameUserWrites(world, 'wamid.ID_BSUID_2');
    const second = await loggedMessage(world, portal(), 'wamid.ID_BSUID_2');
    expect(portal().associatedIds('communications', second.id, 'contacts')).toEqual([contactId]);
  });
});

describe('HubSpot identity with contact creation off', () => {
  let world: HubSpotWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL, { config: { createContacts: false } });
  });
  afterAll(async () => world.close());

  test('a number no contact has waits (retried, nothing created); once a rep adds the contact it lands there', async () => {
    const portal = world.hubspot.state.portal(PORTAL);
    await customerWrites(world, { from: '33612345678', wamid: 'wamid.ID_OFF_1', body: 'bonjour' });
    await waitFor(async () => {
      const row = await world.rt.db('sync_outbox').where({ installation_id: installationId, type: 'message.inbound' }).first('attempts', 'last_error');
      return row !== undefined && row.attempts > 0;
    }, 'a first attempt');
    const row = await world.rt.db('sync_outbox').where({ installation_id: installationId, type: 'message.inbound' }).first('state', 'last_error');
    expect(row).toMatchObject({ state: 'pending', last_error: expect.stringContaining('creating contacts is off') });
    expect(portal.contacts).toHaveLength(0);
    expect(portal.communications).toHaveLength(0);

    const contact = portal.create('contacts', { firstname: 'Amélie', phone: '06 12 34 56 78' }, { indexed: true });
    // Skip the backoff; the customer's next message wakes the sync, which takes both, in order.
    await world.rt.db('sync_outbox').where({ installation_id: installationId }).update({ not_before: null });
    await customerWrites(world, { from: '33612345678', wamid: 'wamid.ID_OFF_2', body: 'allô ?', secondsAgo: 10 });
    const first = await loggedMessage(world, portal, 'wamid.ID_OFF_1');
    const second = await loggedMessage(world, portal, 'wamid.ID_OFF_2');
    expect(portal.associatedIds('communications', first.id, 'contacts')).toEqual([contact.id]);
    expect(portal.associatedIds('communications', second.id, 'contacts')).toEqual([contact.id]);
    expect(Date.parse(first.properties.hs_timestamp ?? '')).toBeLessThan(Date.parse(second.properties.hs_timestamp ?? ''));
  });
});
