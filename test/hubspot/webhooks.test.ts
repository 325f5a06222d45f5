import crypto from 'node:crypto';
import { PRUNE_WEBHOOK_EVENTS_CRONTAB, pruneWebhookEvents, WEBHOOK_EVENT_RETENTION_MS } from '../../connectors/hubspot/webhooks/prune-webhook-events';
import { CONTACT_LINK_TYPE, CONVERSATION_CONTACT_LINK_TYPE } from '../../connectors/hubspot/contact-link';
import { saveLinks } from '../../core/sync/external-links';
import { createOtherWorkspace } from '../admin/admin-helpers';
import { sendSigned } from '../fakes/hubspot/hubspot-fake';
import { startHubSpotWorld, type HubSpotWorld } from './hubspot-world';

/** CRM webhooks (reference §6.2, §6.3): signed, deduplicated on the event's key (not eventId), acting on the contact mapping. */
const acme = 62515;
const globex = 77001;
let world: HubSpotWorld;
let acmeInstallation: string;
let globexInstallation: string;

beforeAll(async () => {
  world = await startHubSpotWorld({ portals: [acme, globex], worker: false });
  acmeInstallation = await world.install(acme);
  globexInstallation = await world.install(globex);
});
afterAll(() => world.close());

const webhookUrl = () => `${world.publicUrl}/connectors/hubspot/webhooks`;

function insertedId(rows: { id: string }[]): string {
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('nothing inserted');
  return id;
}

/** A Threadline contact mapped to a HubSpot contact id for an installation, as identity leaves it. */
async function mappedContact(installationId: string, hubspotContactId: number): Promise<string> {
  const contactId = insertedId(await world.rt.db('contact').insert({ workspace_id: world.rt.workspace.id, wa_id: String(4_915_000_000_000 + crypto.randomInt(1e9)) }).returning('id'));
  await saveLinks(world.rt.db, world.rt.workspace.id, installationId, [{ entityType: 'contact', entityId: contactId, externalType: CONTACT_LINK_TYPE, externalId: String(hubspotContactId) }]);
  return contactId;
}

async function linkOf(installationId: string, contactId: string): Promise<string | undefined> {
  const row: { external_id: string } | undefined = await world.rt.db('external_link').where({ installation_id: installationId, entity_type: 'contact', entity_id: contactId, external_type: CONTACT_LINK_TYPE }).first('external_id');
  return row?.external_id;
}

const event = (portalId: number, init: Parameters<HubSpotWorld['hubspot']['outbound']['crmEvent']>[1]) => world.hubspot.outbound.crmEvent(portalId, init);

test('a deleted contact loses its mapping, in that portal\'s installation only', async () => {
  const acmeContact = await mappedContact(acmeInstallation, 501);
  const globexContact = await mappedContact(globexInstallation, 501);
  const [delivery] = await world.deliverEvents([event(acme, { subscriptionType: 'contact.deletion', objectId: 501 })]);
  expect(delivery?.status).toBe(200);
  expect(await linkOf(acmeInstallation, acmeContact)).toBeUndefined();
  expect(await linkOf(globexInstallation, globexContact)).toBe('501');
});

test('a privacy deletion drops the mapping too', async () => {
  const contact = await mappedContact(acmeInstallation, 502);
  await world.deliverEvents([event(acme, { subscriptionType: 'contact.privacyDeletion', objectId: 502 })]);
  expect(await linkOf(acmeInstallation, contact)).toBeUndefined();
});

test('a merge re-points the merged contacts\' mappings to the surviving contact', async () => {
  const merged = await mappedContact(acmeInstallation, 601);
  const survivor = await mappedContact(acmeInstallation, 600);
  const unrelated = await mappedContact(acmeInstallation, 699);
  await world.deliverEvents([event(acme, { subscriptionType: 'contact.merge', objectId: 600, primaryObjectId: 600, mergedObjectIds: [601], numberOfPropertiesMoved: 3 })]);
  expect(await linkOf(acmeInstallation, merged)).toBe('600');
  expect(await linkOf(acmeInstallation, survivor)).toBe('600');
  expect(await linkOf(acmeInstallation, unrelated)).toBe('699');
});

