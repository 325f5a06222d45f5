import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

/** Clean closing (issue 7 item 6): the closing message, and a reply continuing the same thread. */
let meta: MetaFake;
let rt: TestRuntime;
beforeAll(async () => {
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [] });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
  expect((await rt.http().put('/api/v1/automation/rules/closing').set('authorization', ADMIN_AUTH).send({ definition: {} })).status).toBe(201);
});
afterAll(async () => {
  await rt.close();
  await meta.stop();
});

let seq = 0;
async function writes(from: string, secondsAgo = 5): Promise<string> {
  const wamid = `wamid.CLOSE_${++seq}`;
  expect((await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - secondsAgo, body: 'Hi' }))).status).toBe(200);
  await waitFor(async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined, `message ${wamid}`);
  return wamid;
}
const conversationOf = async (wamid: string) => (await rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', wamid).first('c.id', 'c.status')) as { id: string; status: string };
const close = (id: string) => rt.http().post(`/api/v1/conversations/${id}/close`).set('authorization', ADMIN_AUTH);
const idle = async () => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', ['automation.closing_message', 'whatsapp.send']).pluck('id')).length === 0;
const textsTo = (waId: string) => meta.state.sent.filter((m) => m.waId === waId && m.type === 'text').map((m) => (m.request as { text?: { body?: string } }).text?.body);
const closingText = 'Thanks for contacting us! If there is anything else, just reply here.';

test('closing sends the closing message once; a reply continues the same thread, and closing it again says it again', async () => {
  const first = await conversationOf(await writes('4918000000001'));
  expect((await close(first.id)).status).toBe(200);
  expect((await close(first.id)).status).toBe(200); // closing a closed one changes nothing
  await waitFor(async () => textsTo('4918000000001').length === 1 && idle(), 'the closing message');
  expect(textsTo('4918000000001')).toEqual([closingText]);

  const reply = await conversationOf(await writes('4918000000001'));
  expect(reply).toEqual({ id: first.id, status: 'open' });
  expect((await close(first.id)).status).toBe(200);
  await waitFor(async () => textsTo('4918000000001').length === 2 && idle(), 'the second closing message');
});

test('outside the customer\'s 24-hour window nothing is sent on closing', async () => {
  const old = await conversationOf(await writes('4918000000002', 25 * 3600));
  expect((await close(old.id)).status).toBe(200);
  await waitFor(idle, 'the closing job and any send');
  expect(textsTo('4918000000002')).toEqual([]);
});
