import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startSendHarness, type SendHarness } from './send-harness';

describe('admin API: send, assign, close, reopen', () => {
  let h: SendHarness;
  let conversationId: string;
  const post = (path: string) => h.api().post(path).set('authorization', ADMIN_AUTH);

  beforeAll(async () => {
    h = await startSendHarness();
    conversationId = await h.conversationWith('15550009001');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('needs the admin token', async () => {
    for (const path of ['messages', 'assign', 'close', 'reopen']) {
      const res = await h.api().post(`/api/v1/conversations/${conversationId}/${path}`).send({});
      expect(res.status).toBe(401);
    }
  });

  it('POST messages answers 202 with the message; the same key again replays it', async () => {
    const send = () => post(`/api/v1/conversations/${conversationId}/messages`).set('idempotency-key', 'admin-1').send({ type: 'text', body: 'Hello from the admin API' });
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ message_id: expect.any(String), request_id: expect.any(String), conversation_id: conversationId, state: 'queued', status: 'pending', wamid: null });
    await h.settled(first.body.message_id);
    const again = await send();
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ message_id: first.body.message_id, state: 'accepted', wamid: expect.stringMatching(/^wamid\./) });
    expect(h.fake.state.sent).toHaveLength(1);
    const message: { sent_by: unknown } = await h.rt.db('message').where({ id: first.body.message_id }).first('sent_by');
    expect(message.sent_by).toEqual({ platform: 'admin-api', id: 'admin-token', name: 'Admin API' });
  });

  it('404 for an unknown conversation, 400 for a malformed id', async () => {
    const unknown = await post('/api/v1/conversations/00000000-0000-4000-8000-000000000000/messages').set('idempotency-key', 'x').send({ type: 'text', body: 'Hi' });
    expect(unknown.status).toBe(404);
    expect((await post('/api/v1/conversations/nope/close').send()).status).toBe(400);
    expect((await post('/api/v1/conversations/00000000-0000-4000-8000-000000000000/assign').send({ assignee: null })).status).toBe(404);
  });

  it('assigns, unassigns, closes and reopens, each audited', async () => {
    const assigned = await post(`/api/v1/conversations/${conversationId}/assign`).send({ assignee: { platform: 'hubspot', id: 'owner-7', name: 'Sam Sales' } });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assignee).toEqual({ platform: 'hubspot', id: 'owner-7', name: 'Sam Sales' });
    const bad = await post(`/api/v1/conversations/${conversationId}/assign`).send({ assignee: { platform: 'hubspot' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.hint).toContain('assignee');
    expect((await post(`/api/v1/conversations/${conversationId}/assign`).send({ assignee: null })).body.assignee).toBeNull();
    const closed = await post(`/api/v1/conversations/${conversationId}/close`).send();
    expect(closed.body).toMatchObject({ status: 'closed', closed_at: expect.any(String) });
    const reopened = await post(`/api/v1/conversations/${conversationId}/reopen`).send();
    expect(reopened.body).toMatchObject({ status: 'open', closed_at: null });
    const actions = (await h.rt.db('audit_log').where({ workspace_id: h.rt.workspace.id, entity_id: conversationId }).orderBy('id').select('action')).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['conversation.assigned', 'conversation.unassigned', 'conversation.closed', 'conversation.reopened']);
  });

  it('reopen answers 409 when the contact has another live conversation', async () => {
    await post(`/api/v1/conversations/${conversationId}/close`).send();
    // A new live thread for the same contact (the engine would start one after the quiet period).
    const closed: { contact_id: string; whatsapp_number_id: string } = await h.rt.db('conversation').where({ id: conversationId }).first('contact_id', 'whatsapp_number_id');
    const [row]: { id: string }[] = await h.rt.db('conversation')
      .insert({ workspace_id: h.rt.workspace.id, ...closed, status: 'open', opened_at: new Date(), last_message_at: new Date() }).returning('id');
    const live = row?.id;
    const res = await post(`/api/v1/conversations/${conversationId}/reopen`).send();
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONVERSATION_ALREADY_LIVE', live_conversation_id: live });
  });
});
