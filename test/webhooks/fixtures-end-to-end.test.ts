import type { Db } from '../../core/db/connect';
import { startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureNumber } from '../fakes/meta/fake-state';
import { fixtureText, webhookFixtureNames } from '../support/fixtures';
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_APP_SECRET } from '../support/test-runtime';

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting for the worker');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a user of the data would see, without ids and bookkeeping times that differ between runs. */
async function snapshot(db: Db) {
  const contacts = await db('contact').orderBy(['wa_id', 'user_id']).select('wa_id', 'user_id', 'username', 'country_code', 'profile_name', 'previous_wa_ids');
  const conversations = await db('conversation as c').join('contact as k', 'k.id', 'c.contact_id')
    .orderBy(['k.wa_id', 'k.user_id', 'c.opened_at']).select('k.wa_id', 'k.user_id', 'c.status', 'c.opened_at', 'c.last_message_at', 'c.last_inbound_at', 'c.window_expires_at');
  const messages = await db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
    .orderBy('m.wamid').select('m.wamid', 'k.wa_id', 'k.user_id', 'm.direction', 'm.type', 'm.body', 'm.text', 'm.status', 'm.error_code', 'm.context_wamid',
      'm.forwarded', 'm.frequently_forwarded', 'm.referral', 'm.reactions', 'm.sent_at');
  const statuses = await db('message_status').orderBy(['wamid', 'status']).select('wamid', 'status', 'occurred_at', 'errors', 'pricing', 'applied');
  const consent = await db('consent as s').join('contact as k', 'k.id', 's.contact_id').orderBy('k.wa_id').select('k.wa_id', 's.status', 's.marketing', 's.source', 's.changed_at');
  const media = await db('media').orderBy('meta_media_id').select('meta_media_id', 'mime_type', 'filename', 'state', 'size_bytes');
  return { contacts, conversations, messages, statuses, consent, media };
}

describe('every WhatsApp fixture through the webhook, signed, then processed by the worker', () => {
  let fake: MetaFake;
  beforeAll(async () => {
    fake = await startMetaFake({ appSecret: TEST_APP_SECRET });
    fake.state.addFixtureMedia();
  });
  afterAll(() => fake.stop());

  async function ingest(names: string[], deliveries: number) {
    const rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: { pollIntervalMs: 100 } });
    try {
      const registered = await rt.http().post('/api/v1/numbers').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
        .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
      expect(registered.status).toBe(201);
      for (let i = 0; i < deliveries; i++) {
        for (const name of names) expect((await rt.postWebhook(fixtureText(name))).status).toBe(200);
      }
      await waitFor(async () => (await rt.db('inbox_event').where({ state: 'pending' }).count({ n: '*' }))[0]?.n === 0);
      await waitFor(async () => (await rt.db('media').where({ state: 'pending' }).count({ n: '*' }))[0]?.n === 0);
      expect(await rt.db('inbox_event').whereNot({ state: 'processed' }).select('kind', 'state', 'last_error')).toEqual([]);
      return { state: await snapshot(rt.db), blobs: rt.blobs, db: rt.db, close: () => rt.close() };
    } catch (err) {
      await rt.close();
      throw err;
    }
  }

  it('stores what each fixture says, and the same state whether delivered once, twice, or in reverse order', async () => {
    const names = webhookFixtureNames();
    const forward = await ingest(names, 2);
    const reverse = await ingest([...names].reverse(), 1);
    try {
      expect(reverse.state).toEqual(forward.state);
      const { messages, contacts, statuses, consent, media } = forward.state;
      const byWamid = new Map(messages.map((m) => [m.wamid, m]));

      // Every inbound message of every fixture is stored once, with its type.
      const inbound = names.flatMap((n) => [...fixtureText(n).matchAll(/"id": "(wamid\.FAKE_IN_[A-Z_0-9]+)"/g)].map((m) => m[1]));
      expect(messages.map((m) => m.wamid).sort()).toEqual([...new Set(inbound)].sort());
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0001')).toMatchObject({ type: 'text', text: 'Hi, my order #1234 has not arrived yet.', direction: 'inbound', status: 'received' });
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0002')).toMatchObject({ context_wamid: 'wamid.FAKE_OUTBOUND_0001' });
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0003')).toMatchObject({ forwarded: true });
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0005')?.referral).toMatchObject({ source_type: 'ad', ctwa_clid: 'FAKE_CTWA_CLICK_ID_0001' });
      expect(byWamid.get('wamid.FAKE_IN_LOCATION_0001')?.body).toMatchObject({ location: { latitude: 37.4421, longitude: -122.1616, name: 'Fake Coffee' } });
      expect(byWamid.get('wamid.FAKE_IN_FLOW_0001')?.body).toMatchObject({ interactive: { nfm_reply: { response_json: { flow_token: 'fake-flow-token', rating: '5' } } } });
      expect(byWamid.get('wamid.FAKE_IN_UNSUPPORTED_0001')).toMatchObject({ type: 'unsupported' });
      expect(byWamid.get('wamid.FAKE_IN_ORDER_0001')?.body).toMatchObject({ order: { product_items: [{ product_retailer_id: 'sku-fake-001', quantity: 2 }] } });
      expect(byWamid.get('wamid.FAKE_IN_TPL_BUTTON_0001')?.body).toMatchObject({ button: { payload: 'CANCEL_ORDER_1234' } });

      // Media were downloaded from the (fake) Graph API into the blob store, bytes intact.
      expect(media).toHaveLength(5);
      expect(media.every((m) => m.state === 'stored')).toBe(true);
      const image = await forward.db('media').where({ meta_media_id: '900000000000001' }).first('blob_key');
      expect((await forward.blobs.get(image.blob_key))?.data.toString()).toBe(fake.state.media.get('900000000000001')?.data.toString());

      // Username users are keyed on their business-scoped id; the number change moved the customer.
      expect(contacts).toEqual(expect.arrayContaining([expect.objectContaining({ user_id: expect.stringMatching(/^user\.fakebsuid/), username: '@fake.customer' })]));
      // Messages sent before the change stay with the customer who moved to 15550004444; the one
      // sent from 15550001111 afterwards (inbound-batched-multiple) belongs to whoever holds it now.
      expect(contacts.find((c) => c.wa_id === '15550004444')?.previous_wa_ids).toEqual(['15550001111']);
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0001')?.wa_id).toBe('15550004444');
      expect(byWamid.get('wamid.FAKE_IN_TEXT_0101')?.wa_id).toBe('15550001111');

      // Statuses for messages Threadline did not send (yet) are kept, not applied, not lost.
      expect(statuses).toEqual(expect.arrayContaining([expect.objectContaining({ wamid: 'wamid.FAKE_OUTBOUND_0001', status: 'read', applied: false })]));
      const failedFixtures = names.filter((n) => n.startsWith('status-failed-')).flatMap((n) => [...fixtureText(n).matchAll(/"id": "(wamid\.[A-Z_0-9]+)"/g)].map((m) => m[1]));
      expect(failedFixtures).toHaveLength(3);
      expect(statuses.filter((s) => s.status === 'failed').map((s) => s.wamid).sort()).toEqual(failedFixtures.sort());

      // The user_preferences "stop" recorded the marketing opt-out.
      expect(consent).toEqual(expect.arrayContaining([expect.objectContaining({ marketing: 'stopped', source: 'user_preferences' })]));
    } finally {
      await forward.close();
      await reverse.close();
    }
  });
});