test('a conversation\'s contact (what routing and breach events land on) follows merges and deletions', async () => {
  const conversationOn = async (hubspotContactId: number) => {
    const conversationId = crypto.randomUUID();
    await saveLinks(world.rt.db, world.rt.workspace.id, acmeInstallation, [{ entityType: 'conversation', entityId: conversationId, externalType: CONVERSATION_CONTACT_LINK_TYPE, externalId: String(hubspotContactId) }]);
    return conversationId;
  };
  const contactOfConversation = async (conversationId: string) => (await world.rt.db('external_link')
    .where({ installation_id: acmeInstallation, entity_type: 'conversation', entity_id: conversationId, external_type: CONVERSATION_CONTACT_LINK_TYPE }).first('external_id'))?.external_id;
  const merged = await conversationOn(651);
  const deleted = await conversationOn(652);
  await world.deliverEvents([
    event(acme, { subscriptionType: 'contact.merge', objectId: 650, primaryObjectId: 650, mergedObjectIds: [651] }),
    event(acme, { subscriptionType: 'contact.deletion', objectId: 652 }),
  ]);
  expect(await contactOfConversation(merged)).toBe('650');
  expect(await contactOfConversation(deleted)).toBeUndefined();
});

test('a phone change drops the mapping so identity resolves the contact again; other properties leave it', async () => {
  const phoneChanged = await mappedContact(acmeInstallation, 701);
  const nameChanged = await mappedContact(acmeInstallation, 702);
  await world.deliverEvents([
    event(acme, { subscriptionType: 'contact.propertyChange', objectId: 701, propertyName: 'phone', propertyValue: '+49 151 99999999' }),
    event(acme, { subscriptionType: 'contact.propertyChange', objectId: 702, propertyName: 'firstname', propertyValue: 'Ana' }),
  ]);
  expect(await linkOf(acmeInstallation, phoneChanged)).toBeUndefined();
  expect(await linkOf(acmeInstallation, nameChanged)).toBe('702');
});

test('duplicate deliveries are processed once, keyed on the event not its eventId', async () => {
  const merged = await mappedContact(acmeInstallation, 801);
  const mergeEvent = event(acme, { subscriptionType: 'contact.merge', objectId: 800, primaryObjectId: 800, mergedObjectIds: [801] });
  const deliveries = await world.deliverEvents([mergeEvent], { duplicates: 2 });
  expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
  expect(await linkOf(acmeInstallation, merged)).toBe('800');
  // A later contact mapped to 801 again (HubSpot reused nothing): the redelivered merge must not touch it.
  await world.rt.db('external_link').where({ installation_id: acmeInstallation, entity_id: merged }).update({ external_id: '801' });
  const [again] = await world.deliverEvents([{ ...mergeEvent, attemptNumber: 3 }]);
  expect(again?.status).toBe(200);
  expect(await linkOf(acmeInstallation, merged)).toBe('801');
  const [seen] = await world.rt.db('hubspot_webhook_event').where({ portal_id: acme, object_id: 800 }).count<{ count: string | number }[]>('* as count');
  expect(Number(seen?.count)).toBe(1);

  // Same eventId, different event (eventId is not unique across subscription types): both are handled.
  const contact = await mappedContact(acmeInstallation, 901);
  const deletion = event(acme, { subscriptionType: 'contact.deletion', objectId: 901, eventId: mergeEvent.eventId });
  await world.deliverEvents([deletion]);
  expect(await linkOf(acmeInstallation, contact)).toBeUndefined();
});

