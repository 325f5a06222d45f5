import { send } from '../../core/send/send-message';
import { auditRows, SENDER, startSendHarness, type SendHarness } from '../send/send-harness';
import { waitFor } from './fault-support';

/**
 * Meta failing sends: a 500 outage, generic 131000 errors, then 131047 (permanent) as a send error and as a
 * late failed status. Each reply ends sent once, or failed and reported to its sender: none stays queued or
 * disappears.
 */
describe('Meta failing sends', () => {
  let h: SendHarness;
  beforeAll(async () => {
    h = await startSendHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function reply(conversationId: string, body: string): Promise<string> {
    const result = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: `faults-${body}`, sender: SENDER, content: { type: 'text', body } });
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
    return result.outbound.messageId;
  }
  const attemptsOf = async (messageId: string) => Number((await h.rt.db('outbound_request').where({ message_id: messageId }).first('attempts'))?.attempts);

  it('retries 500s and 131000 with backoff and sends once; 131047 fails the message and reaches the sender', async () => {
    const [anna, ben, cleo, dora] = await Promise.all(['15550600001', '15550600002', '15550600003', '15550600004'].map((waId) => h.conversationWith(waId)));
    if (!anna || !ben || !cleo || !dora) throw new Error('conversations missing');

    // Meta down (HTTP 500): the first attempts fail and are rescheduled.
    h.fake.state.setOutage(true, { httpStatus: 500, graphError: true });
    const retried = [await reply(anna, 'anna 1'), await reply(anna, 'anna 2'), await reply(ben, 'ben 1')];
    await waitFor(async () => (await attemptsOf(retried[0] ?? '')) >= 1 && (await attemptsOf(retried[2] ?? '')) >= 1, 'the sends to fail against the outage');
    h.fake.state.setOutage(false);
    // Back, but the next two sends get 131000 ("Something went wrong"): retryable too.
    h.fake.state.failNext(2, 131000);
    const settled = await Promise.all(retried.map((id) => h.settled(id)));
    expect(settled.map((m) => m.status)).not.toContain('failed');

    // 131000, then 131047 on the retry: the message fails for good, with Meta's reason, and the sender hears of it.
    h.fake.state.failNext(1, 131000);
    h.fake.state.failNext(1, 131047);
    const refused = await reply(cleo, 'cleo 1');
    expect(await h.settled(refused)).toMatchObject({ status: 'failed', wamid: null, error_code: 131047 });
    // Accepted by Meta, then a failed 131047 status webhook: the same end.
    h.fake.state.failDeliveryTo('15550600004');
    const late = await reply(dora, 'dora 1');
    await h.settled(late);
    await h.fake.flushWebhooks();
    await waitFor(async () => (await h.rt.db('message').where({ id: late }).first('status')).status === 'failed', 'the late failed status');

    // Every reply accounted for: nothing queued, each accepted one sent exactly once, each failed one reported.
    const requests: { message_id: string; state: string }[] = await h.rt.db('outbound_request').select('message_id', 'state');
    expect(requests.filter((r) => r.state === 'queued')).toEqual([]);
    const sentBodies = h.fake.state.sent.filter((m) => m.waId.startsWith('155506')).map((m) => (m.request.type === 'text' ? m.request.text.body : ''));
    expect(sentBodies.filter((b) => b.startsWith('anna'))).toEqual(['anna 1', 'anna 2']); // a customer's order kept through the retries
    expect([...sentBodies].sort()).toEqual(['anna 1', 'anna 2', 'ben 1', 'dora 1']);
    for (const failed of [refused, late]) {
      expect(await auditRows(h, 'message.failed', failed)).toEqual([
        { actor: 'whatsapp', data: expect.objectContaining({ sender: SENDER, error: expect.objectContaining({ code: 131047 }) }) },
      ]);
    }
    // The retries really happened: each customer's first send needed more than one attempt (anna 2 waited behind anna 1).
    for (const id of [retried[0], retried[2]]) expect(await attemptsOf(id ?? '')).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
