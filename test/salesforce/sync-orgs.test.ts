import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { customerWrites, field, messageIdOf, messageRecord, outboxStates, records } from './sync-helpers';

jest.setTimeout(90_000);

describe('Salesforce sync when the org has spent its daily API quota', () => {
  let world: SalesforceWorld;
  let orgId: string;
  let installationId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{ dailyApiLimit: 15_000 }] });
    orgId = world.orgIds[0] ?? '';
    installationId = await world.install(orgId);
  });
  afterAll(async () => world?.close());

  test('REQUEST_LIMIT_EXCEEDED delays sync and loses nothing: once the quota frees, every message is there once, in order', async () => {
    const org = world.salesforce.state.org(orgId);
    org.spendApiCalls(15_000);
    const wamids = Array.from({ length: 5 }, (_, i) => `wamid.SF_QUOTA_${i}`);
    for (const [i, wamid] of wamids.entries()) await customerWrites(world, { from: '4917100000001', wamid, body: `quota ${i}`, secondsAgo: 50 - i });
    await waitFor(() => world.salesforce.state.requests.filter((r) => r.status === 403).length >= 2, 'the org to refuse twice');
    expect(records(world, orgId, 'WhatsApp_Message__c')).toHaveLength(0);
    const waiting = await world.rt.db('sync_outbox').where({ installation_id: installationId }).select('state', 'attempts');
    expect(waiting.every((r) => r.state === 'pending' && r.attempts === 0)).toBe(true);

    world.salesforce.state.advanceTime(24 * 3_600_000 + 1);
    await waitFor(async () => (await outboxStates(world, installationId)).delivered === 5, 'every message delivered', 30_000);
    const ids = await Promise.all(wamids.map((w) => messageIdOf(world, w)));
    const synced = ids.map((id) => messageRecord(world, orgId, id));
    expect(records(world, orgId, 'WhatsApp_Message__c')).toHaveLength(5);
    expect(synced.map((m) => field(world, m, 'Body__c'))).toEqual(wamids.map((_, i) => `quota ${i}`));
    const sentAt = synced.map((m) => Date.parse(String(field(world, m, 'Sent_At__c'))));
    expect([...sentAt].sort((a, b) => a - b)).toEqual(sentAt);
    expect(await outboxStates(world, installationId)).toEqual({ delivered: 5 });
    const attempts = await world.rt.db('sync_outbox').where({ installation_id: installationId }).pluck('attempts');
    expect(attempts).toEqual([0, 0, 0, 0, 0]);
    expect(world.salesforce.state.org(orgId).all('Lead')).toHaveLength(1);
  });
});

describe('Salesforce sync with two orgs, each serving its own number', () => {
  const otherNumber = '100000000000077';
  let world: SalesforceWorld;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    world = await startSalesforceWorld();
    [orgA = '', orgB = ''] = world.orgIds;
    const number = world.meta.state.addNumber({ phoneNumberId: otherNumber, wabaId: '100000000000078' });
    const res = await world.rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: number.phoneNumberId, waba_id: number.wabaId, access_token: number.accessToken, read_receipts: 'never' });
    expect(res.status).toBe(201);
    await world.install(orgA, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    await world.install(orgB, { config: { phoneNumberId: otherNumber } });
  });
  afterAll(async () => world?.close());

  test("one org never sees the other org's conversations", async () => {
    await customerWrites(world, { from: '4917100000002', wamid: 'wamid.SF_ORG_A', body: 'to A' });
    await customerWrites(world, { from: '4917100000003', wamid: 'wamid.SF_ORG_B', body: 'to B', phoneNumberId: otherNumber });
    await waitFor(async () => messageRecord(world, orgA, await messageIdOf(world, 'wamid.SF_ORG_A')) !== undefined
      && messageRecord(world, orgB, await messageIdOf(world, 'wamid.SF_ORG_B')) !== undefined, 'each message in its org');
    expect(records(world, orgA, 'WhatsApp_Message__c').map((m) => field(world, m, 'Body__c'))).toEqual(['to A']);
    expect(records(world, orgB, 'WhatsApp_Message__c').map((m) => field(world, m, 'Body__c'))).toEqual(['to B']);
    expect(records(world, orgB, 'WhatsApp_Conversation__c').map((c) => field(world, c, 'Conversation_Key__c'))).toEqual([expect.stringMatching(new RegExp(`^${otherNumber}:`))]);
    expect(world.salesforce.state.org(orgA).all('Lead').map((l) => l.MobilePhone)).toEqual(['+4917100000002']);
    expect(world.salesforce.state.org(orgB).all('Lead').map((l) => l.MobilePhone)).toEqual(['+4917100000003']);
  });
});

describe('Salesforce sync with one org serving every number', () => {
  const otherNumber = '100000000000079';
  let world: SalesforceWorld;
  let orgId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{}] });
    orgId = world.orgIds[0] ?? '';
    const number = world.meta.state.addNumber({ phoneNumberId: otherNumber, wabaId: '100000000000080' });
    const res = await world.rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: number.phoneNumberId, waba_id: number.wabaId, access_token: number.accessToken, read_receipts: 'never' });
    expect(res.status).toBe(201);
    await world.install(orgId);
  });
  afterAll(async () => world?.close());

  test('a customer writing to two numbers has one conversation record per number, each keyed and marked with its number', async () => {
    await customerWrites(world, { from: '4917100000004', wamid: 'wamid.SF_ALL_1', body: 'to the first number' });
    await customerWrites(world, { from: '4917100000004', wamid: 'wamid.SF_ALL_2', body: 'to the second number', phoneNumberId: otherNumber });
    await waitFor(async () => messageRecord(world, orgId, await messageIdOf(world, 'wamid.SF_ALL_1')) !== undefined
      && messageRecord(world, orgId, await messageIdOf(world, 'wamid.SF_ALL_2')) !== undefined, 'both messages in the org');
    const contact: { id: string } = await world.rt.db('contact').where({ wa_id: '4917100000004' }).first('id');
    const conversations = records(world, orgId, 'WhatsApp_Conversation__c').map((c) => [field(world, c, 'Conversation_Key__c'), field(world, c, 'Business_Phone_Id__c')]);
    expect(conversations.sort()).toEqual([[`${fixtureNumber.phoneNumberId}:${contact.id}`, fixtureNumber.phoneNumberId], [`${otherNumber}:${contact.id}`, otherNumber]].sort());
    const conversationOf = async (wamid: string) => field(world, messageRecord(world, orgId, await messageIdOf(world, wamid)), 'Conversation__c');
    expect(await conversationOf('wamid.SF_ALL_1')).not.toBe(await conversationOf('wamid.SF_ALL_2'));
    expect(world.salesforce.state.org(orgId).all('Lead')).toHaveLength(1);
  });
});
