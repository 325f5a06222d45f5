import { NumberDirectory } from '../../core/inbox/number-directory';
import { seedFixtureNumber } from '../support/seed';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

describe('NumberDirectory', () => {
  let t: TestDatabase;
  let workspaceId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    [{ id: workspaceId }] = await t.db('workspace').insert({ name: 'W', slug: 'w' }).returning('id');
  });
  afterAll(() => t.drop());

  it('finds a number registered after its first miss, once the miss-reload interval passed', async () => {
    const directory = new NumberDirectory(t.db, { missReloadMs: 50 });
    expect(await directory.workspaceForNumber('100000000000002')).toBeNull();
    await seedFixtureNumber(t.db, workspaceId);
    expect(await directory.workspaceForNumber('100000000000002')).toBeNull(); // within the interval: no query per miss
    await new Promise((r) => setTimeout(r, 60));
    expect(await directory.workspaceForNumber('100000000000002')).toBe(workspaceId);
    expect(await directory.workspaceForWaba('100000000000001')).toBe(workspaceId);
  });

  it('sees a change at once after invalidate()', async () => {
    const directory = new NumberDirectory(t.db);
    expect(await directory.workspaceForNumber('100000000000009')).toBeNull();
    await seedFixtureNumber(t.db, workspaceId, { phone_number_id: '100000000000009', waba_id: '100000000000008' });
    directory.invalidate();
    expect(await directory.workspaceForNumber('100000000000009')).toBe(workspaceId);
  });
});
