import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { statusWebhook } from '../fakes/meta/status-webhooks';
import { toMetaJson } from '../fakes/meta/webhook-signing';
import { startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';
import { conversationOf, conversationRecord, customerWrites, field, messageRecord, records, syncedMessage } from './sync-helpers';

jest.setTimeout(90_000);

describe.each([['threadline'], ['']])('Salesforce sync with namespace %j', (namespace) => {
  let world: SalesforceWorld;
  let orgId: string;

  beforeAll(async () => {
    world = await startSalesforceWorld({ namespace, orgs: [{}] });
    orgId = world.orgIds[0] ?? '';
    await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
  });
  afterAll(async () => world?.close());

  const org = () => world.salesforce.state.org(orgId);
  const e164 = namespace ? `${namespace}__WhatsApp_E164__c` : 'WhatsApp_E164__c';

  test('inbound messages land under one conversation on the Contact whose WhatsApp_E164__c is the number', async () => {
    const contact = org().insert(org().object('Contact')!, { LastName: 'Weber', [e164]: '+4915111100001' });
    if (!('id' in contact)) throw new Error('contact not created');
    await customerWrites(world, { from: '4915111100001', wamid: 'wamid.SF_E164_1', body: 'Hello Salesforce', secondsAgo: 30 });
    await customerWrites(world, { from: '4915111100001', wamid: 'wamid.SF_E164_2', body: 'Second', secondsAgo: 20 });
    const first = await syncedMessage(world, orgId, 'wamid.SF_E164_1');
    const second = await syncedMessage(world, orgId, 'wamid.SF_E164_2');

    expect(field(world, first, 'Conversation__c')).toBe(field(world, second, 'Conversation__c'));
    const conversation = conversationRecord(world, orgId, first);
    expect(field(world, conversation, 'Contact__c')).toBe(contact.id);
    expect(field(world, conversation, 'Lead__c') ?? null).toBeNull();
    expect(field(world, conversation, 'Status__c')).toBe('Open');
    expect(field(world, conversation, 'Conversation_Key__c')).toMatch(new RegExp(`^${fixtureNumber.phoneNumberId}:[0-9a-f-]{36}$`));
    expect(field(world, first, 'Body__c')).toBe('Hello Salesforce');
    expect(field(world, first, 'Direction__c')).toBe('Inbound');
    expect(field(world, first, 'Type__c')).toBe('text');
    expect(field(world, first, 'Status__c')).toBe('received');
    expect(field(world, first, 'Wamid__c')).toBe('wamid.SF_E164_1');
    expect(Date.parse(String(field(world, conversation, 'Last_Inbound_At__c')))).toBe(Date.parse(String(field(world, second, 'Sent_At__c'))));
    expect(org().all('Lead')).toHaveLength(0);
  });

  test('a number nothing matches gets a new Lead, named after the WhatsApp profile, with the normalised number', async () => {
    await customerWrites(world, { from: '447700900555', wamid: 'wamid.SF_LEAD_1', body: 'New here', name: 'Lena Lead' });
    const message = await syncedMessage(world, orgId, 'wamid.SF_LEAD_1');
    const [lead, ...others] = org().all('Lead').filter((l) => l[e164] === '+447700900555');
    expect(others).toHaveLength(0);
    expect(lead).toMatchObject({ LastName: 'Lena Lead', Company: '[not provided]', MobilePhone: '+447700900555', LeadSource: 'WhatsApp' });
    expect(field(world, conversationRecord(world, orgId, message), 'Lead__c')).toBe(lead?.Id);
  });

  test('an outbound reply and its statuses update one record: delivered, read; a failure keeps code and message', async () => {
    await customerWrites(world, { from: '4917612300001', wamid: 'wamid.SF_OUT_IN', body: 'Any news?' });
    await syncedMessage(world, orgId, 'wamid.SF_OUT_IN');
    const send = async (key: string, body: string): Promise<string> => {
      const res = await world.rt.http().post(`/api/v1/conversations/${await conversationOf(world, '4917612300001')}/messages`)
        .set('authorization', ADMIN_AUTH).set('idempotency-key', key).send({ type: 'text', body });
      expect(res.status).toBeLessThan(300);
      return res.body.message_id ?? res.body.messageId ?? res.body.id;
    };
    const replyId = await send('sf-out-1', 'Yes, it ships today');
    await waitFor(() => field(world, messageRecord(world, orgId, replyId), 'Status__c') === 'delivered', 'the delivered status on the record');
    const reply = messageRecord(world, orgId, replyId);
    expect(field(world, reply, 'Direction__c')).toBe('Outbound');
    expect(field(world, reply, 'Body__c')).toMatch(/^Yes, it ships today\n— sent by /);
    expect(field(world, reply, 'Wamid__c')).toMatch(/^wamid\./);
    const inbound = await syncedMessage(world, orgId, 'wamid.SF_OUT_IN');
    expect(field(world, reply, 'Conversation__c')).toBe(field(world, inbound, 'Conversation__c'));

    const wamid = String(field(world, reply, 'Wamid__c'));
    // The Meta fake posts sent and delivered by itself; read is the customer's doing: the webhook as Meta posts it.
    const number = world.meta.state.numbers.get(fixtureNumber.phoneNumberId);
    if (!number) throw new Error('no fixture number');
    const res = await world.rt.postWebhook(toMetaJson(statusWebhook('status-read', { number, wamid, recipientId: '4917612300001', at: Date.now() })));
    expect(res.status).toBe(200);
    await waitFor(() => field(world, messageRecord(world, orgId, replyId), 'Status__c') === 'read', 'the read status on the record');

    world.meta.state.failDeliveryTo('4917612300001', 'status-failed-131047');
    const failedId = await send('sf-out-2', 'Are you there?');
    await waitFor(() => field(world, messageRecord(world, orgId, failedId), 'Status__c') === 'failed', 'the failure on the record');
    const failed = messageRecord(world, orgId, failedId);
    expect(field(world, failed, 'Error_Code__c')).toBe('131047');
    expect(field(world, failed, 'Error_Message__c')).toMatch(/.+/);
    expect(records(world, orgId, 'WhatsApp_Message__c').filter((m) => field(world, m, 'Threadline_Id__c') === replyId)).toHaveLength(1);
  });
});
