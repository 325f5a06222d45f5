import { assignConversation } from '../../core/engine/conversation-commands';
import {
  conversationOf, deliver, edit, fixture, jobs, messageByWamid, textMessage, updateNumber, useEngineWorkspace,
} from './engine-harness';

describe('read receipts, by the number\'s policy', () => {
  const env = useEngineWorkspace();

  const markReads = async () => (await jobs(env.db, 'whatsapp.mark_read')).map((j) => j.payload.messageId);
  const reactionFrom = (from: string, id: string, target: string) => edit(edit(fixture('inbound-reaction.json'), 'messages', (m) => {
    m.id = id;
    m.from = from;
    m.timestamp = '1750000100';
    m.reaction = { message_id: target, emoji: '👍' };
  }), 'contacts', (c) => {
    c.wa_id = from;
  });

  it('on_assign (the default): nothing on receipt; assigning marks the latest inbound message read', async () => {
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.RR_ASSIGN_1', body: 'one', timestamp: 1_750_000_000, from: '15550030001' }));
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.RR_ASSIGN_2', body: 'two', timestamp: 1_750_000_050, from: '15550030001' }));
    await deliver(env.db, env.ws.workspaceId, reactionFrom('15550030001', 'wamid.RR_ASSIGN_REACTION', 'wamid.RR_ASSIGN_1'));
    expect(await markReads()).toEqual([]);
    const conversation = await conversationOf(env.db, env.ws.workspaceId, 'wamid.RR_ASSIGN_2');
    await assignConversation(env.db, env.ws.workspaceId, conversation.id, null, 'admin-token');
    expect(await markReads()).toEqual([]);
    await assignConversation(env.db, env.ws.workspaceId, conversation.id, { platform: 'zendesk', id: '42', name: 'Ana' }, 'zendesk:42');
    const latest = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.RR_ASSIGN_2');
    expect(await jobs(env.db, 'whatsapp.mark_read')).toEqual([{ task: 'whatsapp.mark_read', payload: { workspaceId: env.ws.workspaceId, messageId: latest.id }, max_attempts: 5 }]);
  });

  it('on_receipt: every stored inbound message, but not reactions or system notices; assigning adds nothing', async () => {
    await updateNumber(env.db, env.ws, { read_receipts: 'on_receipt' });
    const before = await markReads();
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.RR_RECEIPT_1', body: 'one', timestamp: 1_750_000_000, from: '15550030002' }));
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-image.json'));
    await deliver(env.db, env.ws.workspaceId, reactionFrom('15550030002', 'wamid.RR_RECEIPT_REACTION', 'wamid.RR_RECEIPT_1'));
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-system-user-changed-number.json'));
    const text = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.RR_RECEIPT_1');
    const image = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_IMAGE_0001');
    expect((await markReads()).slice(before.length)).toEqual([text.id, image.id]);
    await assignConversation(env.db, env.ws.workspaceId, text.conversation_id, { platform: 'hubspot', id: '7', name: 'Bo' }, 'hubspot:7');
    expect((await markReads()).slice(before.length)).toEqual([text.id, image.id]);
    // A redelivery does not send a second receipt.
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-image.json'), { redeliver: true });
    expect((await markReads()).slice(before.length)).toEqual([text.id, image.id]);
  });

  it('never: no receipt on receipt nor on assignment', async () => {
    await updateNumber(env.db, env.ws, { read_receipts: 'never' });
    const before = await markReads();
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.RR_NEVER', body: 'hi', timestamp: 1_750_000_000, from: '15550030003' }));
    const conversation = await conversationOf(env.db, env.ws.workspaceId, 'wamid.RR_NEVER');
    await assignConversation(env.db, env.ws.workspaceId, conversation.id, { platform: 'salesforce', id: '005', name: 'Cy' }, 'salesforce:005');
    expect(await markReads()).toEqual(before);
  });
});
