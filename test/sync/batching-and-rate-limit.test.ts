import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { fakePlatform, ingestTexts, outboxStates, startSyncHarness, waitFor, type SyncHarness } from './sync-harness';

describe('sync: batching and the rate limit', () => {
  let h: SyncHarness;
  let fake: FakePlatform;
  const LIMIT = { requests: 3, windowMs: 1_000 };
  beforeAll(async () => {
    h = await startSyncHarness();
    fake = await fakePlatform({ maxBatch: 5, limit: LIMIT, responseMs: 10 });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.stop();
  });

  it('never more than the batch size per request, never more than K requests per window', async () => {
    const installation = await h.install(fake, { batchSize: 5, requestsPerWindow: LIMIT.requests, windowMs: LIMIT.windowMs });
    const wamids = await ingestTexts(h, 4, 10);
    await waitFor(async () => (await outboxStates(h.t.db, installation.id)).delivered === wamids.length, 'every event delivered', 30_000);

    expect(fake.records).toHaveLength(40);
    expect(fake.duplicates).toBe(0);
    expect(fake.quotaRefusals).toBe(0);
    expect(fake.requests.every((r) => r.status === 200 && r.events <= 5)).toBe(true);
    expect(fake.requests.length).toBeGreaterThanOrEqual(8);
    const times = fake.requests.map((r) => r.at);
    for (const at of times) {
      expect(times.filter((t) => t > at - LIMIT.windowMs && t <= at).length).toBeLessThanOrEqual(LIMIT.requests);
    }
  }, 40_000);
});
