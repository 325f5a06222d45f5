import { createTestDatabase, type TestDatabase } from '../support/test-db';

describe('test databases', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  it('gives each file its own migrated database', async () => {
    await a.db('workspace').insert({ name: 'A', slug: 'a' });
    expect(await a.db('workspace').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await b.db('workspace').count({ n: '*' })).toEqual([{ n: 0 }]);
    const jobs = await b.db.raw("select to_regclass('graphile_worker._private_jobs') as t");
    expect(jobs.rows[0].t).toBe('graphile_worker._private_jobs');
  });
});
