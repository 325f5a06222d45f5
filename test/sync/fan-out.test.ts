import request from 'supertest';
import { assignConversation } from '../../core/engine/conversation-commands';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { deliver, textMessage } from '../engine/engine-harness';
import { FIXTURE_PHONE_NUMBER_ID } from '../support/fixtures';
import { ADMIN_TOKEN, fakePlatform, ingestTexts, startSyncHarness, waitFor, type SyncHarness } from './sync-harness';

describe('one thread, every platform: two installations on one workspace', () => {
  let h: SyncHarness;
  let a: FakePlatform;
  let b: FakePlatform;
  beforeAll(async () => {
    h = await startSyncHarness();
    a = await fakePlatform();
    b = await fakePlatform();
  });
  afterAll(async () => {
    await h?.close();
    await a?.stop();
    await b?.stop();
  });

  it('an inbound message reaches both; a reply written on A reaches B, and A knows it is its own', async () => {
    const installA = await h.install(a);
    const installB = await h.install(b);
    const [wamid] = await ingestTexts(h, 1, 1);
    await waitFor(() => a.records.length === 1 && b.records.length === 1, 'the inbound message on both platforms');
    expect(a.records[0]).toMatchObject({ type: 'message.inbound', own: false, externalId: `wa:${wamid}` });
    const conversationId = b.records[0]?.conversationId ?? '';

    const replyUrl = `${h.url}/connectors/test-platform/installations/${installA.id}/replies`;
    const reply = { replyId: 'r-1', conversationId, text: 'We are on it', agent: { id: 'agent-7', name: 'Ana' } };
    const res = await a.postReply(replyUrl, installA.replySecret, reply);
    expect(res.status).toBe(201);
    expect(h.sent).toEqual([expect.objectContaining({ workspaceId: h.ws.workspaceId, originInstallationId: installA.id, idempotencyKey: expect.stringContaining('r-1') })]);

    await waitFor(() => a.records.length === 2 && b.records.length === 2, 'the reply on both platforms');
    expect(b.records[1]).toMatchObject({ type: 'message.outbound', own: false, conversationId, data: { text: 'We are on it', sender: { platform: 'test-platform', id: 'agent-7', name: 'Ana' } } });
    expect(a.records[1]).toMatchObject({ type: 'message.outbound', own: true, conversationId });

    // The platform retries its call: the same reply is not sent again.
    const again = await a.postReply(replyUrl, installA.replySecret, reply);
    expect(again).toEqual(res);
    expect(await h.t.db('message').where({ workspace_id: h.ws.workspaceId, direction: 'outbound' }).count({ n: '*' })).toEqual([{ n: 1 }]);

    // A reply that is not signed with the installation's secret goes nowhere; nor one for B's id under another connector.
    expect((await a.postReply(replyUrl, 'not-the-secret', { ...reply, replyId: 'r-2' })).status).toBe(401);
    expect((await a.postReply(`${h.url}/connectors/zendesk/installations/${installB.id}/replies`, installB.replySecret, { ...reply, replyId: 'r-3' })).status).toBe(404);
    expect(h.sent).toHaveLength(1);
  });

  it('the assignment is seen on every platform: who holds it, on which platform', async () => {
    const conversationId = a.records[0]?.conversationId ?? '';
    await assignConversation(h.t.db, h.ws.workspaceId, conversationId, { platform: 'test-platform', id: 'agent-7', name: 'Ana' }, 'test');
    await waitFor(() => [a, b].every((f) => f.records.some((r) => r.type === 'conversation.assigned')), 'the assignment on both platforms');
    for (const f of [a, b]) {
      expect(f.records.find((r) => r.type === 'conversation.assigned')?.data).toEqual({ assignee: { platform: 'test-platform', id: 'agent-7', name: 'Ana' }, actor: 'test' });
    }
  });

  it('installations are listed, and an uninstalled one gets nothing more', async () => {
    const listed = await request(h.url).get('/api/v1/installations').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    expect(listed.body.connectors).toEqual([{ id: 'test-platform', display_name: 'Test platform', capabilities: ['timeline', 'replySource'] }]);
    expect(JSON.stringify(listed.body)).not.toContain('secret-');
    const sealed = await h.t.db('installation').where({ workspace_id: h.ws.workspaceId }).pluck('credentials_sealed');
    expect(sealed.every((s: string) => s.startsWith('v1.') && !s.includes('fake-platform-api-key'))).toBe(true);

    const bId: string = listed.body.items[1].id;
    const removed = await request(h.url).delete(`/api/v1/installations/${bId}`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(removed.status).toBe(200);
    const before = b.records.length;
    await ingestTexts(h, 1, 1, 1_750_100_000);
    await waitFor(() => a.records.filter((r) => r.type === 'message.inbound').length === 2, 'the next message on A');
    expect(b.records).toHaveLength(before);
  });
});

describe('an installation that serves one number', () => {
  let h: SyncHarness;
  let scoped: FakePlatform;
  let everyNumber: FakePlatform;
  beforeAll(async () => {
    h = await startSyncHarness();
    scoped = await fakePlatform();
    everyNumber = await fakePlatform();
  });
  afterAll(async () => {
    await h?.close();
    await scoped?.stop();
    await everyNumber?.stop();
  });

  it('gets only that number\'s conversations; an unscoped one gets every number\'s', async () => {
    const otherNumber = '100000000000777';
    await h.t.db('whatsapp_number').insert({ workspace_id: h.ws.workspaceId, phone_number_id: otherNumber, waba_id: '100000000000001', access_token_sealed: 'sealed-elsewhere' });
    await h.install(scoped, { phoneNumberId: FIXTURE_PHONE_NUMBER_ID });
    await h.install(everyNumber);
    const onOther = textMessage({ id: 'wamid.OTHER_NUMBER_1', body: 'to the other number', timestamp: 1_750_000_000 });
    for (const entry of onOther.entry) for (const change of entry.changes) (change.value.metadata as { phone_number_id: string }).phone_number_id = otherNumber;
    await deliver(h.t.db, h.ws.workspaceId, onOther);
    const [onScoped] = await ingestTexts(h, 1, 1, 1_750_000_010);
    await waitFor(() => everyNumber.records.length === 2 && scoped.records.length === 1, 'both messages on the unscoped platform, one on the scoped one');
    expect(scoped.records.map((r) => r.externalId)).toEqual([`wa:${onScoped}`]);
    expect(everyNumber.records.map((r) => r.externalId).sort()).toEqual(['wa:wamid.OTHER_NUMBER_1', `wa:${onScoped}`].sort());
  });

  it('an admin moves it to another number: from then on only that number\'s conversations; an unknown number or bad setting is refused', async () => {
    const listed = await request(h.url).get('/api/v1/installations').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    const scopedId: string = listed.body.items.find((i: { settings: { phoneNumberId?: string } }) => i.settings.phoneNumberId === FIXTURE_PHONE_NUMBER_ID).id;
    const moved = await request(h.url).patch(`/api/v1/installations/${scopedId}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ settings: { phoneNumberId: '100000000000777' } });
    expect(moved.status).toBe(200);
    expect(moved.body.settings).toMatchObject({ phoneNumberId: '100000000000777', baseUrl: scoped.url });
    const before = scoped.records.length;
    const onOther = textMessage({ id: 'wamid.OTHER_NUMBER_2', body: 'to the other number again', timestamp: 1_750_000_200 });
    for (const entry of onOther.entry) for (const change of entry.changes) (change.value.metadata as { phone_number_id: string }).phone_number_id = '100000000000777';
    await deliver(h.t.db, h.ws.workspaceId, onOther);
    await ingestTexts(h, 1, 1, 1_750_000_210);
    await waitFor(() => everyNumber.records.length === 4, 'both new messages on the unscoped platform');
    await waitFor(() => scoped.records.length === before + 1, 'the other number\'s message on the moved installation');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(scoped.records.slice(before).map((r) => r.externalId)).toEqual(['wa:wamid.OTHER_NUMBER_2']);

    const unknown = await request(h.url).patch(`/api/v1/installations/${scopedId}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ settings: { phoneNumberId: '100000000000999' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('NUMBER_NOT_FOUND');
    const invalid = await request(h.url).patch(`/api/v1/installations/${scopedId}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ settings: { batchSize: 1_000 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('CONFIG_INVALID');
    expect((await request(h.url).patch(`/api/v1/installations/${scopedId.replace(/.$/, scopedId.endsWith('0') ? '1' : '0')}`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ settings: {} })).status).toBe(404);
  });

  it('cannot be installed for a number the workspace does not have', async () => {
    const res = await request(h.url).post('/api/v1/installations').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({
      connector: 'test-platform', account_id: 'elsewhere', config: { baseUrl: scoped.url, phoneNumberId: '100000000000999' }, credentials: { apiKey: 'api-key-123', replySecret: 'secret-123' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'NUMBER_NOT_FOUND', message: expect.stringContaining('100000000000999') });
  });
});
