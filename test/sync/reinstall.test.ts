import { installConnector, requireReinstall } from '../../core/connectors/installations';
import type { FakePlatform } from '../connectors/fake-platform/fake-platform';
import { FAKE_API_KEY, fakePlatform, ingestTexts, outboxStates, startSyncHarness, waitFor, type SyncHarness } from './sync-harness';

describe('an installation the platform revoked', () => {
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

  it('gets nothing while it needs a re-install; installed again, what waited is delivered, in order, once', async () => {
    const { id, replySecret } = await h.install(fake);
    fake.goDown();
    const waiting = await ingestTexts(h, 1, 2);
    await waitFor(async () => (await h.t.db('sync_outbox').where({ installation_id: id, state: 'pending' }).whereNotNull('not_before').first('id')) !== undefined, 'a delivery backing off');
    await requireReinstall(h.t.db, h.ws.workspaceId, id, 'the platform refused our credentials', 'test');
    // A delivery job already running when the platform revoked us may finish its batch; wait until none runs.
    await waitFor(async () => (await h.t.db('graphile_worker._private_jobs').where({ key: `sync:${id}` }).whereNotNull('locked_at').first('id')) === undefined, 'no delivery job running');
    fake.recover();

    // Revoked: no new events fan out to it, and what waits is not sent.
    await ingestTexts(h, 1, 1, 1_750_000_100);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(fake.records).toHaveLength(0);
    expect(await outboxStates(h.t.db, id)).toEqual({ pending: 2 });

    const row: { account_id: string; settings: Record<string, unknown> } = await h.t.db('installation').where({ id }).first('account_id', 'settings');
    const again = await installConnector({ db: h.t.db, secrets: h.secrets, registry: h.registry }, h.ws.workspaceId, {
      connector: 'test-platform', accountId: row.account_id, config: row.settings, credentials: { apiKey: FAKE_API_KEY, replySecret },
    }, 'test');
    expect(again).toMatchObject({ ok: true, created: false, installation: { id, state: 'active' } });
    await waitFor(() => fake.records.length === 2, 'what waited, delivered after the re-install', 20_000);
    expect(fake.records.map((r) => r.externalId)).toEqual(waiting.map((w) => `wa:${w}`));
  });
});
