import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { CUSTOMER, conversationOf, createWorkspace, deliver, edit, fixture, insertId, insertOutbound, messageByWamid, type TestWorkspace } from './engine-harness';

describe('reactions', () => {
  let t: TestDatabase;
  let ws: TestWorkspace;
  beforeAll(async () => {
    t = await createTestDatabase();
    ws = await createWorkspace(t.db);
    await deliver(t.db, ws.workspaceId, fixture('inbound-text.json'));
    const conversation = await conversationOf(t.db, ws.workspaceId, 'wamid.FAKE_IN_TEXT_0001');
    await insertOutbound(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001', conversation.id);
  });
  afterAll(() => t.drop());

  it('is stored as its own message and shown on the message it targets', async () => {
    await deliver(t.db, ws.workspaceId, fixture('inbound-reaction.json'));
    const reaction = await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_IN_REACTION_0001');
    expect(reaction).toMatchObject({ type: 'reaction', text: 'Reacted 👍', body: { type: 'reaction', reaction: { message_id: 'wamid.FAKE_OUTBOUND_0001', emoji: '👍' } } });
    expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).reactions).toEqual({ [CUSTOMER]: '👍' });
  });

  it('a changed reaction replaces the customer\'s earlier one; another customer\'s stays', async () => {
    await t.db('message').where({ workspace_id: ws.workspaceId, wamid: 'wamid.FAKE_OUTBOUND_0001' }).update({ reactions: JSON.stringify({ [CUSTOMER]: '👍', '15550003333': '🎉' }) });
    const changed = edit(fixture('inbound-reaction.json'), 'messages', (m) => {
      m.id = 'wamid.FAKE_IN_REACTION_CHANGED';
      m.timestamp = '1750001550';
      m.reaction = { message_id: 'wamid.FAKE_OUTBOUND_0001', emoji: '❤️' };
    });
    await deliver(t.db, ws.workspaceId, changed);
    expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).reactions).toEqual({ [CUSTOMER]: '❤️', '15550003333': '🎉' });
  });

  it('a reaction without emoji removes the customer\'s reaction', async () => {
    await deliver(t.db, ws.workspaceId, fixture('inbound-reaction-removed.json'));
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_IN_REACTION_0002')).toMatchObject({ type: 'reaction', text: 'Removed a reaction' });
    expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).reactions).toEqual({ '15550003333': '🎉' });
  });

  it('a reaction to a message we do not have is stored on its own', async () => {
    const orphan = edit(fixture('inbound-reaction.json'), 'messages', (m) => {
      m.id = 'wamid.FAKE_IN_REACTION_ORPHAN';
      m.reaction = { message_id: 'wamid.NEVER_SEEN', emoji: '😮' };
    });
    await deliver(t.db, ws.workspaceId, orphan);
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_IN_REACTION_ORPHAN')).toMatchObject({ type: 'reaction', text: 'Reacted 😮' });
  });

  it('reactions stay in their workspace, even on the same wamid', async () => {
    const other = await insertId(t.db, 'workspace', { name: 'other', slug: 'other-reactions' });
    const number = await insertId(t.db, 'whatsapp_number', { workspace_id: other, phone_number_id: '100000000000009', waba_id: '100000000000008', access_token_sealed: 'x' });
    const contact = await insertId(t.db, 'contact', { workspace_id: other, wa_id: CUSTOMER });
    const conversation = await insertId(t.db, 'conversation', { workspace_id: other, contact_id: contact, whatsapp_number_id: number, opened_at: new Date(), last_message_at: new Date() });
    await insertOutbound(t.db, other, 'wamid.FAKE_OUTBOUND_0001', conversation);
    const again = edit(fixture('inbound-reaction.json'), 'messages', (m) => {
      m.id = 'wamid.FAKE_IN_REACTION_TENANT';
    });
    await deliver(t.db, ws.workspaceId, again);
    expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).reactions).toMatchObject({ [CUSTOMER]: '👍' });
    expect((await messageByWamid(t.db, other, 'wamid.FAKE_OUTBOUND_0001')).reactions).toEqual({});
  });
});
