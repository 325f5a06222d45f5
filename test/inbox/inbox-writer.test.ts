import { InboxWriter, type RoutedDraft } from '../../core/inbox/inbox-writer';
import { DRAIN_JOB_KEY_PREFIX, shardOf } from '../../core/inbox/shard';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/** A job the worker would take: due, unlocked, with attempts left. */
async function runnableDrainJobs(t: TestDatabase, shard: number): Promise<number> {
  const r = await t.db.raw('select count(*)::int as n from graphile_worker._private_jobs where key = ? and locked_at is null and is_available and run_at <= now()', [`${DRAIN_JOB_KEY_PREFIX}${shard}`]);
  return r.rows[0].n;
}

describe('InboxWriter: every stored event has a drain job that can run', () => {
  let t: TestDatabase;
  let workspaceId: string;
  const conversationKey = '100000000000002:15550001111';
  const shard = shardOf(conversationKey);
  let n = 0;
  const draft = (): RoutedDraft => ({
    dedupeKey: `m:wamid.WRITER_${++n}`, phoneNumberId: '100000000000002', wabaId: '100000000000001', conversationKey, eventAt: new Date(), workspaceId,
    payload: { kind: 'message', phoneNumberId: '100000000000002', wabaId: '100000000000001', contact: null, message: { id: `wamid.WRITER_${n}`, from: '15550001111', timestamp: '1750000000', type: 'text' } },
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: workspaceId }] = await t.db('workspace').insert({ name: 'W', slug: 'w' }).returning('id');
  });
  afterAll(() => t.drop());
  beforeEach(() => t.db.raw('delete from graphile_worker._private_jobs'));

  it('reuses a queued, due drain job instead of adding one', async () => {
    const writer = new InboxWriter(t.db);
    await writer.write([draft()]);
    await writer.write([draft()]);
    expect(await runnableDrainJobs(t, shard)).toBe(1);
  });

  it.each([
    ['out of attempts', 'attempts = max_attempts'],
    ['backing off until later', "run_at = now() + interval '1 hour', attempts = 3"],
  ])('does not count on a job that is %s: the next event makes one run now', async (_name, state) => {
    const writer = new InboxWriter(t.db);
    await writer.write([draft()]);
    await t.db.raw(`update graphile_worker._private_jobs set ${state} where key = ?`, [`${DRAIN_JOB_KEY_PREFIX}${shard}`]);
    expect(await runnableDrainJobs(t, shard)).toBe(0);
    await writer.write([draft()]);
    expect(await runnableDrainJobs(t, shard)).toBe(1);
  });
});
