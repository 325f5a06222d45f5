import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { fakePlatform, ingestTexts, outboxStates, startSyncHarness, waitFor, wamidsByConversation, type SyncHarness } from './sync-harness';

/** The customer and position a test wamid encodes (`wamid.SYNC_<customer>_<index>_<random>`). */
function positionOf(wamid: string): { customer: string; index: number } {
  const [, customer = '', index = ''] = /^wamid\.SYNC_(\d+)_(\d+)_/.exec(wamid) ?? [];
  return { customer, index: Number(index) };
}

describe('sync: a platform that fails for a while', () => {
  let h: SyncHarness;
  let fake: FakePlatform;
  beforeAll(async () => {
    h = await startSyncHarness();
    fake = await fakePlatform();
  });
  afterAll(async () => {
    await h?.close();
    await fake?.stop();
  });

  it('500s and a 429 with Retry-After: once it recovers, every event is delivered once, in order per conversation', async () => {
    const installation = await h.install(fake, { batchSize: 4 });
    fake.failNext({ status: 500 }, { status: 500 }, { status: 429, retryAfterSeconds: 0.3 }, { status: 500 });
    const wamids = await ingestTexts(h, 3, 6);

    await waitFor(async () => (await outboxStates(h.t.db, installation.id)).delivered === wamids.length, 'every event delivered');
    expect(await outboxStates(h.t.db, installation.id)).toEqual({ delivered: 18 });
    expect(fake.requests.map((r) => r.status).slice(0, 4)).toEqual([500, 500, 429, 500]);
    // The 429 asked for 300 ms: nothing was sent to the platform before that.
    const limited = fake.requests[2];
    const after = fake.requests[3];
    expect(limited && after && after.at - limited.at).toBeGreaterThanOrEqual(290);

    const inbound = fake.records.filter((r) => r.type === 'message.inbound');
    expect(inbound.map((r) => r.data.wamid).sort()).toEqual([...wamids].sort());
    expect(fake.duplicates).toBe(0);
    const byConversation = wamidsByConversation(fake);
    expect(byConversation.size).toBe(3);
    for (const list of byConversation.values()) {
      const positions = list.map(positionOf);
      expect(new Set(positions.map((p) => p.customer)).size).toBe(1);
      expect(positions.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    // Batches of at most 4, and the platform's ids are kept for each message and conversation.
    expect(Math.max(...fake.requests.map((r) => r.events))).toBeLessThanOrEqual(4);
    const links: { external_type: string; n: number }[] = await h.t.db('external_link').where({ workspace_id: h.ws.workspaceId, installation_id: installation.id })
      .groupBy('external_type').select('external_type', h.t.db.raw('count(*)::int as n')).orderBy('external_type');
    expect(links).toEqual([{ external_type: 'thread', n: 3 }, { external_type: 'timeline_entry', n: 18 }]);
    const redelivered = await h.t.db('sync_outbox').where({ installation_id: installation.id }).max({ attempts: 'attempts' }).first();
    expect(redelivered?.attempts).toBe(3); // the 429 cost no attempt
  });
});
