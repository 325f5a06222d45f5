import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { deadInboxEvent } from '../support/dead-letters';
import { fixtureText } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { ADMIN_AUTH, createOtherWorkspace, waitFor } from './admin-helpers';

interface DeadLetterItem {
  id: number;
  kind: string;
  dedupe_key: string;
  attempts: number;
  last_error: string | null;
  payload: { message?: { id: string } };
}

describe('admin API: dead letters', () => {
  let fake: MetaFake;
  let rt: TestRuntime;

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: { pollIntervalMs: 50 } });
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });

  const deadLetters = async (query = ''): Promise<DeadLetterItem[]> => {
    const res = await rt.http().get(`/api/v1/dead-letters${query}`).set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const replay = (id: number | string) => rt.http().post(`/api/v1/dead-letters/${id}/replay`).set('authorization', ADMIN_AUTH);
  const stateOf = async (id: number) => (await rt.db('inbox_event').where({ id }).first('state')).state;

  it('an event that failed its last attempt is listed; once the cause is fixed, replay processes it', async () => {
    const id = await deadInboxEvent(rt, 'wamid.DEAD_0001');
    const [item] = await deadLetters();
    expect(item).toMatchObject({ id, kind: 'message', dedupe_key: 'm:wamid.DEAD_0001', attempts: 10, payload: { message: { id: 'wamid.DEAD_0001' } } });
    expect(item?.last_error).toContain(`${fixtureNumber.phoneNumberId} is not registered`);

    // The cause: the number was never connected. Connect it, then replay.
    const registered = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(registered.status).toBe(201);
    const res = await replay(id);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id, state: 'pending' });

    await waitFor(async () => (await stateOf(id)) === 'processed', 'the replayed event to be processed by the worker');
    expect(await deadLetters()).toEqual([]);
    const conversations = await rt.http().get('/api/v1/conversations').set('authorization', ADMIN_AUTH);
    expect(conversations.body.items).toEqual([expect.objectContaining({ contact: expect.objectContaining({ wa_id: '15550007777', profile_name: 'Late Customer' }) })]);
    const detail = await rt.http().get(`/api/v1/conversations/${conversations.body.items[0].id}`).set('authorization', ADMIN_AUTH);
    expect(detail.body.messages).toEqual([expect.objectContaining({ wamid: 'wamid.DEAD_0001', text: 'did you get this?' })]);

    // It is no longer a dead letter: replaying it again finds nothing to replay.
    const again = await replay(id);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
  });

  it('a webhook item that did not parse is listed, but replaying it answers 409 NOT_REPLAYABLE', async () => {
    // A message without its id, in a batch for the connected WABA (registered by the test above).
    const body = fixtureText('inbound-text.json').replace('"id": "wamid.FAKE_IN_TEXT_0001",', '');
    const posted = await rt.postWebhook(body);
    expect(posted.status).toBe(200);
    const malformed = (await deadLetters()).find((d) => d.kind === 'malformed');
    expect(malformed?.last_error).toMatch(/\bid\b/);
    if (!malformed) throw new Error('no malformed dead letter');

    const res = await replay(malformed.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_REPLAYABLE');
    expect(await stateOf(malformed.id)).toBe('dead');
  });

  it("pages with limit and before_id, newest first, and never shows or replays another workspace's", async () => {
    const other = await createOtherWorkspace(rt.db, '100000000000080');
    const unconnected = '100000000000055';
    const foreign = await deadInboxEvent(rt, 'wamid.DEAD_OTHER', { workspaceId: other.workspaceId, phoneNumberId: unconnected });
    const older = await deadInboxEvent(rt, 'wamid.DEAD_0002', { phoneNumberId: unconnected });
    const newer = await deadInboxEvent(rt, 'wamid.DEAD_0003', { phoneNumberId: unconnected });

    const all = await deadLetters();
    expect(all.map((d) => d.id)).not.toContain(foreign);
    expect(all.slice(0, 2).map((d) => d.id)).toEqual([newer, older]);
    expect((await deadLetters('?limit=1')).map((d) => d.id)).toEqual([newer]);
    expect((await deadLetters(`?limit=1&before_id=${newer}`)).map((d) => d.id)).toEqual([older]);

    const res = await replay(foreign);
    expect(res.status).toBe(404);
    expect(await stateOf(foreign)).toBe('dead');
  });

  it('404 for an id that does not exist, 400 for one that is not an id', async () => {
    const unknown = await replay(987654321);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const res = await replay(bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
    }
    const list = await rt.http().get('/api/v1/dead-letters?limit=500').set('authorization', ADMIN_AUTH);
    expect(list.status).toBe(400);
    expect(list.body.error.message).toContain('limit');
  });
});
