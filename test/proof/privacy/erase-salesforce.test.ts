import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from '../../salesforce/salesforce-world';
import { conversationRecord, customerWrites, syncedMessage } from '../../salesforce/sync-helpers';

jest.setTimeout(120_000);

const NS = 'threadline';
const E164 = `${NS}__WhatsApp_E164__c`;

describe('GDPR erasure of contacts synced to Salesforce', () => {
  let world: SalesforceWorld;
  let orgId: string;
  let installationId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ namespace: NS, orgs: [{}] });
    orgId = world.orgIds[0] ?? '';
    installationId = await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
  });
  afterAll(async () => {
    await world?.close();
  });

  const org = () => world.salesforce.state.org(orgId);
  const erase = async (waId: string) => {
    const contactId: string = (await world.rt.db('contact').where({ wa_id: waId }).first('id')).id;
    expect((await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH)).status).toBe(202);
    const report = async () => (await world.rt.http().get(`/api/v1/contacts/${contactId}/erasure`).set('authorization', ADMIN_AUTH)).body;
    await waitFor(async () => (await report()).state !== 'pending', 'the erasure finished', 20_000);
    expect([(await report()).state, (await report()).last_error]).toEqual(['done', null]);
    return (await report()).platforms[installationId];
  };

  test('a Lead Threadline created is deleted with the conversation and message records', async () => {
    await customerWrites(world, { from: '447700900777', wamid: 'wamid.PRIV_SF_LEAD', body: 'Delete all of me', name: 'Lena Gone' });
    const message = await syncedMessage(world, orgId, 'wamid.PRIV_SF_LEAD');
    const conversation = conversationRecord(world, orgId, message);
    const [lead] = org().all('Lead').filter((l) => l[E164] === '+447700900777');
    expect(lead).toBeDefined();

    const outcome = await erase('447700900777');
    expect(outcome).toMatchObject({ connector: 'salesforce', status: 'done', steps: ['deleted 2 WhatsApp records and tasks, 1 leads Threadline created'] });
    expect(org().all(`${NS}__WhatsApp_Message__c`).some((r) => r.Id === message.Id)).toBe(false);
    expect(org().all(`${NS}__WhatsApp_Conversation__c`).some((r) => r.Id === conversation?.Id)).toBe(false);
    expect(org().all('Lead').some((r) => r.Id === lead?.Id)).toBe(false);
  });

  test("an org's own Contact is kept with the number Threadline wrote cleared, and the report says so", async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Keeper', [E164]: '+4915111100077' });
    if (!('id' in contact)) throw new Error('contact not created');
    await customerWrites(world, { from: '4915111100077', wamid: 'wamid.PRIV_SF_CONTACT', body: 'Erase me' });
    await syncedMessage(world, orgId, 'wamid.PRIV_SF_CONTACT');

    const outcome = await erase('4915111100077');
    expect(outcome.steps).toEqual(['deleted 2 WhatsApp records and tasks, 0 leads Threadline created', 'cleared the WhatsApp number on 1 Contact records']);
    expect(outcome.kept).toEqual(['1 Contact records the org owns (only the field Threadline wrote was cleared)']);
    const kept = org().all('Contact').find((r) => r.Id === contact.id);
    expect(kept?.LastName).toBe('Keeper');
    expect(kept?.[E164] ?? null).toBeNull();
  });
});
