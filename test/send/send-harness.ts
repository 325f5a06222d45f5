import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_AUTH, textWebhook, waitFor, waitForInboxDrained } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureJson, FIXTURE_WABA_ID } from '../support/fixtures';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';

/** A runtime on the Meta fake, with the fake posting status webhooks back to it. */
export interface SendHarness {
  rt: TestRuntime;
  fake: MetaFake;
  numberId: string;
  /** supertest against the runtime (admin API included). */
  api(): ReturnType<TestRuntime['http']>;
  /** A conversation with a customer who wrote `hoursAgo` hours ago (window open below 24). */
  conversationWith(waId: string, hoursAgo?: number): Promise<string>;
  /** Waits until the outbound message has left the queue (accepted or failed). */
  settled(messageId: string): Promise<MessageRow>;
  stop(): Promise<void>;
}

export interface MessageRow {
  id: string;
  wamid: string | null;
  status: string;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
  sent_by: unknown;
}

export const SENDER = { platform: 'zendesk', id: 'agent-42', name: 'Ana Agent' };

/** The fake needs the runtime's webhook URL before the runtime starts: pick its port first. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startSendHarness(): Promise<SendHarness> {
  // The fake needs the runtime's webhook URL and the runtime needs the fake's: fix the port first.
  const port = await freePort();
  const fake = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
  const rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl, port }, worker: { pollIntervalMs: 50, ioConcurrency: 4 } });
  const registered = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  if (registered.status !== 201) throw new Error(`number not registered: ${registered.status} ${JSON.stringify(registered.body)}`);
  const numberId: string = registered.body.id;

  let wamidCounter = 0;

  return {
    rt,
    fake,
    numberId,
    api: () => rt.http(),
    async conversationWith(waId, hoursAgo = 1) {
      wamidCounter += 1;
      const timestamp = Math.floor(Date.now() / 1000) - Math.round(hoursAgo * 3600);
      const status = (await rt.postWebhook(textWebhook({ wamid: `wamid.IN_${waId}_${wamidCounter}`, from: waId, name: `Customer ${waId}`, timestamp, body: 'Hello' }))).status;
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      await waitForInboxDrained(rt.db);
      const row: { id: string } | undefined = await rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id')
        .where({ 'c.workspace_id': rt.workspace.id, 'k.wa_id': waId }).whereNot('c.status', 'closed').first('c.id');
      if (!row) throw new Error(`no conversation for ${waId}`);
      return row.id;
    },
    async settled(messageId) {
      let row: MessageRow | undefined;
      await waitFor(async () => {
        const r: { state: string } | undefined = await rt.db('outbound_request').where({ workspace_id: rt.workspace.id, message_id: messageId }).first('state');
        row = await rt.db('message').where({ workspace_id: rt.workspace.id, id: messageId })
          .first('id', 'wamid', 'status', 'error_code', 'error_title', 'error_details', 'sent_by');
        return r !== undefined && r.state !== 'queued';
      }, `message ${messageId} to leave the send queue`, 15_000);
      if (!row) throw new Error('message vanished');
      return row;
    },
    async stop() {
      await fake.stop();
      await rt.close();
    },
  };
}

/** The fixture templates (order_update approved, summer_promo rejected, weekly_deals paused) plus two of our own. */
export async function seedTemplates(h: SendHarness): Promise<void> {
  const list = fixtureJson('template-list-response.json') as { data: Array<{ id: string; name: string; language: string; category: string; status: string; parameter_format: string; components: unknown }> };
  const extra = [
    {
      id: '800000000000010', name: 'reservation_confirmation', language: 'en_US', category: 'UTILITY', status: 'APPROVED', parameter_format: 'NAMED',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW...'] } },
        { type: 'BODY', text: 'Your table for {{number_of_guests}} is booked for {{date}}.', example: { body_text_named_params: [{ param_name: 'number_of_guests', example: '4' }, { param_name: 'date', example: 'August 30th' }] } },
      ],
    },
    {
      id: '800000000000011', name: 'spring_sale', language: 'en_US', category: 'MARKETING', status: 'APPROVED', parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'Spring sale: 20% off this week.' }],
    },
    {
      id: '800000000000012', name: 'order_update', language: 'de', category: 'UTILITY', status: 'APPROVED', parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'Hallo {{1}}, Ihre Bestellung ist unterwegs.' }],
    },
  ];
  for (const t of [...list.data, ...extra]) {
    await h.rt.db('template').insert({
      workspace_id: h.rt.workspace.id, waba_id: FIXTURE_WABA_ID, meta_template_id: t.id, name: t.name, language: t.language, category: t.category,
      status: t.status, parameter_format: t.parameter_format, components: JSON.stringify(t.components),
    });
  }
}

export async function auditRows(h: SendHarness, action: string, entityId: string): Promise<Array<{ actor: string; data: Record<string, unknown> }>> {
  return h.rt.db('audit_log').where({ workspace_id: h.rt.workspace.id, action, entity_id: entityId }).select('actor', 'data');
}