test('unsigned, wrongly signed and stale requests are refused with 401 and change nothing', async () => {
  const contact = await mappedContact(acmeInstallation, 1001);
  const events = [event(acme, { subscriptionType: 'contact.deletion', objectId: 1001 })];
  const signed = world.hubspot.outbound.webhookRequest(webhookUrl(), events);
  const headersWithout = (...names: string[]) => Object.fromEntries(Object.entries(signed.headers).filter(([name]) => !names.includes(name.toLowerCase())));

  const unsigned = await sendSigned({ ...signed, headers: headersWithout('x-hubspot-signature', 'x-hubspot-signature-version', 'x-hubspot-signature-v3', 'x-hubspot-request-timestamp') });
  expect(unsigned.status).toBe(401);
  const tampered = await sendSigned({ ...signed, body: signed.body.replace('1001', '1002') });
  expect(tampered.status).toBe(401);
  const v1Forged = await sendSigned({ ...signed, headers: { ...headersWithout('x-hubspot-signature-v3', 'x-hubspot-request-timestamp'), 'X-HubSpot-Signature': 'a'.repeat(64) } });
  expect(v1Forged.status).toBe(401);
  const stale = await sendSigned(world.hubspot.outbound.webhookRequest(webhookUrl(), events, { timestamp: world.hubspot.state.now() - 6 * 60_000 }));
  expect(stale.status).toBe(401);
  expect(JSON.parse(stale.body)).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('5 minutes') });
  expect(await linkOf(acmeInstallation, contact)).toBe('1001');

  // v1 alone (no v3 headers) is HubSpot's other signature for CRM webhooks: accepted.
  const v1Only = await sendSigned({ ...signed, headers: headersWithout('x-hubspot-signature-v3', 'x-hubspot-request-timestamp') });
  expect(v1Only.status).toBe(200);
  expect(await linkOf(acmeInstallation, contact)).toBeUndefined();
});

test('a signed body that is not a batch of events is a 400 naming the problem; unknown event types are acknowledged', async () => {
  const bad = await sendSigned(world.hubspot.outbound.webhookRequest(webhookUrl(), [{ objectId: 1 } as never]));
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.body).message).toContain('subscriptionId');
  const unknown = await world.deliverEvents([event(acme, { subscriptionType: 'deal.creation', objectId: 5 })]);
  expect(unknown[0]?.status).toBe(200);
});

test('events of a portal installed in another workspace act on that workspace\'s mapping too', async () => {
  const other = await createOtherWorkspace(world.rt.db, '109999999999999');
  const installationId = insertedId(await world.rt.db('installation').insert({
    workspace_id: other.workspaceId, connector: 'hubspot', account_id: String(acme), settings: JSON.stringify({ portalId: acme }), state: 'active',
    credentials_sealed: world.rt.secrets.seal(JSON.stringify({ accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: new Date().toISOString() })),
  }).returning('id'));
  const contactId = insertedId(await world.rt.db('contact').insert({ workspace_id: other.workspaceId, wa_id: '4917000000001' }).returning('id'));
  await saveLinks(world.rt.db, other.workspaceId, installationId, [{ entityType: 'contact', entityId: contactId, externalType: CONTACT_LINK_TYPE, externalId: '1101' }]);
  await world.deliverEvents([event(acme, { subscriptionType: 'contact.deletion', objectId: 1101 })]);
  expect(await linkOf(installationId, contactId)).toBeUndefined();
});

test('handled events are forgotten after the retention (HubSpot stops retrying after 24 hours): the hourly task prunes them', async () => {
  await world.deliverEvents([event(acme, { subscriptionType: 'contact.propertyChange', objectId: 1201, propertyName: 'firstname', propertyValue: 'Old' })]);
  await world.deliverEvents([event(acme, { subscriptionType: 'contact.propertyChange', objectId: 1202, propertyName: 'firstname', propertyValue: 'New' })]);
  const rows = () => world.rt.db('hubspot_webhook_event').where({ portal_id: acme }).whereIn('object_id', [1201, 1202]).orderBy('object_id').pluck('object_id');
  await world.rt.db('hubspot_webhook_event').where({ portal_id: acme, object_id: 1201 }).update({ received_at: new Date(Date.now() - WEBHOOK_EVENT_RETENTION_MS - 60_000) });
  expect(await pruneWebhookEvents(world.rt.db)).toBeGreaterThanOrEqual(1);
  expect((await rows()).map(Number)).toEqual([1202]);
  expect(PRUNE_WEBHOOK_EVENTS_CRONTAB).toMatch(/^0 \* \* \* \* hubspot_prune_webhook_events$/);
});
