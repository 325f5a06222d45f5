import { wakeSync } from '../../core/sync/wake-sync';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { botHandoff } from '../support/bot-handoff';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { SfRecord } from '../fakes/salesforce/fake-org';
import { newId } from '../fakes/salesforce/ids';
import { startSalesforceFake } from '../fakes/salesforce/salesforce-fake';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { conversationOf, customerWrites, field, records, syncedMessage } from './sync-helpers';

jest.setTimeout(90_000);

test('the fake org: records are owned by its users or queues, and a Task’s Priority is a restricted picklist', async () => {
  const rep = newId('005');
  const queue = newId('00G');
  const fake = await startSalesforceFake({ orgs: [{ otherUserIds: [rep], queueIds: [queue] }], namespace: 'ns' });
  try {
    const org = [...fake.state.orgs.values()][0]!;
    const conversation = org.object('ns__WhatsApp_Conversation__c')!;
    const saved = org.insert(conversation, { ns__Conversation_Key__c: 'k', OwnerId: queue });
    if (!('id' in saved)) throw new Error('conversation not created');
    expect(org.update(conversation, saved.id, { OwnerId: rep })).toEqual({ id: saved.id });
    expect(org.update(conversation, saved.id, { OwnerId: newId('005') })).toEqual({ errors: [expect.objectContaining({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'] })] });
    expect(org.object('ns__WhatsApp_Message__c')!.fields.has('ownerid')).toBe(false);
    expect(org.insert(org.object('Task')!, { Subject: 'x', Priority: 'Urgent' })).toEqual({ errors: [expect.objectContaining({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' })] });
    const task = org.insert(org.object('Task')!, { Subject: 'x', OwnerId: rep });
    expect('id' in task && org.find(org.object('Task')!, task.id)).toMatchObject({ Priority: 'Normal', OwnerId: rep });
  } finally {
    await fake.stop();
  }
});

/**
 * Routing, missed response targets and bot handoffs (issue 7 items 2, 5 and 4) reaching Salesforce: rules through the admin API,
 * customers writing through webhooks, one org with Cases (A) and one without (B).
 */
describe('Salesforce: routed conversations and overdue replies', () => {
  const billingQueue = newId('00G');
  const salesRep = newId('005');
  const accountOwner = newId('005');
  let world: SalesforceWorld;
  let orgA: string;
  let orgB: string;
  let orgC: string;
  const installations: string[] = [];

  beforeAll(async () => {
    const org = { queueIds: [billingQueue], otherUserIds: [salesRep, accountOwner] };
    world = await startSalesforceWorld({ orgs: [{ ...org, caseOrigins: ['Phone', 'WhatsApp'] }, org, { ...org, caseOrigins: ['WhatsApp'] }] });
    [orgA = '', orgB = '', orgC = ''] = world.orgIds;
    installations.push(await world.install(orgA, { config: { phoneNumberId: fixtureNumber.phoneNumberId, cases: { enabled: true, origin: 'WhatsApp', reopenWithinDays: 7 } } }));
    installations.push(await world.install(orgB, { config: { phoneNumberId: fixtureNumber.phoneNumberId } }));
    // Cases for customers no Contact or Lead matches, and no Leads: the Case alone carries the conversation.
    installations.push(await world.install(orgC, { config: { phoneNumberId: fixtureNumber.phoneNumberId, createLeads: false, cases: { enabled: true, origin: 'WhatsApp', reopenWithinDays: 7 } } }));
    const rule = (kind: string, definition: unknown) => world.rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
    expect((await rule('teams', { teams: [
      { key: 'billing', name: 'Billing', salesforce: { queueId: billingQueue } },
      { key: 'sales', name: 'Sales', salesforce: { ownerId: salesRep } },
      { key: 'support', name: 'Support' },
    ] })).status).toBe(201);
    expect((await rule('keyword_routes', { routes: [{ keywords: ['invoice'], team: 'billing' }, { keywords: ['quote'], team: 'sales' }, { keywords: ['help'], team: 'support' }] })).status).toBe(201);
    expect((await rule('sla', { firstResponseMinutes: 5, businessHoursOnly: false })).status).toBe(201);
  });
  afterAll(async () => world?.close());
  let handOff: ReturnType<typeof botHandoff>;
  beforeAll(() => {
    handOff = botHandoff(world.rt);
  });

  const org = (orgId: string) => world.salesforce.state.org(orgId);
  const contactIn = (orgId: string, e164: string) => {
    const saved = org(orgId).insert(org(orgId).object('Contact')!, { LastName: `Customer ${e164}`, OwnerId: accountOwner, threadline__WhatsApp_E164__c: e164 });
    if (!('id' in saved)) throw new Error(`contact not created: ${JSON.stringify(saved.errors)}`);
    return saved.id;
  };
  const conversationRecordOf = (orgId: string, caseOrPerson: (c: SfRecord) => boolean) => records(world, orgId, 'WhatsApp_Conversation__c').find(caseOrPerson);
  const outbox = (conversationId: string, type: string) => world.rt.db('sync_outbox').where({ conversation_id: conversationId, type }).select('id', 'installation_id', 'state', 'last_error');
  const overdue = (orgId: string, whoId: string | undefined, by: 'WhoId' | 'WhatId' = 'WhoId') => org(orgId).all('Task').filter((t) => t[by] === whoId && t.Subject === 'WhatsApp reply overdue');
  const allDelivered = async (conversationId: string, type: string) => {
    const rows = await outbox(conversationId, type);
    return rows.length === installations.length && rows.every((r) => r.state === 'delivered');
  };
  const breachNow = async (conversationId: string) => {
    await world.rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: world.rt.db.fn.now() });
    expect(await world.rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: world.rt.db.fn.now() })).toBe(1);
    await waitFor(() => allDelivered(conversationId, 'conversation.sla_breached'), 'the breach delivered to both orgs');
  };

  test('a customer routed by keyword lands in the team’s place: the Case’s queue, or the conversation record’s owner without Cases', async () => {
    const contactA = contactIn(orgA, '+351912000001');
    const contactB = contactIn(orgB, '+351912000001');
    await customerWrites(world, { from: '351912000001', wamid: 'wamid.SF_ROUTE_1', body: 'Where is my invoice?', secondsAgo: 5 });
    await syncedMessage(world, orgA, 'wamid.SF_ROUTE_1');
    const conversationId = await conversationOf(world, '351912000001');
    await waitFor(() => allDelivered(conversationId, 'conversation.routed'), 'the route delivered to both orgs');

    const caseA = org(orgA).all('Case').find((c) => c.ContactId === contactA);
    expect(caseA?.OwnerId).toBe(billingQueue);
    // The conversation record keeps its owner where the Case carries the route.
    expect(conversationRecordOf(orgA, (c) => field(world, c, 'Case__c') === caseA?.Id)?.OwnerId).toBe(org(orgA).userId);
    expect(conversationRecordOf(orgB, (c) => field(world, c, 'Contact__c') === contactB)?.OwnerId).toBe(billingQueue);

    // A team with no Salesforce place leaves everything as it is, and says why.
    await customerWrites(world, { from: '351912000009', wamid: 'wamid.SF_ROUTE_9', body: 'help please', secondsAgo: 5 });
    await syncedMessage(world, orgB, 'wamid.SF_ROUTE_9');
    const unplaced = await conversationOf(world, '351912000009');
    await waitFor(async () => (await outbox(unplaced, 'conversation.routed')).filter((r) => r.state === 'skipped').length === installations.length, 'the route skipped');
    expect((await outbox(unplaced, 'conversation.routed'))[0]?.last_error).toBe('team support has no Salesforce queue or owner');
  });

  test('a missed response target is one Task for the owner, once, even when the batch is delivered again', async () => {
    const today = new Date().toISOString().slice(0, 10);
    // Routed to a person: the Case (A) and the conversation record (B) are theirs, and so is the Task.
    const contactA = contactIn(orgA, '+351912000002');
    await customerWrites(world, { from: '351912000002', wamid: 'wamid.SF_SLA_2', body: 'Can I get a quote?', secondsAgo: 5 });
    await syncedMessage(world, orgB, 'wamid.SF_SLA_2');
    const routedToRep = await conversationOf(world, '351912000002');
    await waitFor(() => allDelivered(routedToRep, 'conversation.routed'), 'the route');
    const caseA = org(orgA).all('Case').find((c) => c.ContactId === contactA);
    const leadB = org(orgB).all('Lead').find((l) => l.MobilePhone === '+351912000002');
    expect(caseA?.OwnerId).toBe(salesRep);
    await breachNow(routedToRep);

    expect(overdue(orgA, contactA)).toEqual([expect.objectContaining({
      Status: 'Not Started', Priority: 'High', ActivityDate: today, WhatId: caseA?.Id, OwnerId: salesRep, TaskSubtype: 'Task',
      Description: expect.stringMatching(/^The customer has waited on WhatsApp since .+: the first response target.* was due at .+\n— Threadline tl:/),
    })]);
    // A Lead's Task names no other record (§3.2).
    expect(overdue(orgB, leadB?.Id)).toEqual([expect.objectContaining({ Status: 'Not Started', Priority: 'High', OwnerId: salesRep })]);
    expect(overdue(orgB, leadB?.Id)[0]?.WhatId ?? null).toBeNull();
    // No Contact or Lead: the Task is on the Case alone.
    const caseC = org(orgC).all('Case').find((c) => c.SuppliedPhone === '+351912000002');
    expect(overdue(orgC, caseC?.Id, 'WhatId')).toEqual([expect.objectContaining({ OwnerId: salesRep, Priority: 'High' })]);
    expect(overdue(orgC, caseC?.Id, 'WhatId')[0]?.WhoId ?? null).toBeNull();

    // Routed to a queue: the Task goes to the Contact's owner (a queue owning Tasks is not in the reference).
    await customerWrites(world, { from: '351912000001', wamid: 'wamid.SF_SLA_1', body: 'Still waiting', secondsAgo: 4 });
    await syncedMessage(world, orgA, 'wamid.SF_SLA_1');
    const routedToQueue = await conversationOf(world, '351912000001');
    await breachNow(routedToQueue);
    const contact1A = org(orgA).all('Contact').find((c) => c.threadline__WhatsApp_E164__c === '+351912000001');
    const contact1B = org(orgB).all('Contact').find((c) => c.threadline__WhatsApp_E164__c === '+351912000001');
    expect(overdue(orgA, contact1A?.Id)).toEqual([expect.objectContaining({ OwnerId: accountOwner, WhatId: expect.any(String) })]);
    expect(overdue(orgB, contact1B?.Id)).toEqual([expect.objectContaining({ OwnerId: accountOwner })]);

    // Delivered again with the same external ids (a retried batch, or one whose answer was lost): nothing new.
    const rows = await outbox(routedToRep, 'conversation.sla_breached');
    await world.rt.db('sync_outbox').whereIn('id', rows.map((r) => r.id)).update({ state: 'pending', delivered_at: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, installations, { delayMs: 0 });
    await waitFor(() => allDelivered(routedToRep, 'conversation.sla_breached'), 'the breach delivered again');
    expect(overdue(orgA, contactA)).toHaveLength(1);
    expect(overdue(orgB, leadB?.Id)).toHaveLength(1);
    expect(overdue(orgC, caseC?.Id, 'WhatId')).toHaveLength(1);
  });

  test('a bot\'s handoff is one Task "Bot handed over" with the reason and transcript for the Case\'s owner, once', async () => {
    const contactA = contactIn(orgA, '+351912000003');
    await customerWrites(world, { from: '351912000003', wamid: 'wamid.SF_BOT_3', body: 'I need a quote, a person please', secondsAgo: 5 });
    await syncedMessage(world, orgA, 'wamid.SF_BOT_3');
    const conversationId = await conversationOf(world, '351912000003');
    await waitFor(() => allDelivered(conversationId, 'conversation.routed'), 'the route');
    await handOff(conversationId, 'Asked for a person');
    // Two events per org: the admin's hand-to-bot (nothing to show: skipped) and the bot's handoff (delivered).
    const handoffs = async () => (await outbox(conversationId, 'conversation.handoff')).map((r) => r.state).sort().join() === [...installations.map(() => 'delivered'), ...installations.map(() => 'skipped')].join();
    await waitFor(handoffs, 'both handoff events settled in every org');
    const caseA = org(orgA).all('Case').find((c) => c.ContactId === contactA);
    const handedOver = () => org(orgA).all('Task').filter((t) => t.WhoId === contactA && t.Subject === 'Bot handed over');
    expect(handedOver()).toEqual([expect.objectContaining({
      Status: 'Not Started', Priority: 'Normal', WhatId: caseA?.Id, OwnerId: salesRep,
      Description: expect.stringMatching(/^Bot handed over: Asked for a person\n\nTranscript \(UTC\):\n\d\d:\d\d customer: I need a quote, a person please\n[^]*— Threadline tl:/),
    })]);

    const rows = await outbox(conversationId, 'conversation.handoff');
    await world.rt.db('sync_outbox').whereIn('id', rows.map((r) => r.id)).update({ state: 'pending', delivered_at: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, installations, { delayMs: 0 });
    await waitFor(handoffs, 'the handoff delivered again');
    expect(handedOver()).toHaveLength(1);
  });
});
