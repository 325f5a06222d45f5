import request from 'supertest';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { ADMIN_TOKEN, FAST_RETRY, fakePlatform, ingestTexts, outboxStates, startSyncHarness, waitFor, type SyncHarness } from './sync-harness';

interface DeadLetterItem {
  id: number;
  installation_id: string;
  connector: string;
  type: string;
  attempts: number;
  last_error: string | null;
  data: { wamid?: string };
}

describe('sync dead letters', () => {
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

  const auth = `Bearer ${ADMIN_TOKEN}`;
  const list = async (): Promise<DeadLetterItem[]> => {
    const res = await request(h.url).get('/api/v1/sync/dead-letters').set('authorization', auth);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('after the last retry an event is a dead letter, listed by the admin API; replaying it delivers it', async () => {
    fake.goDown();
    const installation = await h.install(fake);
    const wamids = await ingestTexts(h, 1, 2);
    await waitFor(async () => (await outboxStates(h.t.db, installation.id)).dead === 2, 'both events to be dead letters');

    const dead = await list();
    expect(dead).toHaveLength(2);
    expect(dead.map((d) => d.data.wamid)).toEqual([...wamids].reverse()); // newest first
    for (const d of dead) {
      expect(d).toMatchObject({ installation_id: installation.id, connector: 'test-platform', type: 'message.inbound', attempts: FAST_RETRY.maxAttempts });
      expect(d.last_error).toContain('PLATFORM_UNAVAILABLE');
    }
    expect(fake.records).toEqual([]);

    fake.recover();
    for (const d of [...dead].reverse()) {
      const res = await request(h.url).post(`/api/v1/sync/dead-letters/${d.id}/replay`).set('authorization', auth);
      expect(res.status).toBe(202);
    }
    await waitFor(async () => (await outboxStates(h.t.db, installation.id)).delivered === 2, 'the replayed events to be delivered');
    expect(fake.records.map((r) => r.data.wamid)).toEqual(wamids);
    expect(await list()).toEqual([]);

    const again = await request(h.url).post(`/api/v1/sync/dead-letters/${dead[0]?.id}/replay`).set('authorization', auth);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
  });

  it('needs the admin token, and checks its parameters', async () => {
    expect((await request(h.url).get('/api/v1/sync/dead-letters')).status).toBe(401);
    expect((await request(h.url).post('/api/v1/sync/dead-letters/abc/replay').set('authorization', auth)).status).toBe(400);
    expect((await request(h.url).get('/api/v1/sync/dead-letters?limit=0').set('authorization', auth)).status).toBe(400);
  });
});
