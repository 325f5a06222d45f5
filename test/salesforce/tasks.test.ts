import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { FakeOrg, SfRecord } from '../fakes/salesforce/fake-org';
import { startSalesforceFake, type SalesforceFake } from '../fakes/salesforce/salesforce-fake';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { conversationOf, conversationRecord, customerWrites, field, messageIdOf, syncedMessage } from './sync-helpers';

jest.setTimeout(90_000);

const today = () => new Date().toISOString().slice(0, 10);

describe('the fake org’s Task (reference §3.2)', () => {
  let fake: SalesforceFake;
  let org: FakeOrg;
  const task = () => org.object('Task')!;
  const created = (saved: { id: string } | { errors: unknown[] }) => {
    if (!('id' in saved)) throw new Error(`not saved: ${JSON.stringify(saved.errors)}`);
    return saved.id;
  };

  beforeAll(async () => {
    fake = await startSalesforceFake({ orgs: [{}] });
    org = [...fake.state.orgs.values()][0]!;
  });
  afterAll(async () => fake?.stop());

  test('a Lead’s Task may not be related to another record; a Contact’s may', () => {
    const lead = created(org.insert(org.object('Lead')!, { LastName: 'L', Company: 'C' }));
    const contact = created(org.insert(org.object('Contact')!, { LastName: 'C' }));
    const caseId = created(org.insert(org.object('Case')!, { Subject: 'S' }));
    expect(org.insert(task(), { Subject: 'x', WhoId: lead, WhatId: caseId })).toEqual({ errors: [expect.objectContaining({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhatId'] })] });
    expect(org.insert(task(), { Subject: 'x', WhoId: contact, WhatId: caseId })).toHaveProperty('id');
    expect(org.insert(task(), { Subject: 'x', WhoId: caseId })).toEqual({ errors: [expect.objectContaining({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhoId'] })] });
  });

  test('TaskSubtype is a restricted picklist set on create only; Completed closes the Task and stamps CompletedDateTime', () => {
    expect(org.insert(task(), { Subject: 'x', TaskSubtype: 'WhatsApp' })).toEqual({ errors: [expect.objectContaining({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' })] });
    const id = created(org.insert(task(), { Subject: 'x', TaskSubtype: 'Call', Description: 'd'.repeat(32_000) }));
    expect(org.insert(task(), { Subject: 's'.repeat(256) })).toEqual({ errors: [expect.objectContaining({ statusCode: 'STRING_TOO_LONG' })] });
    expect(org.update(task(), id, { TaskSubtype: 'Task' })).toEqual({ errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['TaskSubtype'] })] });
    expect(org.find(task(), id)).toMatchObject({ Status: 'Not Started', IsClosed: false, TaskSubtype: 'Call' });
    created(org.update(task(), id, { Status: 'Completed' }));
    expect(org.find(task(), id)).toMatchObject({ IsClosed: true, CompletedDateTime: expect.any(String) });
    created(org.update(task(), id, { Status: 'In Progress' }));
    expect(org.find(task(), id)).toMatchObject({ IsClosed: false, CompletedDateTime: null });
  });

  test('a Case closing gets ClosedDate from the org; reopening clears it', () => {
    const id = created(org.insert(org.object('Case')!, { Subject: 'S' }));
    created(org.update(org.object('Case')!, id, { Status: 'Closed' }));
    expect(Date.parse(String(org.find(org.object('Case')!, id)?.ClosedDate))).toBeGreaterThan(Date.now() - 60_000);
    expect(org.update(org.object('Case')!, id, { ClosedDate: new Date().toISOString() })).toEqual({ errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' })] });
    created(org.update(org.object('Case')!, id, { Status: 'New' }));
    expect(org.find(org.object('Case')!, id)).toMatchObject({ IsClosed: false, ClosedDate: null });
  });
});

describe('Salesforce summary Tasks', () => {
  let world: SalesforceWorld;
  let orgId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{ caseOrigins: ['Phone', 'WhatsApp'] }] });
    orgId = world.orgIds[0] ?? '';
    await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId, summaryTasks: true, cases: { enabled: true, origin: 'WhatsApp', reopenWithinDays: 7 } } });
  });
  afterAll(async () => world?.close());

  const org = () => world.salesforce.state.org(orgId);
  const tasksOf = (whoId: string | undefined): SfRecord[] => org().all('Task').filter((t) => t.WhoId === whoId);
  const linkedTask = async (waId: string, day = today()) => {
    const contact: { id: string } | undefined = await world.rt.db('contact').where({ wa_id: waId }).first('id');
    if (contact === undefined) return undefined;
    const row: { external_id: string } | undefined = await world.rt.db('external_link')
      .where({ entity_type: 'contact', entity_id: contact.id, external_type: `salesforce_task:${fixtureNumber.phoneNumberId}:${day}` }).first('external_id');
    return row?.external_id;
  };

  test('a Contact’s day is one Completed Task on the Case, written with the messages and updated as the day goes on', async () => {
    const contact = org().insert(org().object('Contact')!, { FirstName: 'Ana', LastName: 'Silva', threadline__WhatsApp_E164__c: '+351911000001' });
    if (!('id' in contact)) throw new Error('contact not created');
    await customerWrites(world, { from: '351911000001', wamid: 'wamid.SF_TASK_1', body: 'Good morning', secondsAgo: 50 });
    await customerWrites(world, { from: '351911000001', wamid: 'wamid.SF_TASK_2', body: 'My parcel\\nis late' /* escaped: the body is pasted into the webhook's JSON */, secondsAgo: 40 });
    const message = await syncedMessage(world, orgId, 'wamid.SF_TASK_2');
    await waitFor(() => tasksOf(contact.id)[0]?.Subject === 'WhatsApp: 2 messages with Ana Silva', 'the Task of both messages');
    const [task, ...others] = tasksOf(contact.id);
    expect(others).toEqual([]);
    const caseId = field(world, conversationRecord(world, orgId, message), 'Case__c');
    expect(caseId).toEqual(expect.any(String));
    expect(task).toMatchObject({ WhatId: caseId, Status: 'Completed', IsClosed: true, TaskSubtype: 'Task', ActivityDate: today() });
    const lines = String(task?.Description).split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d in: Good morning$/);
    expect(lines.slice(1, 3)).toEqual([expect.stringMatching(/^\d\d:\d\d in: My parcel$/), '    is late']);
    expect(lines.at(-1)).toBe(`— Threadline, WhatsApp conversation ${field(world, conversationRecord(world, orgId, message), 'Conversation_Key__c')}, ${today()} (times UTC)`);
    await waitFor(async () => (await linkedTask('351911000001')) === task?.Id, 'the Task linked to the day');

    const reply = await world.rt.http().post(`/api/v1/conversations/${await conversationOf(world, '351911000001')}/messages`)
      .set('authorization', ADMIN_AUTH).set('idempotency-key', 'sf-task-reply').send({ type: 'text', body: 'It arrives tomorrow' });
    expect(reply.status).toBeLessThan(300);
    await waitFor(() => tasksOf(contact.id)[0]?.Subject === 'WhatsApp: 3 messages with Ana Silva', 'the Task updated with the reply');
    expect(tasksOf(contact.id)).toHaveLength(1);
    expect(String(tasksOf(contact.id)[0]?.Description)).toMatch(/\n\d\d:\d\d out: It arrives tomorrow\n {4}— sent by /);
    // Written in the same composite call as the message records.
    const together = world.salesforce.state.requests.filter((r) => r.path.endsWith('/composite') && JSON.stringify(r.body).includes('/sobjects/Task/') && JSON.stringify(r.body).includes('/composite/sobjects/threadline__WhatsApp_Message__c/'));
    expect(together.length).toBeGreaterThan(0);
  });

  test('a Lead’s Task has no WhatId, even with a Case', async () => {
    await customerWrites(world, { from: '4930111000002', wamid: 'wamid.SF_TASK_LEAD', body: 'Hallo', name: 'Jonas' });
    await syncedMessage(world, orgId, 'wamid.SF_TASK_LEAD');
    const lead = org().all('Lead').find((l) => l.MobilePhone === '+4930111000002');
    await waitFor(() => tasksOf(lead?.Id).length === 1, 'the Lead’s Task');
    expect(tasksOf(lead?.Id)[0]).toMatchObject({ Subject: 'WhatsApp: 1 message with Jonas', Status: 'Completed' });
    expect(tasksOf(lead?.Id)[0]?.WhatId ?? null).toBeNull();
    expect(org().all('Case').some((c) => c.SuppliedName === 'Jonas')).toBe(true);
  });

  test('a lost link finds the day’s Task again; a Task deleted in Salesforce is created again', async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Retry', threadline__WhatsApp_E164__c: '+351911000003' });
    if (!('id' in contact)) throw new Error('contact not created');
    await customerWrites(world, { from: '351911000003', wamid: 'wamid.SF_TASK_R1', body: 'one', secondsAgo: 50 });
    await waitFor(async () => (await linkedTask('351911000003')) !== undefined, 'the Task linked');
    const first = tasksOf(contact.id)[0];
    // As when Salesforce created the Task but its answer never reached us.
    await world.rt.db('external_link').where({ external_id: first?.Id ?? '' }).del();
    await customerWrites(world, { from: '351911000003', wamid: 'wamid.SF_TASK_R2', body: 'two', secondsAgo: 40 });
    await waitFor(() => tasksOf(contact.id)[0]?.Subject === 'WhatsApp: 2 messages with Retry', 'the same Task updated');
    expect(tasksOf(contact.id).map((t) => t.Id)).toEqual([first?.Id]);
    await waitFor(async () => (await linkedTask('351911000003')) === first?.Id, 'the Task linked again');

    org().delete(org().object('Task')!, first?.Id ?? '');
    await customerWrites(world, { from: '351911000003', wamid: 'wamid.SF_TASK_R3', body: 'three', secondsAgo: 30 });
    await waitFor(() => tasksOf(contact.id).length === 1 && tasksOf(contact.id)[0]?.Id !== first?.Id, 'a new Task');
    expect(tasksOf(contact.id)[0]).toMatchObject({ Subject: 'WhatsApp: 3 messages with Retry', TaskSubtype: 'Task', Status: 'Completed' });
    await waitFor(async () => (await linkedTask('351911000003')) === tasksOf(contact.id)[0]?.Id, 'the new Task linked');
  });

  test('each UTC day has its own Task, dated that day', async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Days', threadline__WhatsApp_E164__c: '+351911000004' });
    if (!('id' in contact)) throw new Error('contact not created');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await customerWrites(world, { from: '351911000004', wamid: 'wamid.SF_TASK_D1', body: 'yesterday', secondsAgo: 86_400 });
    await customerWrites(world, { from: '351911000004', wamid: 'wamid.SF_TASK_D2', body: 'today', secondsAgo: 5 });
    await syncedMessage(world, orgId, 'wamid.SF_TASK_D2');
    await waitFor(() => tasksOf(contact.id).length === 2, 'two Tasks');
    const byDay = Object.fromEntries(tasksOf(contact.id).map((t) => [String(t.ActivityDate), String(t.Description)]));
    expect(Object.keys(byDay).sort()).toEqual([yesterday, today()]);
    expect(byDay[yesterday]).toMatch(/in: yesterday\n/);
    expect(byDay[yesterday]).not.toMatch(/in: today/);
    expect(byDay[today()]).toMatch(/in: today\n/);
  });

  test('a day over 32,000 characters keeps its latest messages and says the earlier ones are on the conversation', async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Long', threadline__WhatsApp_E164__c: '+351911000005' });
    if (!('id' in contact)) throw new Error('contact not created');
    for (let i = 0; i < 9; i += 1) await customerWrites(world, { from: '351911000005', wamid: `wamid.SF_TASK_L${i}`, body: `${i}${'x'.repeat(3_999)}`, secondsAgo: 50 - i });
    await waitFor(async () => (await messageIdOf(world, 'wamid.SF_TASK_L8')) !== undefined, 'the last message stored');
    await waitFor(() => tasksOf(contact.id)[0]?.Subject === 'WhatsApp: 9 messages with Long', 'the Task of all nine');
    const description = String(tasksOf(contact.id)[0]?.Description);
    expect(description.length).toBeLessThanOrEqual(32_000);
    expect(description).toMatch(/^\[2 earlier messages of the day are not shown here: the WhatsApp conversation has them all\]\n\d\d:\d\d in: 2x/);
    expect(description).not.toMatch(/in: 0x/);
    expect(description).toMatch(/in: 8x{3999}\n— Threadline/);
  });
});
