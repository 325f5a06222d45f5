import { wakeSync } from '../../core/sync/wake-sync';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { botHandoff } from '../support/bot-handoff';
import type { FakeTicket } from '../fakes/zendesk/fake-account';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskAccountInstall, type ZendeskWorld } from './zendesk-world';

/**
 * Issue 7 items 2, 4 and 5 on Zendesk: a routed conversation lands in its team's group with its tags, a missed
 * response target raises the ticket's priority and tags it, and a bot's handoff leaves an internal note, each once
 * however often the event is delivered.
 */
describe('Zendesk: routed, breached and handed-off conversations', () => {
  const billingGroup = 360000004242;
  let world: ZendeskWorld;
  let acme: ZendeskAccountInstall;

  const putRule = (kind: string, definition: unknown) => world.rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
  const conversationOf = async (waId: string): Promise<string> => (await world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where('k.wa_id', waId).first('c.id')).id;
  const outbox = (conversationId: string, type: string) => world.rt.db('sync_outbox').where({ installation_id: acme.installationId, conversation_id: conversationId, type }).orderBy('id', 'desc').first('id', 'state', 'last_error'); // the latest: a handoff follows the hand-to-bot
  /** The ticket of a message, once the push's event callback has linked it (what the ticket changes need). */
  const ticketOf = async (wamid: string): Promise<FakeTicket> => {
    const { ticketId } = await world.pushedResource('acme', wamid);
    await waitFor(async () => (await world.rt.db('external_link').where({ installation_id: acme.installationId, external_type: 'zendesk_ticket', external_id: String(ticketId) }).first('id')) !== undefined, 'the ticket link');
    const ticket = world.account('acme').tickets.get(ticketId);
    if (!ticket) throw new Error(`no ticket ${ticketId}`);
    return ticket;
  };
  /** Waits for an event's outcome, ending the backoff of one that waited for its ticket instead of sitting it out. */
  const settled = (conversationId: string, type: string) => waitFor(async () => {
    const row = await outbox(conversationId, type);
    if (row?.state !== 'pending') return row !== undefined;
    await world.rt.db('sync_outbox').where({ id: row.id }).whereNotNull('not_before').update({ not_before: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, [acme.installationId], { delayMs: 0 });
    return false;
  }, `${type} delivered to Zendesk`);
  const handOff = (conversationId: string, reason: string) => handOffOnce(conversationId, reason);
  let handOffOnce: ReturnType<typeof botHandoff>;
  const ticketPuts = (ticketId: number) => world.zendesk.state.requests.filter((r) => r.subdomain === 'acme' && r.method === 'PUT' && r.path === `/api/v2/tickets/${ticketId}`);

  beforeAll(async () => {
    world = await startZendeskWorld();
    handOffOnce = botHandoff(world.rt);
    world.account('acme').groups.add(billingGroup);
    acme = await world.install('acme', { eventCallbacks: true, config: { tags: ['whatsapp'] }, credentials: authorisedPair(world.account('acme')) });
    expect((await putRule('teams', { teams: [{ key: 'support', name: 'Support' }, { key: 'billing', name: 'Billing', zendesk: { groupId: billingGroup, tags: ['billing', 'finance'] } }] })).status).toBe(201);
    expect((await putRule('keyword_routes', { routes: [{ keywords: ['invoice'], team: 'billing' }, { keywords: ['broken'], team: 'support' }] })).status).toBe(201);
    expect((await putRule('sla', { firstResponseMinutes: 5, businessHoursOnly: false })).status).toBe(201);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a customer routed by keyword lands in the team\'s group with its tags, the ticket\'s own tags kept', async () => {
    await world.customerWrites({ from: '4915100000001', wamid: 'wamid.ZR_1', body: 'Where is my invoice for March?' });
    const ticket = await ticketOf('wamid.ZR_1');
    const conversationId = await conversationOf('4915100000001');
    await settled(conversationId, 'conversation.routed');
    expect(await outbox(conversationId, 'conversation.routed')).toMatchObject({ state: 'delivered' });
    expect(ticket).toMatchObject({ group_id: billingGroup, tags: ['whatsapp', 'billing', 'finance'], priority: null });
    expect(ticketPuts(ticket.id).map((r) => r.body)).toEqual([{ ticket: { tags: ['whatsapp', 'billing', 'finance'], group_id: billingGroup, safe_update: true, updated_stamp: expect.any(String) } }]);
  });

  it('a team with no Zendesk mapping changes nothing, and says so', async () => {
    await world.customerWrites({ from: '4915100000002', wamid: 'wamid.ZR_2', body: 'My phone is broken' });
    const ticket = await ticketOf('wamid.ZR_2');
    const conversationId = await conversationOf('4915100000002');
    await settled(conversationId, 'conversation.routed');
    expect(await outbox(conversationId, 'conversation.routed')).toMatchObject({ state: 'skipped', last_error: 'team support has no Zendesk group or tags' });
    expect(ticketPuts(ticket.id)).toEqual([]);
  });

  it('a missed first response raises the ticket to high and tags it, once, even when the event is delivered again', async () => {
    await world.customerWrites({ from: '4915100000003', wamid: 'wamid.ZR_3', body: 'Hello, anyone?' });
    const ticket = await ticketOf('wamid.ZR_3');
    ticket.priority = 'normal'; // as an agent left it
    const conversationId = await conversationOf('4915100000003');
    // Five minutes pass: the timer is due and its job runs now.
    await world.rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: world.rt.db.fn.now() });
    expect(await world.rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: world.rt.db.fn.now() })).toBe(1);
    await settled(conversationId, 'conversation.sla_breached');
    expect(await outbox(conversationId, 'conversation.sla_breached')).toMatchObject({ state: 'delivered' });
    expect(ticket).toMatchObject({ priority: 'high', tags: ['whatsapp', 'whatsapp_sla_breached'] });
    expect(ticketPuts(ticket.id)).toHaveLength(1);

    // The worker died after Zendesk answered, before the outcome was recorded: the event comes again.
    const row = await outbox(conversationId, 'conversation.sla_breached');
    await world.rt.db('sync_outbox').where({ id: row?.id }).update({ state: 'pending', delivered_at: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, [acme.installationId], { delayMs: 0 });
    await settled(conversationId, 'conversation.sla_breached');
    expect(await outbox(conversationId, 'conversation.sla_breached')).toMatchObject({ state: 'delivered' });
    expect(ticket).toMatchObject({ priority: 'high', tags: ['whatsapp', 'whatsapp_sla_breached'] });
    expect(ticketPuts(ticket.id)).toHaveLength(1);
  });

  it('a bot\'s handoff is one internal note with the reason and the transcript, as plain text, even when delivered again', async () => {
    await world.customerWrites({ from: '4915100000005', wamid: 'wamid.ZR_5', body: 'Can I <b>talk</b> to a human?' });
    const ticket = await ticketOf('wamid.ZR_5');
    const conversationId = await conversationOf('4915100000005');
    await handOff(conversationId, 'The customer asked for a person');
    await settled(conversationId, 'conversation.handoff');
    expect(await outbox(conversationId, 'conversation.handoff')).toMatchObject({ state: 'delivered' });
    const notes = () => world.account('acme').commentsOf(ticket.id).filter((c) => !c.public);
    expect(notes()).toHaveLength(1);
    expect(notes()[0]?.body).toMatch(/^Bot handed over: The customer asked for a person\n\nTranscript \(UTC\):\n\d\d:\d\d customer: Can I <b>talk<\/b> to a human\?$/);

    const row = await outbox(conversationId, 'conversation.handoff');
    await world.rt.db('sync_outbox').where({ id: row?.id }).update({ state: 'pending', delivered_at: null });
    await wakeSync(world.rt.db, world.rt.workspace.id, [acme.installationId], { delayMs: 0 });
    await settled(conversationId, 'conversation.handoff');
    expect(await outbox(conversationId, 'conversation.handoff')).toMatchObject({ state: 'delivered' });
    expect(notes()).toHaveLength(1);
  });

  it('a breach leaves an urgent ticket urgent, and an agent\'s change meanwhile is read again, not overwritten', async () => {
    await world.customerWrites({ from: '4915100000004', wamid: 'wamid.ZR_4', body: 'Hi' });
    const ticket = await ticketOf('wamid.ZR_4');
    ticket.priority = 'urgent';
    const conversationId = await conversationOf('4915100000004');
    // Between Threadline's read and its write an agent tags the ticket: the first safe update is refused with 409.
    world.account('acme').editAfterNextRead(ticket.id, (t) => t.tags.push('vip'));
    await world.rt.db('sla_timer').where({ conversation_id: conversationId }).update({ due_at: world.rt.db.fn.now() });
    await world.rt.db('graphile_worker._private_jobs').where({ key: `sla:${conversationId}` }).update({ run_at: world.rt.db.fn.now() });
    await settled(conversationId, 'conversation.sla_breached');
    expect(ticket).toMatchObject({ priority: 'urgent', tags: ['whatsapp', 'vip', 'whatsapp_sla_breached'] });
    expect(ticketPuts(ticket.id).map((r) => r.status)).toEqual([409, 200]);
  });
});
