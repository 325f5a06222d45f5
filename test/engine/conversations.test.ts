import { ConversationAlreadyLiveError, assignConversation, closeConversation, reopenConversation } from '../../core/engine/conversation-commands';
import {
  audits, conversationOf, deliver, insertId, textMessage, updateNumber, type ConversationRowView, useEngineWorkspace,
} from './engine-harness';

const HOUR = 3600;
const DAY = 24 * HOUR;
const T0 = 1_750_100_000;

describe('conversations: one live thread per contact and number, the 24-hour window and the quiet period', () => {
  const env = useEngineWorkspace({ quiet_period_minutes: 60 });

  let seq = 0;
  const say = async (from: string, timestamp: number, body = 'hello'): Promise<ConversationRowView> => {
    const id = `wamid.CONV_${++seq}`;
    await deliver(env.db, env.ws.workspaceId, textMessage({ id, body, timestamp, from }));
    return conversationOf(env.db, env.ws.workspaceId, id);
  };
  const reload = async (id: string): Promise<ConversationRowView> => {
    const row: ConversationRowView | undefined = await env.db('conversation').where({ workspace_id: env.ws.workspaceId, id }).first();
    if (!row) throw new Error('no conversation');
    return row;
  };
  const date = (s: number) => new Date(s * 1000);

  describe('the thread of one customer', () => {
    const from = '15550010001';
    let first: ConversationRowView;

    it('a first message opens a thread and a 24-hour window', async () => {
      first = await say(from, T0);
      expect(first).toMatchObject({
        status: 'open', opened_at: date(T0), last_message_at: date(T0), last_inbound_at: date(T0), window_expires_at: date(T0 + DAY), closed_at: null,
      });
    });

    it('a message within the quiet period continues it and moves the window', async () => {
      const c = await say(from, T0 + 30 * 60);
      expect(c).toMatchObject({ id: first.id, last_message_at: date(T0 + 30 * 60), window_expires_at: date(T0 + 30 * 60 + DAY) });
    });

    it('a pending thread becomes open again when the customer writes', async () => {
      await env.db('conversation').where({ id: first.id }).update({ status: 'pending' });
      expect(await say(from, T0 + 50 * 60)).toMatchObject({ id: first.id, status: 'open' });
    });

    it('a message older than the latest (out of order) never moves the clocks back', async () => {
      const c = await say(from, T0 + 10 * 60);
      expect(c).toMatchObject({ id: first.id, last_message_at: date(T0 + 50 * 60), last_inbound_at: date(T0 + 50 * 60), window_expires_at: date(T0 + 50 * 60 + DAY) });
    });

    let second: ConversationRowView;
    it('after longer than the quiet period, the live thread closes and a new one starts', async () => {
      second = await say(from, T0 + 3 * HOUR);
      expect(second.id).not.toBe(first.id);
      expect(second).toMatchObject({ status: 'open', opened_at: date(T0 + 3 * HOUR), window_expires_at: date(T0 + 3 * HOUR + DAY) });
      expect(await reload(first.id)).toMatchObject({ status: 'closed', closed_at: expect.any(Date) });
    });

    it('a closed thread reopens when the customer writes within the quiet period', async () => {
      await closeConversation(env.db, env.ws.workspaceId, second.id, 'admin-token');
      const c = await say(from, T0 + 3 * HOUR + 10 * 60);
      expect(c).toMatchObject({ id: second.id, status: 'open', closed_at: null, last_message_at: date(T0 + 3 * HOUR + 10 * 60) });
    });

    it('a closed thread quiet for longer stays closed: a new one starts', async () => {
      await closeConversation(env.db, env.ws.workspaceId, second.id, 'admin-token');
      const third = await say(from, T0 + 6 * HOUR);
      expect(third.id).not.toBe(second.id);
      expect(await reload(second.id)).toMatchObject({ status: 'closed' });
      const live = await env.db('conversation').where({ workspace_id: env.ws.workspaceId, contact_id: third.contact_id }).whereNot('status', 'closed');
      expect(live.map((c: { id: string }) => c.id)).toEqual([third.id]);
    });
  });

  it('another customer gets a thread of their own', async () => {
    const a = await say('15550010002', T0);
    const b = await say('15550010003', T0);
    expect(a.id).not.toBe(b.id);
    expect(a.contact_id).not.toBe(b.contact_id);
  });

  it('with the default quiet period (24 h) a thread continues through a day', async () => {
    await updateNumber(env.db, env.ws, { quiet_period_minutes: 1440 });
    const a = await say('15550010004', T0);
    const b = await say('15550010004', T0 + 20 * HOUR);
    expect(b.id).toBe(a.id);
    const c = await say('15550010004', T0 + 20 * HOUR + DAY + 1);
    expect(c.id).not.toBe(a.id);
    await updateNumber(env.db, env.ws, { quiet_period_minutes: 60 });
  });

  describe('admin commands, audited and scoped to the workspace', () => {
    let conversation: ConversationRowView;
    let otherWorkspace: string;
    beforeAll(async () => {
      conversation = await say('15550010010', T0);
      otherWorkspace = await insertId(env.db, 'workspace', { name: 'other', slug: 'other-commands' });
    });

    it('assign and unassign', async () => {
      const assigned = await assignConversation(env.db, env.ws.workspaceId, conversation.id, { platform: 'zendesk', id: '42', name: 'Ana' }, 'zendesk:42');
      expect(assigned).toMatchObject({ id: conversation.id, assignee_platform: 'zendesk', assignee_id: '42', assignee_name: 'Ana' });
      const unassigned = await assignConversation(env.db, env.ws.workspaceId, conversation.id, null, 'admin-token');
      expect(unassigned).toMatchObject({ assignee_platform: null, assignee_id: null, assignee_name: null });
      expect((await audits(env.db, env.ws.workspaceId)).filter((a) => a.entity_id === conversation.id)).toEqual([
        { actor: 'zendesk:42', action: 'conversation.assigned', entity_type: 'conversation', entity_id: conversation.id, data: { assignee: { platform: 'zendesk', id: '42', name: 'Ana' } } },
        { actor: 'admin-token', action: 'conversation.unassigned', entity_type: 'conversation', entity_id: conversation.id, data: {} },
      ]);
    });

    it('close, then close again (no change, no second audit row)', async () => {
      expect(await closeConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token')).toMatchObject({ status: 'closed', closed_at: expect.any(Date) });
      expect(await closeConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token')).toMatchObject({ status: 'closed' });
      expect(await audits(env.db, env.ws.workspaceId, 'conversation.closed')).toEqual(expect.arrayContaining([expect.objectContaining({ entity_id: conversation.id })]));
      expect((await audits(env.db, env.ws.workspaceId, 'conversation.closed')).filter((a) => a.entity_id === conversation.id)).toHaveLength(1);
    });

    it('reopen', async () => {
      expect(await reopenConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token')).toMatchObject({ status: 'open', closed_at: null });
      expect((await audits(env.db, env.ws.workspaceId, 'conversation.reopened')).map((a) => a.entity_id)).toEqual([conversation.id]);
    });

    it('reopening while the contact has another live thread is refused with a code', async () => {
      await closeConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token');
      const newer = await say('15550010010', T0 + 2 * DAY);
      await expect(reopenConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token')).rejects.toEqual(expect.objectContaining({ code: 'CONVERSATION_ALREADY_LIVE', liveConversationId: newer.id }));
      await expect(reopenConversation(env.db, env.ws.workspaceId, conversation.id, 'admin-token')).rejects.toBeInstanceOf(ConversationAlreadyLiveError);
    });

    it('null for a conversation of another workspace, an unknown id, or a malformed id, and nothing changes', async () => {
      for (const [workspaceId, id] of [[otherWorkspace, conversation.id], [env.ws.workspaceId, '00000000-0000-4000-8000-000000000000'], [env.ws.workspaceId, 'not-a-uuid']] as const) {
        expect(await assignConversation(env.db, workspaceId, id, { platform: 'hubspot', id: '7', name: 'Bo' }, 'x')).toBeNull();
        expect(await closeConversation(env.db, workspaceId, id, 'x')).toBeNull();
        expect(await reopenConversation(env.db, workspaceId, id, 'x')).toBeNull();
      }
      expect(await reload(conversation.id)).toMatchObject({ assignee_id: null, status: 'closed' });
      expect(await audits(env.db, otherWorkspace)).toEqual([]);
    });
  });
  describe('late messages: threads are runs of messages no further apart than the quiet period, whatever the order', () => {
    const MIN = 60;
    const threadsOf = async (contactId: string) => {
      const rows = await env.db.raw<{ rows: { status: string; opened_at: Date; last_message_at: Date; n: number }[] }>(
        `select c.status, c.opened_at, c.last_message_at, (select count(*)::int from message m where m.conversation_id = c.id) as n
           from conversation c where c.workspace_id = ? and c.contact_id = ? order by c.opened_at`,
        [env.ws.workspaceId, contactId],
      );
      return rows.rows;
    };

    it('a late first message moves opened_at back to it', async () => {
      const later = await say('15550010020', T0 + 10 * MIN);
      const earlier = await say('15550010020', T0);
      expect(earlier).toMatchObject({ id: later.id, opened_at: date(T0), last_message_at: date(T0 + 10 * MIN) });
    });

    it('a message older than its thread by more than the quiet period is a past thread of its own, closed', async () => {
      const live = await say('15550010021', T0 + 5 * HOUR);
      const past = await say('15550010021', T0);
      expect(past.id).not.toBe(live.id);
      expect(past).toMatchObject({ status: 'closed', opened_at: date(T0), last_message_at: date(T0), closed_at: expect.any(Date) });
      expect(await reload(live.id)).toMatchObject({ status: 'open' });
      // Within the quiet period of that past thread, a later late message joins it; it stays closed.
      expect(await say('15550010021', T0 + 30 * MIN)).toMatchObject({ id: past.id, status: 'closed', last_message_at: date(T0 + 30 * MIN) });
    });

    it('a late message that bridges two threads makes them one', async () => {
      const first = await say('15550010022', T0);
      const second = await say('15550010022', T0 + 100 * MIN);
      expect(second.id).not.toBe(first.id);
      const bridge = await say('15550010022', T0 + 50 * MIN);
      expect(await threadsOf(bridge.contact_id)).toEqual([{ status: 'open', opened_at: date(T0), last_message_at: date(T0 + 100 * MIN), n: 3 }]);
    });

    const permutations = <T>(items: T[]): T[][] => (items.length <= 1 ? [items]
      : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])));
    let customer = 30;
    const run = (status: string, from: number, to: number, n: number) => ({ status, opened_at: date(T0 + from * MIN), last_message_at: date(T0 + to * MIN), n });
    it.each([
      ['two runs and a lone message', [0, 50, 120, 300], [run('closed', 0, 50, 2), run('closed', 120, 120, 1), run('open', 300, 300, 1)]],
      ['a run that only the middle message joins up', [0, 40, 80, 180], [run('closed', 0, 80, 3), run('open', 180, 180, 1)]],
    ])('%s: the same threads in every order', async (_name, minutes, expected) => {
      for (const order of permutations(minutes)) {
        const from = `155500100${customer++}`;
        let contactId = '';
        for (const m of order) contactId = (await say(from, T0 + m * MIN)).contact_id;
        expect({ order, threads: await threadsOf(contactId) }).toEqual({ order, threads: expected });
      }
    });
  });
});
