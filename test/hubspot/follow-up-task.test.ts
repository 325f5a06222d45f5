import { fixtureNumber } from '../fakes/meta/meta-fake';
import { followUpTrigger, type FollowUpTrigger } from '../support/follow-up-trigger';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from './hubspot-world';
import { communicationOf, customerWrites, loggedMessage } from './timeline-helpers';

jest.setTimeout(90_000);

const PORTAL = 62515;

/** Issue 7 item 7 on HubSpot: a trigger's template nobody answers becomes a task for the contact's owner. */
describe('HubSpot: a trigger\'s follow-up as a task', () => {
  let world: HubSpotWorld;
  let installationId: string;
  let trigger: FollowUpTrigger;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    installationId = await world.install(PORTAL, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    trigger = await followUpTrigger(world.rt, world.meta);
  });
  afterAll(async () => world?.close());

  const portal = () => world.hubspot.state.portal(PORTAL);
  const tasksOf = (contactId: string) => portal().tasks.filter((t) => portal().associatedIds('tasks', t.id, 'contacts').includes(contactId));
  /** The template on the contact's timeline: the conversation is linked to the contact from then on. */
  const templateLogged = (messageId: string) => waitFor(async () => communicationOf(portal(), messageId).length === 1, 'the template on the timeline');

  test('no answer: one task for the contact\'s owner naming the template, no reminder sent, and a job run again adds nothing', async () => {
    const seeded = portal().create('contacts', { phone: '+4917600000201', firstname: 'Ana', hubspot_owner_id: '7777' }, { indexed: true });
    const messageId = await trigger.call('+4917600000201');
    await templateLogged(messageId);

    await trigger.runFollowUp(messageId);
    await waitFor(async () => (await trigger.followUpEvents(messageId, installationId))[0]?.state === 'delivered', 'the follow-up delivered');
    const [task, ...others] = tasksOf(seeded.id);
    expect(others).toEqual([]);
    expect(task?.properties).toMatchObject({
      hs_task_subject: 'WhatsApp follow-up due', hubspot_owner_id: '7777', hs_task_status: 'NOT_STARTED', hs_task_priority: 'MEDIUM',
      hs_task_body: expect.stringMatching(/^Ana, \+4917600000201 has not answered the WhatsApp template shipping_update \(trigger order-shipped\) sent \d{4}-\d\d-\d\d \d\d:\d\d UTC: follow up with them\.$/),
    });
    expect(world.meta.state.sent.filter((m) => m.waId === '4917600000201')).toHaveLength(1);

    await trigger.repeatFollowUp(messageId);
    expect(await trigger.followUpEvents(messageId, installationId)).toHaveLength(1);
    expect(tasksOf(seeded.id)).toHaveLength(1);
  });

  test('the customer answers first: no follow-up event and no task', async () => {
    const messageId = await trigger.call('+4917600000202');
    await templateLogged(messageId);
    await customerWrites(world, { from: '4917600000202', wamid: 'wamid.HS_FOLLOW_UP_ANSWER', body: 'Thanks!', secondsAgo: 0 });
    const answer = await loggedMessage(world, portal(), 'wamid.HS_FOLLOW_UP_ANSWER');

    await trigger.runFollowUp(messageId);
    expect(await trigger.followUpEvents(messageId, installationId)).toEqual([]);
    const contactId = portal().associatedIds('communications', answer.id, 'contacts')[0] ?? '';
    expect(tasksOf(contactId)).toEqual([]);
  });
});
