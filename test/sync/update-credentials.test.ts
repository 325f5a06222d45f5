import crypto from 'node:crypto';
import { installConnector, uninstallConnector } from '../../core/connectors/installations';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { InstallationNotActiveError, updateInstallationCredentials } from '../../core/connectors/update-credentials';
import { SecretBox } from '../../core/crypto/secret-box';
import { testConnector } from '../connectors/test-connector/test-connector';
import { createWorkspace } from '../engine/engine-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

let t: TestDatabase;
let workspaceId: string;
const secrets = new SecretBox(crypto.randomBytes(32));
const registry = new ConnectorRegistry([testConnector]);

beforeAll(async () => {
  t = await createTestDatabase();
  ({ workspaceId } = await createWorkspace(t.db));
});
afterAll(() => t.drop());

async function installed(credentials: Record<string, unknown>): Promise<{ workspaceId: string; installationId: string }> {
  const result = await installConnector({ db: t.db, secrets, registry }, workspaceId, {
    connector: testConnector.id, accountId: `acct-${crypto.randomBytes(3).toString('hex')}`, config: { baseUrl: 'http://127.0.0.1:1' }, credentials,
  }, 'test');
  if (!result.ok) throw new Error(result.message);
  return { workspaceId, installationId: result.installation.id };
}

describe('updateInstallationCredentials', () => {
  it('runs concurrent changes one at a time, each seeing what the previous one saved', async () => {
    const { workspaceId, installationId } = await installed({ apiKey: 'apiKey-00', replySecret: 'r'.repeat(32) });
    const seen: string[] = [];
    // A rotating refresh: each caller reads the stored apiKey and replaces it; none may read a spent one.
    const rotate = () => updateInstallationCredentials({ db: t.db, secrets }, workspaceId, installationId, async (current) => {
      const { apiKey, ...rest } = current as { apiKey: string };
      seen.push(apiKey);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { ...rest, apiKey: `apiKey-${Number(apiKey.split('-')[1]) + 1}` };
    });
    const results = await Promise.all([rotate(), rotate(), rotate(), rotate()]);
    expect(seen.sort()).toEqual(['apiKey-00', 'apiKey-1', 'apiKey-2', 'apiKey-3']);
    expect(results.map((r) => (r as { apiKey: string }).apiKey).sort()).toEqual(['apiKey-1', 'apiKey-2', 'apiKey-3', 'apiKey-4']);
    const row: { credentials_sealed: string } = await t.db('installation').where({ id: installationId }).first('credentials_sealed');
    expect(row.credentials_sealed).not.toContain('apiKey-4'); // sealed at rest
    expect(JSON.parse(secrets.open(row.credentials_sealed))).toMatchObject({ apiKey: 'apiKey-4' });
  });

  it('keeps what is stored when the change returns null, and refuses an uninstalled installation', async () => {
    const { workspaceId, installationId } = await installed({ apiKey: 'kept-key-1', replySecret: 'r'.repeat(32) });
    await expect(updateInstallationCredentials({ db: t.db, secrets }, workspaceId, installationId, async () => null)).resolves.toMatchObject({ apiKey: 'kept-key-1' });
    await uninstallConnector(t.db, workspaceId, installationId, 'test');
    await expect(updateInstallationCredentials({ db: t.db, secrets }, workspaceId, installationId, async () => ({ apiKey: 'x' }))).rejects.toBeInstanceOf(InstallationNotActiveError);
  });
});
