import { ADMIN_AUTH } from '../admin/admin-helpers';
import { waitFor } from '../sync/sync-harness';
import { startAutomationWorld, type AutomationWorld } from './automation-world';

/** Clean closing (issue 7 item 6): the closing message, and a reply continuing the same thread. */
let w: AutomationWorld;
beforeAll(async () => {
  w = await startAutomationWorld();
  expect((await w.putRule('closing', {})).status).toBe(201);
});
afterAll(() => w.close());

async function writes(from: string, secondsAgo = 5): Promise<string> {
  const wamid = await w.writes(from, 'Hi', secondsAgo);
  await waitFor(w.handled(wamid), `message ${wamid}`);
  return wamid;
}
const conversationOf = async (wamid: string) => (await w.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', wamid).first('c.id', 'c.status')) as { id: string; status: string };
const close = (id: string) => w.rt.http().post(`/api/v1/conversations/${id}/close`).set('authorization', ADMIN_AUTH);
const idle = async () => (await w.rt.db('graphile_worker.jobs').whereIn('task_identifier', ['automation.closing_message', 'whatsapp.send']).pluck('id')).length === 0;
const textsTo = (waId: string) => w.meta.state.sent.filter((m) => m.waId === waId && m.type === 'text').map((m) => (m.request as { text?: { body?: string } }).text?.body);
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
