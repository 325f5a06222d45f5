import crypto from 'node:crypto';
import { zendeskWebhookSignature } from '../../connectors/zendesk/csat/ticket-solved';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskAccountInstall, type ZendeskWorld } from './zendesk-world';

/**
 * Issue 7 item 7 on Zendesk: a solved ticket sends its WhatsApp customer the installation's CSAT template, through
 * a webhook and trigger Threadline provisions in the account and a signature it checks, once per invocation, under
 * the outbound_limits guard rails.
 */
describe('Zendesk: ticket solved → CSAT template', () => {
  let world: ZendeskWorld;
  let acme: ZendeskAccountInstall;
  let globex: ZendeskAccountInstall;
  const csat = { template: 'csat_survey', language: 'en_US', parameters: ['Acme support'] };

  const provision = (installationId: string) => world.rt.http().post(`/api/v1/zendesk/installations/${installationId}/provision-csat`).set('authorization', ADMIN_AUTH);
  const putRule = (kind: string, definition: unknown) => world.rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
  const patchSettings = (installationId: string, settings: Record<string, unknown>) =>
    world.rt.http().patch(`/api/v1/installations/${installationId}`).set('authorization', ADMIN_AUTH).send({ settings });
  const csatRows = (waId: string) => world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
    .where({ 'k.wa_id': waId, 'm.type': 'template', 'm.direction': 'outbound' }).select('m.id', 'm.sent_by');
  const csatSentTo = (waId: string) => world.meta.state.sent.filter((m) => m.waId === waId && m.request.type === 'template');
  /** A customer's ticket, once the push's event callback has linked it to their conversation. */
  const ticketOf = async (from: string, wamid: string): Promise<number> => {
    await world.customerWrites({ from, wamid, body: 'My parcel never arrived' });
    const { ticketId } = await world.pushedResource('acme', wamid);
    await waitFor(async () => (await world.rt.db('external_link').where({ installation_id: acme.installationId, external_type: 'zendesk_ticket', external_id: String(ticketId) }).first('id')) !== undefined, 'the ticket link');
    return ticketId;
  };
  /** A webhook call as Zendesk signs it, with this installation's secret unless told otherwise. */
  const signedCall = (install: ZendeskAccountInstall, body: string, o: { at?: Date; secret?: string; invocationId?: string } = {}) => {
    const webhook = [...world.account(install.subdomain).webhooks.values()][0];
    if (!webhook) throw new Error(`no webhook in ${install.subdomain}`);
    const timestamp = (o.at ?? new Date()).toISOString();
    return world.rt.http().post(`/connectors/zendesk/webhooks/ticket-solved/${install.installationId}`).set('content-type', 'application/json')
      .set('x-zendesk-webhook-signature', zendeskWebhookSignature(o.secret ?? webhook.signingSecret, timestamp, Buffer.from(body)))
      .set('x-zendesk-webhook-signature-timestamp', timestamp)
      .set('x-zendesk-webhook-invocation-id', o.invocationId ?? crypto.randomUUID())
      .send(body);
  };

  beforeAll(async () => {
    world = await startZendeskWorld({ accounts: ['acme', 'globex'] });
    world.meta.state.templates.add({ name: 'csat_survey', components: [{ type: 'BODY', text: 'How did {{1}} do? Reply 1 to 5.', example: { body_text: [['Acme support']] } }] });
    expect((await world.rt.http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH).send({ phone_number_id: fixtureNumber.phoneNumberId })).status).toBe(200);
    acme = await world.install('acme', { eventCallbacks: true, config: { csat }, credentials: authorisedPair(world.account('acme')) });
    globex = await world.install('globex', { config: { csat }, credentials: authorisedPair(world.account('globex')) });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('provisioning creates the webhook, its secret and the trigger in the account, once however often it runs', async () => {
    const first = await provision(acme.installationId);
    expect(first.status).toBe(201);
    const webhooks = [...world.account('acme').webhooks.values()];
    expect(webhooks.map((w) => w.endpoint)).toEqual([`${world.rt.url}/connectors/zendesk/webhooks/ticket-solved/${acme.installationId}`]);
    expect(first.body).toEqual({ id: acme.installationId, webhook_id: webhooks[0]?.id, trigger_id: expect.any(String) });
    expect(world.account('acme').triggers).toEqual([expect.objectContaining({
      conditions: { all: [{ field: 'status', operator: 'value', value: 'solved' }], any: [] },
      actions: [{ field: 'notification_webhook', value: [webhooks[0]?.id, '{"ticket_id":"{{ticket.id}}"}'] }],
    })]);
    const again = await provision(acme.installationId);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect(world.account('acme').webhooks.size).toBe(1);
    expect(world.account('acme').triggers).toHaveLength(1);
    // The signing secret is sealed with the credentials, never stored in the clear.
    const row: { credentials_sealed: string } = await world.rt.db('installation').where({ id: acme.installationId }).first('credentials_sealed');
    expect(row.credentials_sealed).not.toContain(webhooks[0]?.signingSecret);
    expect((await provision(globex.installationId)).status).toBe(201);
  });

  it('solving a WhatsApp ticket sends the CSAT template once, however often Zendesk redelivers the call', async () => {
    const ticketId = await ticketOf('4915100000101', 'wamid.CSAT_1');
    const [delivery, ...others] = await world.zendesk.setTicketStatus('acme', ticketId, 'solved');
    expect(others).toEqual([]);
    expect({ status: delivery?.status, answer: delivery?.answer }).toEqual({ status: 200, answer: { status: 'sent', message_id: expect.any(String) } });
    if (!delivery) throw new Error('no webhook call');
    const redelivered = await world.zendesk.redeliver('acme', delivery);
    expect(redelivered).toMatchObject({ status: 200, answer: delivery.answer });
    await waitFor(() => csatSentTo('4915100000101').length === 1, 'the CSAT template at Meta');
    expect(csatSentTo('4915100000101')[0]?.request).toMatchObject({ template: { name: 'csat_survey', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Acme support' }] }] } });
    expect(await csatRows('4915100000101')).toEqual([{ id: expect.any(String), sent_by: expect.objectContaining({ platform: 'zendesk', id: 'acme:trigger:csat' }) }]);
  });

  it('a wrong signature or a stale timestamp is 401 and sends nothing', async () => {
    const ticketId = await ticketOf('4915100000102', 'wamid.CSAT_2');
    const body = JSON.stringify({ ticket_id: String(ticketId) });
    const forged = await signedCall(acme, body, { secret: 'not-the-secret' });
    expect({ status: forged.status, code: forged.body.error.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    const stale = await signedCall(acme, body, { at: new Date(Date.now() - 6 * 60_000) });
    expect({ status: stale.status, message: stale.body.error.message }).toEqual({ status: 401, message: expect.stringMatching(/within 5 minutes/) });
    expect(await csatRows('4915100000102')).toEqual([]);
  });

  it('a ticket of another account is refused, even signed by that account\'s own webhook', async () => {
    const ticketId = await ticketOf('4915100000103', 'wamid.CSAT_3');
    const res = await signedCall(globex, JSON.stringify({ ticket_id: String(ticketId) }));
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'NOT_A_WHATSAPP_TICKET' });
    expect(await csatRows('4915100000103')).toEqual([]);
  });

  it('without csat settings there is nothing to provision, and a solve sends nothing', async () => {
    const plain = await world.install('globex', { accountId: 'globex-plain' });
    const refused = await provision(plain.installationId);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'CSAT_NOT_SET' });

    const ticketId = await ticketOf('4915100000104', 'wamid.CSAT_4');
    expect((await patchSettings(acme.installationId, { csat: null })).status).toBe(200);
    const [delivery] = await world.zendesk.setTicketStatus('acme', ticketId, 'solved');
    expect({ status: delivery?.status, answer: delivery?.answer }).toEqual({ status: 200, answer: { status: 'not_sent', code: 'CSAT_OFF', message: expect.any(String) } });
    expect(await csatRows('4915100000104')).toEqual([]);
    expect((await patchSettings(acme.installationId, { csat })).status).toBe(200);
  });

  it('the frequency cap applies although the customer wrote within 24 hours: nobody typed the CSAT template', async () => {
    expect((await putRule('outbound_limits', { utility: { max: 1, perDays: 7 } })).status).toBe(201);
    const ticketId = await ticketOf('4915100000105', 'wamid.CSAT_5');
    const [first] = await world.zendesk.setTicketStatus('acme', ticketId, 'solved');
    expect(first?.answer).toMatchObject({ status: 'sent' });
    await world.zendesk.setTicketStatus('acme', ticketId, 'open');
    const [second] = await world.zendesk.setTicketStatus('acme', ticketId, 'solved');
    expect({ status: second?.status, answer: second?.answer }).toEqual({ status: 200, answer: { status: 'not_sent', code: 'FREQUENCY_CAPPED', message: expect.stringContaining('the limit is 1') } });
    expect(await csatRows('4915100000105')).toHaveLength(1);
  });

  it('a solved ticket closes the conversation in Threadline: the closing rule says goodbye, and a reply reopens the same thread', async () => {
    expect((await putRule('closing', { message: 'Glad we could help!' })).status).toBe(201);
    const ticketId = await ticketOf('4915100000106', 'wamid.CSAT_6');
    const conversation = () => world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where('k.wa_id', '4915100000106').first('c.id', 'c.status');
    const before = await conversation();
    const [delivery] = await world.zendesk.setTicketStatus('acme', ticketId, 'solved');
    expect(delivery?.status).toBe(200);
    expect(await conversation()).toEqual({ id: before?.id, status: 'closed' });
    const texts = () => world.meta.state.sent.filter((m) => m.waId === '4915100000106' && m.request.type === 'text').map((m) => (m.request as { text?: { body?: string } }).text?.body);
    await waitFor(() => texts().length === 1, 'the closing message');
    expect(texts()).toEqual(['Glad we could help!']);
    await ticketOf('4915100000106', 'wamid.CSAT_6_REPLY');
    expect(await conversation()).toEqual({ id: before?.id, status: 'open' });
  });
});
