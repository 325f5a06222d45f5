import { overdueTask, taskProperties } from '../../connectors/hubspot/timeline/automation-events';
import { deliverToHubSpot } from '../../connectors/hubspot/timeline/deliver-to-hubspot';
import { createLogger } from '../../core/observability/logger';
import { exclusiveFor } from '../../core/sync/deliver-installation';
import { loadLinks } from '../../core/sync/external-links';
import { toSyncEvent, type OutboxRow } from '../../core/sync/outbox-row';
import { wakeSync } from '../../core/sync/wake-sync';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { botHandoff } from '../support/bot-handoff';
import type { CrmRecord } from '../fakes/hubspot/hubspot-fake';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from './hubspot-world';
import { customerWrites, loggedMessage } from './timeline-helpers';

jest.setTimeout(90_000);

const PORTAL = 62515;

/** Issue 7 on HubSpot: rules saved through the admin API, customers writing through Meta's webhook, the portal checked. */
describe('HubSpot: routed conversations, missed response targets and bot handoffs', () => {
  let world: HubSpotWorld;
  let installationId: string;
  let handOff: ReturnType<typeof botHandoff>;

  beforeAll(async () => {
    world = await startHubSpotWorld();
    handOff = botHandoff(world.rt);
    installationId = await world.install(PORTAL, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    const teams = { teams: [{ key: 'billing', name: 'Billing', hubspot: { ownerId: '5001' } }, { key: 'support', name: 'Support' }] };
    expect((await putRule('teams', teams)).status).toBe(201);
    expect((await putRule('keyword_routes', { routes: [{ keywords: ['invoice'], team: 'billing' }] })).status).toBe(201);
    expect((await putRule('sla', { firstResponseMinutes: 5, businessHoursOnly: false })).status).toBe(201);
  });
  afterAll(async () => world.close());

  const putRule = (kind: string, definition: unknown) => world.rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
  const portal = () => world.hubspot.state.portal(PORTAL);
  const contactOfMessage = async (wamid: string): Promise<CrmRecord> => {
    const logged = await loggedMessage(world, portal(), wamid);
    const contact = portal().get('contacts', portal().associatedIds('communications', logged.id, 'contacts')[0] ?? '');
    if (!contact) throw new Error(`no contact for ${wamid}`);
    return contact;
  };
  const routedNotes = (contactId: string) => portal().communications
    .filter((c) => portal().associatedIds('communications', c.id, 'contacts').includes(contactId) && /routed to/.test(c.properties.hs_communication_body ?? ''));
  const tasksOf = (contactId: string) => portal().tasks.filter((t) => portal().associatedIds('tasks', t.id, 'contacts').includes(contactId));
  const conversationOf = async (waId: string): Promise<string> => {
    const row: { id: string } = await world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where({ 'k.wa_id': waId }).first('c.id');
    return row.id;
  };
  /** Five minutes pass without an answer: the timer is due and its job runs now. */
  const missTarget = async (conversationId: string) => {
    await world.rt.db('sla_timer').where({ conversation_id: conversationId, state: 'running' }).update({ due_at: world.rt.db.fn.now() });
    expect(await world.rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: world.rt.db.fn.now() })).toBe(1);
  };
  const routedDelivered = (waId: string) => async () => (await world.rt.db('sync_outbox')
    .where({ installation_id: installationId, conversation_id: await conversationOf(waId), type: 'conversation.routed' }).first('state'))?.state === 'delivered';
  const breachRow = (conversationId: string) => world.rt.db('sync_outbox').where({ installation_id: installationId, conversation_id: conversationId, type: 'conversation.sla_breached' }).first();

  test('a customer routed by keyword gets the team\'s owner on their contact and a line on the timeline', async () => {
    await customerWrites(world, { from: '4917600000101', wamid: 'wamid.HS_ROUTE_1', body: 'Where is my invoice?' });
    const contact = await contactOfMessage('wamid.HS_ROUTE_1');
    await waitFor(routedDelivered('4917600000101'), 'the routing delivered');
    expect(routedNotes(contact.id)).toHaveLength(1);
    expect(portal().get('contacts', contact.id)?.properties.hubspot_owner_id).toBe('5001');
    expect(routedNotes(contact.id)[0]?.properties).toMatchObject({
      hs_communication_body: '<em>WhatsApp conversation routed to Billing (keyword)</em>', hs_communication_channel_type: 'WHATS_APP',
    });
  });

  test('a contact a person already gave an owner keeps it (routingOwner if_unowned), and is still told the team', async () => {
    const seeded = portal().create('contacts', { phone: '+4917600000102', hubspot_owner_id: '7777' }, { indexed: true });
    await customerWrites(world, { from: '4917600000102', wamid: 'wamid.HS_ROUTE_2', body: 'invoice please' });
    expect((await contactOfMessage('wamid.HS_ROUTE_2')).id).toBe(seeded.id);
    await waitFor(routedDelivered('4917600000102'), 'the routing delivered');
    expect(routedNotes(seeded.id)).toHaveLength(1);
    expect(portal().get('contacts', seeded.id)?.properties.hubspot_owner_id).toBe('7777');
  });

  test('a missed first-response target becomes one task for the contact\'s owner, however often the batch is retried', async () => {
    await customerWrites(world, { from: '4917600000103', wamid: 'wamid.HS_SLA_1', body: 'My invoice is wrong', name: 'Ana Lima', secondsAgo: 5 });
    const contact = await contactOfMessage('wamid.HS_SLA_1');
    await waitFor(routedDelivered('4917600000103'), 'the routing delivered');
    const conversationId = await conversationOf('4917600000103');
    await missTarget(conversationId);
    await waitFor(async () => (await breachRow(conversationId))?.state === 'delivered', 'the breach delivered');

    const [task, ...others] = tasksOf(contact.id);
    expect(others).toHaveLength(0);
    expect(task?.properties).toMatchObject({ hs_task_subject: 'WhatsApp reply overdue', hubspot_owner_id: '5001', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH' });
    // Routed by its first message ("invoice"), so the breach names the team.
    expect(task?.properties.hs_task_body).toMatch(/^Ana Lima, \+4917600000103 has waited \d+ min on WhatsApp for a first reply from billing: since \d{4}-\d\d-\d\d \d\d:\d\d UTC, due by .+ UTC\.$/);
    expect(Math.abs(Date.parse(task?.properties.hs_timestamp ?? '') - Date.now())).toBeLessThan(60_000);

    // Replayed (the event pending again, its links read afresh): the task's link says it is made.
    await world.rt.db('sync_outbox').where({ id: (await breachRow(conversationId)).id }).update({ state: 'pending', delivered_at: null });
    await customerWrites(world, { from: '4917600000103', wamid: 'wamid.HS_SLA_2', body: 'Hello?' });
    await loggedMessage(world, portal(), 'wamid.HS_SLA_2');
    await waitFor(async () => (await breachRow(conversationId))?.state === 'delivered', 'the replay delivered');
    expect(tasksOf(contact.id)).toHaveLength(1);

    // Retried with links read before the first attempt committed (a batch retried, or a second worker): the lock's read finds the task.
    const row: OutboxRow = { ...(await breachRow(conversationId)), phone_number_id: fixtureNumber.phoneNumberId };
    const links = await loadLinks(world.rt.db, world.rt.workspace.id, installationId, [conversationId]);
    const stale = Object.fromEntries(Object.entries(links.get(`conversation:${conversationId}`) ?? {}).filter(([type]) => !type.startsWith('hubspot_sla_task')));
    const event = toSyncEvent(row, new Map([[`conversation:${conversationId}`, stale]]));
    if (!event) throw new Error('no event');
    const ctx = { logger: createLogger({ level: 'silent' }), signal: AbortSignal.timeout(10_000), exclusive: exclusiveFor(world.rt.db, world.rt.workspace.id, installationId) };
    const outcome = await deliverToHubSpot(await world.installation(installationId), [event, event], ctx);
    expect(outcome).toEqual({ ok: true, results: [{ status: 'delivered', links: [] }, { status: 'delivered', links: [] }] });
    expect(tasksOf(contact.id)).toHaveLength(1);
  });

  test('a bot\'s handoff is one escaped note on the contact\'s timeline with the reason and the transcript, even when delivered again', async () => {
    await customerWrites(world, { from: '4917600000104', wamid: 'wamid.HS_BOT_1', body: 'Fish & <chips>?' });
    const contact = await contactOfMessage('wamid.HS_BOT_1');
    const conversationId = await conversationOf('4917600000104');
    await handOff(conversationId, 'Asked for a person');
    const handoffRow = () => world.rt.db('sync_outbox').where({ installation_id: installationId, conversation_id: conversationId, type: 'conversation.handoff' }).orderBy('id', 'desc').first('id', 'state');
    await waitFor(async () => (await handoffRow())?.state === 'delivered', 'the handoff delivered');
    const notes = () => portal().communications
      .filter((c) => portal().associatedIds('communications', c.id, 'contacts').includes(contact.id) && /Bot handed over/.test(c.properties.hs_communication_body ?? ''));
    expect(notes()).toHaveLength(1);
    expect(notes()[0]?.properties.hs_communication_body).toMatch(/^Bot handed over: Asked for a person<br><br>Transcript \(UTC\):<br>\d\d:\d\d customer: Fish &amp; &lt;chips&gt;\?$/);

    const row = await handoffRow();
    await world.rt.db('sync_outbox').where({ id: row?.id }).update({ state: 'pending', delivered_at: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, [installationId], { delayMs: 0 });
    await waitFor(async () => (await handoffRow())?.state === 'delivered', 'the handoff delivered again');
    expect(notes()).toHaveLength(1);
  });

  test('a breach in a conversation with no message on a HubSpot contact is skipped with the reason', async () => {
    await customerWrites(world, { from: '4917600000104', wamid: 'wamid.HS_SLA_NONE', body: 'Hi' });
    await contactOfMessage('wamid.HS_SLA_NONE');
    const conversationId = await conversationOf('4917600000104');
    // As for a conversation logged before conversations were linked to contacts (once the delivery has saved its links).
    const conversationLink = () => world.rt.db('external_link').where({ installation_id: installationId, entity_type: 'conversation', entity_id: conversationId }).first('id');
    await waitFor(async () => (await conversationLink()) !== undefined, 'the conversation linked to its contact');
    await world.rt.db('external_link').where({ installation_id: installationId, entity_type: 'conversation', entity_id: conversationId }).delete();
    const tasksBefore = portal().tasks.length;
    await missTarget(conversationId);
    await waitFor(async () => (await breachRow(conversationId))?.state === 'skipped', 'the breach skipped');
    expect((await breachRow(conversationId)).last_error).toBe('no message of the conversation is on a HubSpot contact yet');
    expect(portal().tasks).toHaveLength(tasksBefore);
  });
});

test('a task says who waits, how long, for which team and how late; without an owner it is left unassigned', () => {
  const breach = { kind: 'next_response' as const, team: 'billing', startedAt: '2026-11-20T10:00:00Z', dueAt: '2026-11-20T10:10:00Z' };
  const breachedAt = new Date('2026-11-20T11:25:00Z');
  const properties = taskProperties(overdueTask(breach, breachedAt), { firstname: 'Ana <Lima>', lastname: null, phone: null }, undefined, breachedAt);
  expect(properties).toEqual({
    hs_task_subject: 'WhatsApp reply overdue', hs_timestamp: '2026-11-20T11:25:00.000Z', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO',
    hs_task_body: 'Ana &lt;Lima&gt; has waited 1 h 25 min on WhatsApp for a next reply from billing: since 2026-11-20 10:00 UTC, due by 2026-11-20 10:10 UTC, 1 h 15 min late.',
  });
});
