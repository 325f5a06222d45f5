import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { deletionLog } from '../../fakes/zendesk/deletion-routes';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskAccountInstall, type ZendeskWorld } from '../../zendesk/zendesk-world';

jest.setTimeout(120_000);

describe('GDPR erasure of a contact whose conversation is a Zendesk ticket', () => {
  let world: ZendeskWorld;
  let acme: ZendeskAccountInstall;
  const CUSTOMER = '15550009001';

  beforeAll(async () => {
    world = await startZendeskWorld({ accounts: ['acme'] });
    acme = await world.install('acme', { credentials: authorisedPair(world.account('acme')), eventCallbacks: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  test('the ticket (with its comments) and the requester are deleted permanently, and the links dropped', async () => {
    await world.customerWrites({ from: CUSTOMER, wamid: 'wamid.PRIV_ZD_1', body: 'My card ends 4242' });
    const { ticketId } = await world.pushedResource('acme', 'wamid.PRIV_ZD_1');
    const contactId: string = (await world.rt.db('contact').where({ wa_id: CUSTOMER }).first('id')).id;
    const linkOf = async (type: string) => world.rt.db('external_link').where({ installation_id: acme.installationId, external_type: type }).first('external_id');
    await waitFor(async () => (await linkOf('zendesk_ticket')) !== undefined && (await linkOf('zendesk_user')) !== undefined, 'the ticket and requester links');
    const userId = Number((await linkOf('zendesk_user')).external_id);
    const account = world.account('acme');
    expect(account.commentsOf(ticketId).some((c) => c.body.includes('4242'))).toBe(true);

    expect((await world.rt.http().post(`/api/v1/contacts/${contactId}/erase`).set('authorization', ADMIN_AUTH)).status).toBe(202);
    const report = async () => (await world.rt.http().get(`/api/v1/contacts/${contactId}/erasure`).set('authorization', ADMIN_AUTH)).body;
    await waitFor(async () => (await report()).state === 'done', 'the erasure done', 20_000);

    expect((await report()).platforms[acme.installationId]).toMatchObject({
      connector: 'zendesk', account_id: 'acme', status: 'done', steps: ['permanently deleted 1 tickets', 'permanently deleted 1 users'],
    });
    expect(deletionLog(account).permanentlyDeleted).toEqual([`ticket:${ticketId}`, `user:${userId}`]);
    expect(account.tickets.has(ticketId)).toBe(false);
    expect(account.commentsOf(ticketId)).toEqual([]);
    expect(account.users.has(userId)).toBe(false);
    expect([...account.identities.values()].filter((i) => i.user_id === userId)).toEqual([]);
    expect(await world.rt.db('external_link').where({ installation_id: acme.installationId, entity_type: 'contact', entity_id: contactId })).toEqual([]);
  });
});
