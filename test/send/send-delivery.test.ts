import { send } from '../../core/send/send-message';
import { waitFor } from '../admin/admin-helpers';
import { auditRows, SENDER, startSendHarness, type SendHarness } from './send-harness';

describe('send: retries, failures back to the sender, idempotency', () => {
  let h: SendHarness;
  let key = 0;

  beforeAll(async () => {
    h = await startSendHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function sendText(conversationId: string, body: string, idempotencyKey = `delivery-${(key += 1)}`) {
    const result = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey, sender: SENDER, content: { type: 'text', body } });
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
    return result;
  }
  const sentTo = (waId: string) => h.fake.state.sent.filter((m) => m.waId === waId);

  it.each([[130429], [131056]])('%i is retried with backoff and the message goes out later, once', async (code) => {
    const waId = `1555000${code === 130429 ? '8001' : '8002'}`;
    const conversationId = await h.conversationWith(waId);
    h.fake.state.failNext(2, code);
    const { outbound } = await sendText(conversationId, `after ${code}`);
    const message = await h.settled(outbound.messageId);
    expect(message.status).not.toBe('failed');
    expect(sentTo(waId)).toHaveLength(1);
    const request: { attempts: number; state: string } = await h.rt.db('outbound_request').where({ id: outbound.requestId }).first('attempts', 'state');
    expect(request).toEqual({ attempts: 3, state: 'accepted' });
    // The two refusals really were at Meta, before the accepted send.
    const refusals = h.fake.state.requests.filter((r) => r.path.endsWith('/messages') && r.status === 400 && (r.body as { to?: string }).to === `+${waId}`);
    expect(refusals).toHaveLength(2);
    await waitFor(async () => (await h.rt.db('message').where({ id: outbound.messageId }).first('status')).status === 'delivered', 'the delivered webhook');
  }, 30_000);

  it('messages to one customer keep their order while the first waits for its retry', async () => {
    const waId = '15550008003';
    const conversationId = await h.conversationWith(waId);
    h.fake.state.failNext(1, 131056);
    const first = await sendText(conversationId, 'first');
    const second = await sendText(conversationId, 'second');
    await h.settled(first.outbound.messageId);
    await h.settled(second.outbound.messageId);
    expect(sentTo(waId).map((m) => (m.request.type === 'text' ? m.request.text.body : ''))).toEqual(['first', 'second']);
  }, 30_000);

  it('131047 as a send error fails the message, closes the window, and reaches the sender', async () => {
    const waId = '15550008004';
    const conversationId = await h.conversationWith(waId);
    h.fake.state.failNext(1, 131047);
    const { outbound } = await sendText(conversationId, 'too late?');
    const message = await h.settled(outbound.messageId);
    expect(message).toMatchObject({ status: 'failed', wamid: null, error_code: 131047, error_title: 'Re-engagement message', error_details: expect.stringContaining('24 hours') });
    expect(sentTo(waId)).toHaveLength(0);
    expect(await auditRows(h, 'message.failed', outbound.messageId)).toEqual([
      { actor: 'whatsapp', data: expect.objectContaining({ sender: SENDER, conversationId, error: expect.objectContaining({ code: 131047 }) }) },
    ]);
    const conversation: { window_expires_at: Date } = await h.rt.db('conversation').where({ id: conversationId }).first('window_expires_at');
    expect(conversation.window_expires_at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('131047 as a late failed status after Meta\'s 200 reaches the sender too', async () => {
    const waId = '15550008005';
    const conversationId = await h.conversationWith(waId);
    h.fake.state.failDeliveryTo(waId);
    const { outbound } = await sendText(conversationId, 'accepted, then failed');
    const accepted = await h.settled(outbound.messageId);
    expect(accepted.wamid).toMatch(/^wamid\.FAKE_SENT_/);
    await h.fake.flushWebhooks();
    await waitFor(async () => (await h.rt.db('message').where({ id: outbound.messageId }).first('status')).status === 'failed', 'the late failed status');
    const message = await h.rt.db('message').where({ id: outbound.messageId }).first('error_code', 'error_title');
    expect(message).toEqual({ error_code: 131047, error_title: 'Re-engagement message' });
    expect(await auditRows(h, 'message.failed', outbound.messageId)).toEqual([
      { actor: 'whatsapp', data: expect.objectContaining({ sender: SENDER, wamid: accepted.wamid, error: expect.objectContaining({ code: 131047 }) }) },
    ]);
    const state = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: `delivery-${key}`, sender: SENDER, content: { type: 'text', body: 'accepted, then failed' } });
    expect(state.ok && state.outbound).toMatchObject({ state: 'failed', error: { code: 131047 } });
  });

  it('a duplicate idempotency key sends once and returns the first result; other content under it is refused', async () => {
    const waId = '15550008006';
    const conversationId = await h.conversationWith(waId);
    const [a, b] = await Promise.all([sendText(conversationId, 'only once', 'dup-key'), sendText(conversationId, 'only once', 'dup-key')]);
    expect(a.outbound.messageId).toBe(b.outbound.messageId);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    await h.settled(a.outbound.messageId);
    const again = await sendText(conversationId, 'only once', 'dup-key');
    expect(again).toMatchObject({ duplicate: true, outbound: { messageId: a.outbound.messageId, state: 'accepted', wamid: expect.stringMatching(/^wamid\./) } });
    expect(sentTo(waId)).toHaveLength(1);
    const other = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: 'dup-key', sender: SENDER, content: { type: 'text', body: 'something else' } });
    expect(other).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('a rejected token (190) marks the number as needing attention and fails the message clearly', async () => {
    const waId = '15550008007';
    const conversationId = await h.conversationWith(waId);
    h.fake.state.failNext(1, 190);
    const { outbound } = await sendText(conversationId, 'token trouble');
    const message = await h.settled(outbound.messageId);
    expect(message).toMatchObject({ status: 'failed', error_code: 190, error_details: expect.stringContaining('Reconnect the number') });
    const number: { state: string } = await h.rt.db('whatsapp_number').where({ id: h.numberId }).first('state');
    expect(number.state).toBe('needs_attention');
    const refused = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: 'after-190', sender: SENDER, content: { type: 'text', body: 'again' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NUMBER_NEEDS_ATTENTION' } });
    await h.rt.db('whatsapp_number').where({ id: h.numberId }).update({ state: 'active', state_reason: null });
  });
});
