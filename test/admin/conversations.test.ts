import { assignConversation, closeConversation } from '../../core/engine/conversation-commands';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureText } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { ADMIN_AUTH, createOtherWorkspace, textWebhook, waitForInboxDrained } from './admin-helpers';

interface ConversationItem {
  id: string;
  status: string;
  phone_number_id: string;
  contact: { wa_id: string | null; profile_name: string | null };
  assignee: { platform: string; id: string; name: string | null } | null;
  last_message_at: string;
  last_inbound_at: string | null;
  window_expires_at: string | null;
  window_open: boolean;
}

const A = '15550001111'; // Test Customer: three fixture messages and one outbound message with statuses
const B = '15550005555'; // wrote once, long ago; closed below
const C = '15550006666'; // writing now: the 24-hour window is open

describe('admin API: conversations', () => {
  let fake: MetaFake;
  let rt: TestRuntime;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const ids: Record<string, string> = {};
  let other: Awaited<ReturnType<typeof createOtherWorkspace>>;
  let otherConversationId: string;

  const get = (path: string) => rt.http().get(path).set('authorization', ADMIN_AUTH);
  const list = async (query = ''): Promise<ConversationItem[]> => {
    const res = await get(`/api/v1/conversations${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  /** Follows next_cursor with limit=1 and returns the ids in the order they came. */
  const walk = async (): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/conversations?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items.map((i: ConversationItem) => i.id));
      cursor = res.body.next_cursor;
      if (seen.length > 20) throw new Error('pagination does not end');
    } while (cursor);
    return seen;
  };

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: { pollIntervalMs: 50 } });
    const registered = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(registered.status).toBe(201);

    // A's messages arrive newest first; the conversation still reads oldest first.
    for (const name of ['inbound-text-forwarded.json', 'inbound-text-reply-context.json', 'inbound-text.json']) {
      expect((await rt.postWebhook(fixtureText(name))).status).toBe(200);
    }
    await rt.postWebhook(textWebhook({ wamid: 'wamid.B_0001', from: B, name: 'Customer B', timestamp: 1750005000, body: 'Is the shop open on Sunday?' }));
    await rt.postWebhook(textWebhook({ wamid: 'wamid.C_0001', from: C, name: 'Customer C', timestamp: nowSeconds, body: 'Where is my parcel?' }));
    await waitForInboxDrained(rt.db);

    const rows: { wa_id: string; id: string }[] = await rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').select('k.wa_id', 'c.id');
    for (const r of rows) ids[r.wa_id] = r.id;
    expect(Object.keys(ids).sort()).toEqual([A, B, C]);

    // The business's reply to A (there is no send path yet, so it is stored as the send path would),
    // then Meta's status webhooks for it, out of order.
    await rt.db('message').insert({
      workspace_id: rt.workspace.id, conversation_id: ids[A], wamid: 'wamid.FAKE_OUTBOUND_0001', direction: 'outbound', type: 'text',
      body: JSON.stringify({ type: 'text', text: { body: 'Sorry about that, checking now.' } }), text: 'Sorry about that, checking now.',
      status: 'pending', sent_at: new Date(1750000050 * 1000),
    });
    for (const name of ['status-read.json', 'status-sent.json', 'status-delivered.json']) {
      expect((await rt.postWebhook(fixtureText(name))).status).toBe(200);
    }
    await waitForInboxDrained(rt.db);

    const idOf = (waId: string) => ids[waId] ?? '';
    await assignConversation(rt.db, rt.workspace.id, idOf(A), { platform: 'zendesk', id: '9001', name: 'Agent Smith' }, 'test');
    await closeConversation(rt.db, rt.workspace.id, idOf(B), 'test');

    // Another tenant's conversation, with a message: never visible here.
    other = await createOtherWorkspace(rt.db, '100000000000090');
    const [contact]: { id: string }[] = await rt.db('contact').insert({ workspace_id: other.workspaceId, wa_id: '15550009999', profile_name: 'Someone Else' }).returning('id');
    const [conversation]: { id: string }[] = await rt.db('conversation').insert({
      workspace_id: other.workspaceId, contact_id: contact?.id, whatsapp_number_id: other.numberId, opened_at: new Date(), last_message_at: new Date(), last_inbound_at: new Date(),
    }).returning('id');
    otherConversationId = conversation?.id ?? '';
    await rt.db('message').insert({ workspace_id: other.workspaceId, conversation_id: otherConversationId, wamid: 'wamid.OTHER_1', direction: 'inbound', type: 'text', body: '{}', text: 'secret', status: 'received', sent_at: new Date() });
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });

  it('lists most recent first, with contact, assignee and 24-hour window', async () => {
    const items = await list();
    expect(items.map((i) => i.contact.wa_id)).toEqual([C, B, A]);
    const [c, b, a] = items;
    expect(c).toMatchObject({ status: 'open', phone_number_id: fixtureNumber.phoneNumberId, contact: { wa_id: C, profile_name: 'Customer C' }, assignee: null, window_open: true });
    expect(new Date(c?.window_expires_at ?? 0).getTime()).toBe((nowSeconds + 24 * 3600) * 1000);
    expect(b).toMatchObject({ status: 'closed', contact: { wa_id: B, profile_name: 'Customer B' }, window_open: false });
    expect(a).toMatchObject({
      status: 'open', contact: { wa_id: A, profile_name: 'Test Customer' }, assignee: { platform: 'zendesk', id: '9001', name: 'Agent Smith' },
      last_inbound_at: new Date(1750000200 * 1000).toISOString(), window_expires_at: new Date((1750000200 + 24 * 3600) * 1000).toISOString(), window_open: false,
    });
    expect(items.map((i) => i.id)).not.toContain(otherConversationId);
  });

  it('filters by status and by number', async () => {
    expect((await list('?status=closed')).map((i) => i.contact.wa_id)).toEqual([B]);
    expect((await list('?status=open')).map((i) => i.contact.wa_id)).toEqual([C, A]);
    expect(await list('?status=pending')).toEqual([]);
    expect((await list(`?phone_number_id=${fixtureNumber.phoneNumberId}`)).length).toBe(3);
    expect(await list('?phone_number_id=100000000000090')).toEqual([]);
  });

  it('walks every page with limit=1 and cursor, each conversation once, and ends', async () => {
    expect(await walk()).toEqual([ids[C], ids[B], ids[A]]);
  });

  it('does not skip conversations active within the same millisecond (PostgreSQL keeps microseconds)', async () => {
    // Two threads whose last activity differs by 200 µs, newer than C: pages must not lose the second.
    await rt.db('conversation').where({ id: ids[B] }).update({ last_message_at: rt.db.raw("'2099-01-01T00:00:00.000400Z'::timestamptz") });
    await rt.db('conversation').where({ id: ids[A] }).update({ last_message_at: rt.db.raw("'2099-01-01T00:00:00.000200Z'::timestamptz") });
    try {
      expect(await walk()).toEqual([ids[B], ids[A], ids[C]]);
    } finally {
      await rt.db('conversation').where({ id: ids[B] }).update({ last_message_at: new Date(1750005000 * 1000) });
      await rt.db('conversation').where({ id: ids[A] }).update({ last_message_at: new Date(1750000200 * 1000) });
    }
  });

  it.each([
    ['not base64 of anything we issue', 'garbage'],
    ['a date that is not a date', Buffer.from('yesterday|00000000-0000-4000-8000-000000000000').toString('base64url')],
    ['an id that is not a uuid', Buffer.from(`2025-06-15T00:00:00.000000Z|${'-'.repeat(36)}`).toString('base64url')],
    ['a day that does not exist', Buffer.from('2025-02-30T00:00:00.000000Z|00000000-0000-4000-8000-000000000000').toString('base64url')],
  ])('400 INVALID_CURSOR for a cursor that is %s', async (_label, cursor) => {
    const res = await get(`/api/v1/conversations?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CURSOR');
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=lots', 'limit'],
    ['status=archived', 'status'],
  ])('400 INVALID_REQUEST naming the parameter for ?%s', async (query, name) => {
    const res = await get(`/api/v1/conversations?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain(name);
  });

  it('GET /:id: messages oldest first, with context, forwarding and the status history of the reply', async () => {
    const res = await get(`/api/v1/conversations/${ids[A]}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids[A], status: 'open', contact: { wa_id: A } });
    const messages: { wamid: string; direction: string; text: string; status: string; context_wamid: string | null; forwarded: boolean; statuses: { status: string; occurred_at: string }[] }[] = res.body.messages;
    expect(messages.map((m) => [m.wamid, m.direction])).toEqual([
      ['wamid.FAKE_IN_TEXT_0001', 'inbound'],
      ['wamid.FAKE_OUTBOUND_0001', 'outbound'],
      ['wamid.FAKE_IN_TEXT_0002', 'inbound'],
      ['wamid.FAKE_IN_TEXT_0003', 'inbound'],
    ]);
    const [first, reply, quoted, forwarded] = messages;
    expect(first).toMatchObject({ text: 'Hi, my order #1234 has not arrived yet.', status: 'received', statuses: [] });
    expect(reply).toMatchObject({ status: 'read' });
    expect(reply?.statuses).toEqual([
      expect.objectContaining({ status: 'sent', occurred_at: new Date(1750003000 * 1000).toISOString() }),
      expect.objectContaining({ status: 'delivered', occurred_at: new Date(1750003100 * 1000).toISOString() }),
      expect.objectContaining({ status: 'read', occurred_at: new Date(1750003200 * 1000).toISOString() }),
    ]);
    expect(quoted).toMatchObject({ context_wamid: 'wamid.FAKE_OUTBOUND_0001' });
    expect(forwarded).toMatchObject({ forwarded: true });
  });

  it('GET /:id: 404 for an unknown id and for another workspace\'s conversation, 400 for a malformed id', async () => {
    const unknown = await get('/api/v1/conversations/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');

    const foreign = await get(`/api/v1/conversations/${otherConversationId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect(foreign.text).not.toContain('Someone Else');

    const malformed = await get('/api/v1/conversations/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toEqual({ code: 'INVALID_REQUEST', message: expect.stringContaining('id') });
  });
});
