import { ADMIN_AUTH, textWebhook, waitFor, waitForInboxDrained } from '../admin/admin-helpers';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, startTwilioFake, type TwilioFake } from '../fakes/twilio/twilio-fake';
import { freePort } from '../send/send-harness';
import { FIXTURE_WABA_ID } from '../support/fixtures';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { fakePlatform, FAKE_API_KEY } from '../sync/sync-harness';

/** A utility template whose body the SMS repeats: "Hi {{1}}, your parcel {{2}} arrives {{3}}." */
export const PARCEL_TEMPLATE = { name: 'parcel_update', language: 'en_US' };

/** The real runtime (server, worker, test connector) on the Meta fake, which posts its status webhooks back, and the Twilio fake. */
export interface SmsWorld {
  rt: TestRuntime;
  meta: MetaFake;
  twilio: TwilioFake;
  platform: FakePlatform;
  numberId: string;
  /** A customer who wrote (a conversation and a contact); resolves to their contact id and conversation id. */
  customer(waId: string): Promise<{ contactId: string; conversationId: string }>;
  /** Sends the parcel template to the conversation through the admin API; resolves to the message id. */
  sendParcelTemplate(conversationId: string, key: string): Promise<string>;
  /** Resolves once the message has this status and no SMS fallback job is due. */
  settled(messageId: string, status: string): Promise<void>;
  /** The SMS rows sent in place of this failed message. */
  smsFor(messageId: string): Promise<Array<{ id: string; message_id: string; state: string; provider_sid: string | null; body: string; to_number: string }>>;
  close(): Promise<void>;
}

export async function startSmsWorld(options: { twilio?: boolean } = {}): Promise<SmsWorld> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `${publicUrl}/webhooks/whatsapp` });
  const twilio = await startTwilioFake();
  const rt = await startTestRuntime({
    config: {
      whatsappApiBase: meta.baseUrl, port, publicUrl,
      ...(options.twilio === false ? {} : { twilio: { apiBase: twilio.baseUrl, accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN } }),
    },
    worker: { pollIntervalMs: 50, ioConcurrency: 4 },
    connectors: [testConnector],
  });
  const registered = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  if (registered.status !== 201) throw new Error(`number not registered: ${registered.status}`);
  await rt.db('template').insert({
    workspace_id: rt.workspace.id, waba_id: FIXTURE_WABA_ID, meta_template_id: '800000000000099', ...PARCEL_TEMPLATE, category: 'UTILITY', status: 'APPROVED',
    parameter_format: 'POSITIONAL', components: JSON.stringify([{ type: 'BODY', text: 'Hi {{1}}, your parcel {{2}} arrives {{3}}.' }, { type: 'FOOTER', text: 'Example Shop' }]),
  });
  const platform = await fakePlatform();
  const installed = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
    connector: 'test-platform', account_id: 'account-sms', config: { baseUrl: platform.url }, credentials: { apiKey: FAKE_API_KEY, replySecret: 'secret-sms' },
  });
  if (installed.status !== 201) throw new Error(`installation not saved: ${installed.status}`);
  let counter = 0;
  return {
    rt, meta, twilio, platform, numberId: registered.body.id,
    async customer(waId) {
      counter += 1;
      const res = await rt.postWebhook(textWebhook({ wamid: `wamid.SMS_IN_${waId}_${counter}`, from: waId, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 60, body: 'Hello' }));
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await waitForInboxDrained(rt.db);
      const row: { id: string; contact_id: string } | undefined = await rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id')
        .where({ 'c.workspace_id': rt.workspace.id, 'k.wa_id': waId }).first('c.id', 'c.contact_id');
      if (!row) throw new Error(`no conversation for ${waId}`);
      return { contactId: row.contact_id, conversationId: row.id };
    },
    async sendParcelTemplate(conversationId, key) {
      const res = await rt.http().post(`/api/v1/conversations/${conversationId}/messages`).set('authorization', ADMIN_AUTH).set('idempotency-key', key).send({
        type: 'template', ...PARCEL_TEMPLATE, body: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#1234' }, { type: 'date_time', date_time: { fallback_value: 'on Friday' } }],
      });
      if (res.status !== 202) throw new Error(`send answered ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.message_id as string;
    },
    async settled(messageId, status) {
      await waitFor(async () => {
        const message: { status: string } | undefined = await rt.db('message').where({ id: messageId }).first('status');
        const due = await rt.db('graphile_worker.jobs').where({ task_identifier: 'automation.sms_fallback' }).where('run_at', '<=', rt.db.fn.now()).first('id');
        return message?.status === status && !due;
      }, `message ${messageId} to be ${status} with no SMS fallback job due`, 15_000);
    },
    smsFor: (messageId) => rt.db('sms_message').where({ source_message_id: messageId }).select('id', 'message_id', 'state', 'provider_sid', 'body', 'to_number'),
    async close() {
      await rt.close();
      await Promise.all([meta.stop(), twilio.stop(), platform.stop()]);
    },
  };
}
