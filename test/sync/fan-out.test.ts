import request from 'supertest';
import { assignConversation } from '../../core/engine/conversation-commands';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
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
