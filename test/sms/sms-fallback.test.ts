import { queueSmsFallback } from '../../core/automation/sms-fallback';
import { ADMIN_AUTH, waitFor } from '../admin/admin-helpers';
import { fixtureJson } from '../support/fixtures';
import { startSmsWorld, type SmsWorld } from './sms-harness';

const FROM = '+15550001000';

describe('SMS fallback (issue 7 item 8): a template WhatsApp cannot deliver goes out once as an SMS', () => {
  let w: SmsWorld;

  beforeAll(async () => {
    w = await startSmsWorld();
    const rule = await w.rt.http().put('/api/v1/automation/rules/sms_fallback').set('authorization', ADMIN_AUTH).send({ definition: { fromNumber: FROM } });
    expect(rule.status).toBe(201);
    expect(rule.body.definition).toEqual({ enabled: true, fromNumber: FROM, errorCodes: [131026] });
  }, 60_000);

  afterAll(async () => {
    await w.close();
  });

  /** A customer who wrote, with SMS consent recorded through the admin API when `smsConsent`. */
  async function customer(waId: string, smsConsent: boolean): Promise<string> {
    const { contactId, conversationId } = await w.customer(waId);
    if (smsConsent) {
      const res = await w.rt.http().put(`/api/v1/contacts/${contactId}/consent`).set('authorization', ADMIN_AUTH)
        .send({ phone_number_id: '100000000000002', channel: 'sms', status: 'opted_in', note: 'asked on the phone' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sms: 'opted_in', status: 'unknown', source: 'admin' });
    }
    return conversationId;
  }

  const failedWebhookFor = (wamid: string) => w.meta.state.webhooks.find((h) => h.rawBody.includes(wamid) && h.rawBody.includes('"failed"'));

  it('sends one SMS with the rendered template, records it on the thread and syncs it; a redelivered webhook sends nothing more', async () => {
    w.meta.state.failDeliveryTo('15550007001', 'status-failed-131026');
    const conversationId = await customer('15550007001', true);
    const messageId = await w.sendParcelTemplate(conversationId, 'sms-1');
    await w.settled(messageId, 'failed');
    await waitFor(async () => (await w.smsFor(messageId))[0]?.state === 'accepted', 'the SMS to be accepted by Twilio');

    expect(w.twilio.sent).toHaveLength(1);
    expect(w.twilio.sent[0]).toMatchObject({ from: FROM, to: '+15550007001', body: 'Hi Ana, your parcel #1234 arrives on Friday.', statusCallback: `${w.rt.config.publicUrl}/webhooks/twilio/status` });
    const [sms] = await w.smsFor(messageId);
    const thread = await w.rt.db('message').where({ id: sms?.message_id }).first('conversation_id', 'direction', 'type', 'text', 'body', 'sent_by', 'status');
    expect(thread).toMatchObject({
      conversation_id: conversationId, direction: 'outbound', type: 'text', text: 'Hi Ana, your parcel #1234 arrives on Friday.', status: 'pending',
      body: { channel: 'sms', fallbackFor: messageId }, sent_by: { platform: 'threadline', id: 'sms-fallback' },
    });
    await waitFor(async () => w.platform.records.some((r) => r.type === 'message.outbound' && r.data.channel === 'sms'), 'the SMS to reach the platform');
    expect(w.platform.records.find((r) => r.type === 'message.outbound' && r.data.channel === 'sms')?.data).toMatchObject({ text: 'Hi Ana, your parcel #1234 arrives on Friday.', to: '15550007001' });

    const failed = failedWebhookFor(w.meta.state.sent.find((m) => m.waId === '15550007001')?.wamid ?? '');
    expect((await w.rt.postWebhook(failed?.rawBody ?? '')).status).toBe(200);
    // A retried job (as after a crash) finds the SMS already sent.
    await w.rt.db.transaction((trx) => queueSmsFallback(trx, w.rt.workspace.id, messageId, 131026));
    await w.settled(messageId, 'failed');
    expect(w.twilio.sent).toHaveLength(1);
    expect(await w.smsFor(messageId)).toHaveLength(1);

    // Twilio reports delivery: the thread message moves on and the platform hears it.
    expect(await w.twilio.postStatus(sms?.provider_sid ?? '', 'delivered', { deliverTo: `${w.rt.url}/webhooks/twilio/status` })).toBe(204);
    expect(await w.rt.db('message').where({ id: sms?.message_id }).first('status')).toEqual({ status: 'delivered' });
    await waitFor(async () => w.platform.records.some((r) => r.type === 'message.status' && r.data.channel === 'sms' && r.data.status === 'delivered'), 'the SMS delivery on the platform');
  });

  it('refuses status callbacks that are unsigned or signed wrongly (403), changing nothing', async () => {
    w.meta.state.failDeliveryTo('15550007002', 'status-failed-131026');
    const messageId = await w.sendParcelTemplate(await customer('15550007002', true), 'sms-2');
    await w.settled(messageId, 'failed');
    await waitFor(async () => (await w.smsFor(messageId))[0]?.state === 'accepted', 'the SMS to be accepted by Twilio');
    const [sms] = await w.smsFor(messageId);
    const target = { deliverTo: `${w.rt.url}/webhooks/twilio/status` };
    expect(await w.twilio.postStatus(sms?.provider_sid ?? '', 'delivered', { ...target, signature: 'bm90IHRoZSBzaWduYXR1cmU=' })).toBe(403);
    const unsigned = await w.rt.http().post('/webhooks/twilio/status').type('form').send({ MessageSid: sms?.provider_sid, MessageStatus: 'delivered' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body.error.code).toBe('SIGNATURE_INVALID');
    expect(await w.rt.db('message').where({ id: sms?.message_id }).first('status')).toEqual({ status: 'pending' });
    // Twilio's own undelivered report, signed: the SMS is failed with its code.
    expect(await w.twilio.postStatus(sms?.provider_sid ?? '', 'undelivered', { ...target, errorCode: 30003 })).toBe(204);
    expect(await w.rt.db('message').where({ id: sms?.message_id }).first('status', 'error_code')).toEqual({ status: 'failed', error_code: 30003 });
  });

  it('sends nothing without SMS consent, for a code the rule does not name, or for a template that was delivered', async () => {
    w.meta.state.failDeliveryTo('15550007003', 'status-failed-131026');
    const noConsent = await w.sendParcelTemplate(await customer('15550007003', false), 'sms-3');
    w.meta.state.failDeliveryTo('15550007004', 'status-failed-131049');
    const otherCode = await w.sendParcelTemplate(await customer('15550007004', true), 'sms-4');
    const deliveredId = await w.sendParcelTemplate(await customer('15550007005', true), 'sms-5');
    await w.settled(deliveredId, 'delivered');
    // A late failed 131026 after delivery (failed beats delivered in status order): the customer has the template.
    const wamid = w.meta.state.sent.find((m) => m.waId === '15550007005')?.wamid ?? '';
    const late = fixtureJson('status-failed-131026.json') as { entry: Array<{ changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> }> };
    Object.assign(late.entry[0]?.changes[0]?.value.statuses[0] ?? {}, { id: wamid, recipient_id: '15550007005', timestamp: String(Math.floor(Date.now() / 1000) + 5) });
    expect((await w.rt.postWebhook(JSON.stringify(late))).status).toBe(200);

    await w.settled(noConsent, 'failed');
    await w.settled(otherCode, 'failed');
    await w.settled(deliveredId, 'failed');
    for (const id of [noConsent, otherCode, deliveredId]) expect(await w.smsFor(id)).toEqual([]);
    expect(w.twilio.sent.filter((m) => ['+15550007003', '+15550007004', '+15550007005'].includes(m.to))).toEqual([]);
  });

  it('records a Twilio refusal (21610, unsubscribed) as a failed SMS with the reason, told to the platform', async () => {
    w.twilio.failNext(1, 21610);
    w.meta.state.failDeliveryTo('15550007006', 'status-failed-131026');
    const messageId = await w.sendParcelTemplate(await customer('15550007006', true), 'sms-6');
    await w.settled(messageId, 'failed');
    await waitFor(async () => (await w.smsFor(messageId))[0]?.state === 'failed', 'the SMS to fail');
    const [sms] = await w.smsFor(messageId);
    const thread = await w.rt.db('message').where({ id: sms?.message_id }).first('status', 'error_code', 'error_title');
    expect(thread).toMatchObject({ status: 'failed', error_code: 21610, error_title: expect.stringContaining('unsubscribed recipient') });
    await waitFor(async () => w.platform.records.some((r) => r.type === 'message.failed' && r.data.errorCode === 21610), 'the failure on the platform');
    expect(w.twilio.requests.filter((r) => r.form.To === '+15550007006').map((r) => r.status)).toEqual([400]);
  });

  it('retries a 429 from Twilio and still sends one SMS', async () => {
    w.twilio.failNext(1, 20429);
    w.meta.state.failDeliveryTo('15550007007', 'status-failed-131026');
    const messageId = await w.sendParcelTemplate(await customer('15550007007', true), 'sms-7');
    await waitFor(async () => (await w.smsFor(messageId))[0]?.state === 'accepted', 'the SMS to be accepted after the retry', 20_000);
    expect(w.twilio.requests.filter((r) => r.form.To === '+15550007007').map((r) => r.status)).toEqual([429, 201]);
    expect(w.twilio.sent.filter((m) => m.to === '+15550007007')).toHaveLength(1);
  }, 30_000);
});

describe('SMS fallback without Twilio configured', () => {
  let w: SmsWorld;
  beforeAll(async () => {
    w = await startSmsWorld({ twilio: false });
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  it('refuses the rule, naming the settings, and serves no status callback route', async () => {
    const res = await w.rt.http().put('/api/v1/automation/rules/sms_fallback').set('authorization', ADMIN_AUTH).send({ definition: { fromNumber: FROM } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    expect((await w.rt.http().post('/webhooks/twilio/status').type('form').send({ MessageSid: 'SMx', MessageStatus: 'sent' })).status).toBe(404);
  });
});
