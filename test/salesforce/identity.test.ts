import crypto from 'node:crypto';
import { resolveCustomers } from '../../connectors/salesforce/identity/resolve-customers';
import { connectDb } from '../../core/db/connect';
import { createLogger } from '../../core/observability/logger';
import { exclusiveFor } from '../../core/sync/deliver-installation';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startSalesforceWorld, type SalesforceWorld } from './salesforce-world';
import { conversationRecord, customerWrites, field, messageIdOf, messageRecord, syncedMessage } from './sync-helpers';
import { waitFor } from './salesforce-world';

jest.setTimeout(90_000);

describe('Salesforce identity: the right Contact or Lead, never two Leads', () => {
  let world: SalesforceWorld;
  let orgId: string;
  let installationId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{}] });
    orgId = world.orgIds[0] ?? '';
    installationId = await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
  });
  afterAll(async () => world?.close());

  const org = () => world.salesforce.state.org(orgId);
  const leadsFor = (e164: string) => org().all('Lead').filter((l) => l.threadline__WhatsApp_E164__c === e164);

  test('a Contact found only by SOSL (phone typed "(415) 555-1212", past the index lag) is used and gets WhatsApp_E164__c', async () => {
    const typed = org().insert(org().object('Contact')!, { LastName: 'Okafor', Phone: '(415) 555-1212' });
    // A Lead with the same number is there too: a Contact wins over a Lead.
    org().insert(org().object('Lead')!, { LastName: 'Okafor lead', Company: 'Acme', MobilePhone: '+1 415 555 1212' });
    if (!('id' in typed)) throw new Error('contact not created');
    world.salesforce.state.advanceTime(16 * 60_000);

    await customerWrites(world, { from: '14155551212', wamid: 'wamid.SF_SOSL_1', body: 'hi' });
    const message = await syncedMessage(world, orgId, 'wamid.SF_SOSL_1');
    expect(field(world, conversationRecord(world, orgId, message), 'Contact__c')).toBe(typed.id);
    expect(org().all('Contact').find((c) => c.Id === typed.id)?.threadline__WhatsApp_E164__c).toBe('+14155551212');
    expect(leadsFor('+14155551212')).toHaveLength(0);
    const link = await world.rt.db('external_link').where({ installation_id: installationId, entity_type: 'contact', external_type: 'salesforce_contact' }).first('external_id');
    expect(link?.external_id).toBe(typed.id);
  });

  test('a second message while SOSL still lags goes to the Lead the first created (the mapping), without a search', async () => {
    await customerWrites(world, { from: '5511987650001', wamid: 'wamid.SF_LAG_1', body: 'first', name: 'Bia' });
    const first = await syncedMessage(world, orgId, 'wamid.SF_LAG_1');
    const searches = world.salesforce.state.requests.length;
    await customerWrites(world, { from: '5511987650001', wamid: 'wamid.SF_LAG_2', body: 'second' });
    const second = await syncedMessage(world, orgId, 'wamid.SF_LAG_2');
    expect(leadsFor('+5511987650001')).toHaveLength(1);
    expect(field(world, conversationRecord(world, orgId, second), 'Lead__c')).toBe(leadsFor('+5511987650001')[0]?.Id);
    expect(field(world, second, 'Conversation__c')).toBe(field(world, first, 'Conversation__c'));
    // Two collection upserts (conversation, messages), no query or search.
    const after = world.salesforce.state.requests.slice(searches).filter((r) => r.path.includes('/services/data/'));
    expect(after.filter((r) => r.path.includes('/query') || r.path.includes('/search') || r.path.endsWith('/composite'))).toEqual([]);
  });

  test('20 first messages from a new number at once make one Lead, and all 20 land under it', async () => {
    const from = '819012340001';
    await Promise.all(Array.from({ length: 20 }, (_, i) => customerWrites(world, { from, wamid: `wamid.SF_BURST_${i}`, body: `burst ${i}`, secondsAgo: 40 - i })));
    const idsOf = () => Promise.all(Array.from({ length: 20 }, (_, i) => messageIdOf(world, `wamid.SF_BURST_${i}`)));
    await waitFor(async () => (await idsOf()).every((id) => messageRecord(world, orgId, id) !== undefined), '20 messages in Salesforce', 30_000);
    const ids = await idsOf();
    expect(leadsFor(`+${from}`)).toHaveLength(1);
    expect(new Set(ids.map((id) => field(world, messageRecord(world, orgId, id), 'Conversation__c'))).size).toBe(1);
  });

  test('two worker processes resolving the same new customer at once create one Lead (the advisory lock)', async () => {
    const processes = [connectDb(world.rt.database.url, { poolMax: 4 }), connectDb(world.rt.database.url, { poolMax: 4 })];
    try {
      const installation = await world.installation(installationId);
      const customer = { contactId: crypto.randomUUID(), waId: '819055550001', name: 'Kenji' };
      const resolutions = await Promise.all(processes.flatMap((db) => Array.from({ length: 3 }, () => resolveCustomers(installation, [customer], {
        logger: createLogger({ level: 'silent' }), signal: AbortSignal.timeout(10_000), exclusive: exclusiveFor(db, world.rt.workspace.id, installationId),
      }))));
      const ids = resolutions.map((r) => {
        const resolution = r.ok ? r.value.get(customer.contactId) : undefined;
        return resolution?.kind === 'person' ? resolution.person.id : JSON.stringify(r);
      });
      expect(new Set(ids).size).toBe(1);
      expect(leadsFor('+819055550001')).toHaveLength(1);
    } finally {
      await Promise.all(processes.map((db) => db.destroy()));
    }
  });
});
