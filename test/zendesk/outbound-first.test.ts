import { threadIdFor } from '../../connectors/zendesk/map-event-to-resource';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { FakeComment, FakeTicket } from '../fakes/zendesk/fake-account';
import { FAKE_API_KEY, fakePlatform } from '../sync/sync-harness';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskWorld } from './zendesk-world';

/**
 * A conversation whose first message on a Zendesk account is the business's (a template a CRM sent to someone
 * who never wrote, or the admin API writing to a customer from before the account was connected): the ticket
 * must still be the customer's (requester `whatsapp:<wa_id>`), with the message as its sender's comment.
 */
describe('Zendesk tickets of conversations the business starts', () => {
  let world: ZendeskWorld;
  let crm: FakePlatform;
  let crmInstallation = '';
  const orderUpdate = { type: 'template' as const, name: 'order_update', language: 'en_US', parameters: ['Nova'] };

  const conversationOf = async (waId: string): Promise<string> =>
    (await world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where({ 'k.wa_id': waId }).first('c.id')).id;
  const ticketOf = (account: string, conversationId: string): FakeTicket | undefined => world.account(account).ticketForThread(threadIdFor(conversationId));
  const authorOf = (account: string, comment: FakeComment | undefined) => world.account(account).users.get(comment?.author_id ?? 0);
  const publicComments = (account: string, ticket: FakeTicket | undefined) => world.account(account).commentsOf(ticket?.id ?? 0).filter((c) => c.public);
  const ticketWithComment = (account: string, conversationId: string) => waitFor(() => publicComments(account, ticketOf(account, conversationId)).length > 0, `the message on a ${account} ticket`);

  beforeAll(async () => {
    world = await startZendeskWorld({ accounts: ['acme', 'globex'], otherConnectors: [testConnector] });
    await world.install('acme', { credentials: authorisedPair(world.account('acme')) });
    crm = await fakePlatform();
    const res = await world.rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
      connector: 'test-platform', account_id: 'crm', config: { baseUrl: crm.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: 'secret-crm' },
    });
    expect(res.status).toBe(201);
    crmInstallation = res.body.id;
    await world.rt.db('template').insert({
      workspace_id: world.rt.workspace.id, waba_id: fixtureNumber.wabaId, meta_template_id: '90001', name: 'order_update', language: 'en_US', category: 'UTILITY',
      status: 'APPROVED', parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: 'Hello {{1}}' }]),
    });
  });
  afterAll(async () => {
    await world?.close();
    await crm?.stop();
  });

  /**
   * The ticket's requester is the customer, with their phone identity (set up before the push); its first public
   * comment is the sender's; it was opened by one private note in the customer's name saying so.
   */
  function expectCustomersTicket(account: string, ticket: FakeTicket | undefined, waId: string, sender: RegExp): void {
    const zendesk = world.account(account);
    const requester = zendesk.users.get(ticket?.requester_id ?? 0);
    expect(requester).toMatchObject({ external_id: `whatsapp:${waId}` });
    expect([...zendesk.users.values()].filter((u) => u.external_id === `whatsapp:${waId}`)).toHaveLength(1);
    expect([...zendesk.identities.values()].filter((i) => i.user_id === requester?.id && i.type === 'phone_number')).toHaveLength(1);
    const comments = zendesk.commentsOf(ticket?.id ?? 0);
    expect(comments[0]).toMatchObject({ public: false, body: expect.stringContaining('the business wrote first') });
    expect(comments.filter((c) => !c.public)).toHaveLength(1);
    const [first] = publicComments(account, ticket);
    expect(authorOf(account, first)?.external_id).toMatch(sender);
    expect(authorOf(account, first)?.id).not.toBe(requester?.id);
  }

  it('a template another platform sends to someone who never wrote opens a ticket whose requester is the customer', async () => {
    const NOVA = '4915120007001';
    const sent = await sendFromPlatform({ db: world.rt.db })({
      workspaceId: world.rt.workspace.id, originInstallationId: crmInstallation, idempotencyKey: 'crm-flow-1',
      author: { platform: 'test-platform', id: 'agent-7', name: 'Ana' }, to: { waId: NOVA, phoneNumberId: fixtureNumber.phoneNumberId }, message: orderUpdate,
    });
    expect(sent).toMatchObject({ ok: true });
    const conversationId = await conversationOf(NOVA);
    await ticketWithComment('acme', conversationId);
    expectCustomersTicket('acme', ticketOf('acme', conversationId), NOVA, /^threadline-agent:test-platform:agent-7$/);

    // The customer answers: same ticket, their comment, and nothing opened twice.
    await world.customerWrites({ from: NOVA, wamid: 'wamid.ZD_NOVA_1', body: 'Thanks! When does it come?' });
    const { ticketId } = await world.pushedResource('acme', 'wamid.ZD_NOVA_1');
    expect(ticketId).toBe(ticketOf('acme', conversationId)?.id);
    const reply = world.account('acme').commentsOf(ticketId).find((c) => c.external_id === 'wa:wamid.ZD_NOVA_1');
    expect(authorOf('acme', reply)?.id).toBe(ticketOf('acme', conversationId)?.requester_id);
    expect(world.account('acme').commentsOf(ticketId).filter((c) => !c.public)).toHaveLength(1);
  });

  it('an admin API template to a customer who wrote before the account was connected: the same', async () => {
    const OLAF = '4915120007002';
    await world.customerWrites({ from: OLAF, wamid: 'wamid.ZD_OLAF_0', body: 'Hello' });
    await world.pushedResource('acme', 'wamid.ZD_OLAF_0');
    // globex is connected after Olaf wrote: the first it hears of his conversation is the admin's template.
    await world.install('globex', { credentials: authorisedPair(world.account('globex')) });
    const conversationId = await conversationOf(OLAF);
    const res = await world.rt.http().post(`/api/v1/conversations/${conversationId}/messages`).set('authorization', ADMIN_AUTH)
      .set('idempotency-key', 'zd-olaf-1').send({ type: 'template', name: 'order_update', language: 'en_US', body: [{ type: 'text', text: 'Olaf' }] });
    expect(res.status).toBeLessThan(300);
    await ticketWithComment('globex', conversationId);
    expectCustomersTicket('globex', ticketOf('globex', conversationId), OLAF, /^threadline-agent:/);
    expect(world.pushed('globex', 'wamid.ZD_OLAF_0')).toBe(false);
  });
});
