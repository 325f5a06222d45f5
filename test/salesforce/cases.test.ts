import request from 'supertest';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { SfRecord } from '../fakes/salesforce/fake-org';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { conversationRecord, customerWrites, messageIdOf, outboxStates, syncedMessage } from './sync-helpers';

jest.setTimeout(90_000);

const dayMs = 86_400_000;

describe('Salesforce Cases for a support number', () => {
  let world: SalesforceWorld;
  let orgId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{ caseOrigins: ['Phone', 'Email', 'Web', 'WhatsApp'] }] });
    orgId = world.orgIds[0] ?? '';
    await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId, cases: { enabled: true, origin: 'WhatsApp', reopenWithinDays: 7 } } });
  });
  afterAll(async () => world?.close());

  const org = () => world.salesforce.state.org(orgId);
  const cases = () => org().all('Case');
  const current = (caseRecord: SfRecord | undefined) => cases().find((c) => c.Id === caseRecord?.Id);
  // An agent closed it `daysAgo`: the org's clock is turned back for the save, which stamps IsClosed and ClosedDate.
  const close = (caseRecord: SfRecord | undefined, daysAgo: number) => {
    const { state } = world.salesforce;
    state.advanceTime(-daysAgo * dayMs);
    try {
      const saved = org().update(org().object('Case')!, caseRecord?.Id ?? '', { Status: 'Closed' });
      if (!('id' in saved)) throw new Error(`case not closed: ${JSON.stringify(saved.errors)}`);
    } finally {
      state.advanceTime(daysAgo * dayMs);
    }
    expect(Date.parse(String(current(caseRecord)?.ClosedDate))).toBeLessThan(Date.now() - (daysAgo - 1) * dayMs);
  };
  const caseOf = async (wamid: string) => {
    const message = await syncedMessage(world, orgId, wamid);
    return cases().find((c) => c.Id === conversationRecord(world, orgId, message)?.threadline__Case__c);
  };

  test('a conversation opens exactly one Case; closed recently it is reopened; closed long ago a new one opens', async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Silva', threadline__WhatsApp_E164__c: '+351912345678' });
    if (!('id' in contact)) throw new Error('contact not created');
    await customerWrites(world, { from: '351912345678', wamid: 'wamid.SF_CASE_1', body: 'My order is broken', name: 'Rui', secondsAgo: 50 });
    await customerWrites(world, { from: '351912345678', wamid: 'wamid.SF_CASE_2', body: 'Photo attached soon', secondsAgo: 40 });
    await syncedMessage(world, orgId, 'wamid.SF_CASE_2');
    const opened = await caseOf('wamid.SF_CASE_1');
    expect(cases()).toHaveLength(1);
    expect(opened).toMatchObject({ Subject: 'WhatsApp: Rui', Origin: 'WhatsApp', ContactId: contact.id, Status: 'New', Description: 'My order is broken' });
    expect((await caseOf('wamid.SF_CASE_2'))?.Id).toBe(opened?.Id);

    close(opened, 2);
    await customerWrites(world, { from: '351912345678', wamid: 'wamid.SF_CASE_3', body: 'It broke again', secondsAgo: 30 });
    await waitFor(async () => (await caseOf('wamid.SF_CASE_3'))?.Status === 'New', 'the Case reopened');
    expect(cases()).toHaveLength(1);
    expect(current(opened)).toMatchObject({ IsClosed: false, ClosedDate: null });

    close(opened, 30);
    await customerWrites(world, { from: '351912345678', wamid: 'wamid.SF_CASE_4', body: 'New problem', secondsAgo: 20 });
    const next = await caseOf('wamid.SF_CASE_4');
    expect(cases()).toHaveLength(2);
    expect(next?.Id).not.toBe(opened?.Id);
    expect(next).toMatchObject({ Status: 'New', ContactId: contact.id });
    expect(current(opened)?.Status).toBe('Closed');
    await waitFor(async () => (await world.rt.db('external_link').where({ entity_type: 'conversation', external_type: 'salesforce_case', external_id: next?.Id ?? '' }).first('entity_id')) !== undefined, 'the case link');
  });

  test('a customer without a Contact gets a Case with the supplied phone and name', async () => {
    await customerWrites(world, { from: '4930123450001', wamid: 'wamid.SF_CASE_LEAD', body: 'Hallo', name: 'Jonas' });
    const opened = await caseOf('wamid.SF_CASE_LEAD');
    expect(opened).toMatchObject({ SuppliedPhone: '+4930123450001', SuppliedName: 'Jonas', Origin: 'WhatsApp' });
    expect(opened?.ContactId ?? null).toBeNull();
  });
});

describe('Salesforce Cases in an org without "WhatsApp" in the Origin picklist', () => {
  let world: SalesforceWorld;
  let installationId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{}] });
    installationId = await world.install(world.orgIds[0] ?? '', { config: { cases: { enabled: true, origin: 'WhatsApp', reopenWithinDays: 7 } } });
  });
  afterAll(async () => world?.close());

  test('the message is a dead letter naming the field, the code and what the admin must do', async () => {
    await customerWrites(world, { from: '33612340001', wamid: 'wamid.SF_ORIGIN_1', body: 'Bonjour', secondsAgo: 20 });
    await waitFor(async () => (await outboxStates(world, installationId)).dead === 1, 'a dead letter');
    const res = await request(world.rt.url).get('/api/v1/sync/dead-letters').set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(200);
    const [dead, ...others] = res.body.items as Array<{ message_id: string; last_error: string }>;
    expect(others).toEqual([]);
    expect(dead?.message_id).toBe(await messageIdOf(world, 'wamid.SF_ORIGIN_1'));
    expect(dead?.last_error).toMatch(/INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST on Origin: .*add "WhatsApp" to the Case Origin picklist/);
    expect(world.salesforce.state.org(world.orgIds[0] ?? '').all('Case')).toHaveLength(0);
  });
});
