import { fixtureNumber } from '../fakes/meta/meta-fake';
import { newId } from '../fakes/salesforce/ids';
import { followUpTrigger, type FollowUpTrigger } from '../support/follow-up-trigger';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { customerWrites, messageRecord, syncedMessage } from './sync-helpers';

jest.setTimeout(90_000);

/** Issue 7 item 7 on Salesforce: a trigger's template nobody answers becomes a Task for the Contact's owner. */
describe('Salesforce: a trigger\'s follow-up as a Task', () => {
  const accountOwner = newId('005');
  let world: SalesforceWorld;
  let orgId: string;
  let installationId: string;
  let trigger: FollowUpTrigger;

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{ otherUserIds: [accountOwner] }] });
    orgId = world.orgIds[0] ?? '';
    installationId = await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    trigger = await followUpTrigger(world.rt, world.meta);
  });
  afterAll(async () => world?.close());

  const org = () => world.salesforce.state.org(orgId);
  const contactFor = (e164: string) => {
    const saved = org().insert(org().object('Contact')!, { LastName: `Customer ${e164}`, OwnerId: accountOwner, threadline__WhatsApp_E164__c: e164 });
    if (!('id' in saved)) throw new Error(`contact not created: ${JSON.stringify(saved.errors)}`);
    return saved.id;
  };
  const followUpTasks = (whoId: string) => org().all('Task').filter((t) => t.WhoId === whoId && t.Subject === 'WhatsApp follow-up due');
  const templateSynced = (messageId: string) => waitFor(async () => messageRecord(world, orgId, messageId) !== undefined, 'the template in Salesforce');

  test('no answer: one Task for the Contact\'s owner naming the template, found again when delivered twice', async () => {
    const contactId = contactFor('+351913000001');
    const messageId = await trigger.call('+351913000001');
    await templateSynced(messageId);

    await trigger.runFollowUp(messageId);
    await waitFor(async () => (await trigger.followUpEvents(messageId, installationId))[0]?.state === 'delivered', 'the follow-up delivered');
    expect(followUpTasks(contactId)).toEqual([expect.objectContaining({
      Status: 'Not Started', Priority: 'Normal', OwnerId: accountOwner,
      Description: expect.stringMatching(/^The customer has not answered the WhatsApp template shipping_update \(trigger order-shipped\) sent at .+: follow up with them\.\n— Threadline /),
    })]);

    await world.rt.db('sync_outbox').where({ installation_id: installationId, type: 'conversation.follow_up_due' }).update({ state: 'pending', delivered_at: null });
    await customerWrites(world, { from: '351913000002', wamid: 'wamid.SF_FOLLOW_UP_WAKE', body: 'Hi' });
    await syncedMessage(world, orgId, 'wamid.SF_FOLLOW_UP_WAKE');
    await waitFor(async () => (await trigger.followUpEvents(messageId, installationId))[0]?.state === 'delivered', 'the follow-up delivered again');
    expect(followUpTasks(contactId)).toHaveLength(1);
  });

  test('the customer answers first: no follow-up event and no Task', async () => {
    const contactId = contactFor('+351913000003');
    const messageId = await trigger.call('+351913000003');
    await templateSynced(messageId);
    await customerWrites(world, { from: '351913000003', wamid: 'wamid.SF_FOLLOW_UP_ANSWER', body: 'Thanks!', secondsAgo: 0 });
    await syncedMessage(world, orgId, 'wamid.SF_FOLLOW_UP_ANSWER');

    await trigger.runFollowUp(messageId);
    expect(await trigger.followUpEvents(messageId, installationId)).toEqual([]);
    expect(followUpTasks(contactId)).toEqual([]);
  });
});
