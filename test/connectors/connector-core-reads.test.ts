import crypto from 'node:crypto';
import { z } from 'zod';
import { parseInstallation } from '../../core/connectors/define-connector';
import { installConnector, uninstallConnector } from '../../core/connectors/installations';
import { openActiveInstallations, openInstallation, workspaceOfInstallation } from '../../core/connectors/open-installation';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { readConversationConsent } from '../../core/conversations/read-consent';
import { SecretBox } from '../../core/crypto/secret-box';
import { findLinkedEntity, saveLinks } from '../../core/sync/external-links';
import { conversationOf, createWorkspace, deliver, textMessage } from '../engine/engine-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { testConnector } from './test-connector/test-connector';

/**
 * What core offers a connector's own routes (the Zendesk sidebar): installations opened with a working
 * `updateCredentials`, the reverse lookup of an external link, and a conversation's consent.
 */
let t: TestDatabase;
let workspaceId: string;
let otherWorkspaceId: string;
const secrets = new SecretBox(crypto.randomBytes(32));
const registry = new ConnectorRegistry([testConnector]);
const deps = () => ({ db: t.db, secrets });
const credentials = (apiKey: string) => ({ apiKey, replySecret: 'r'.repeat(32) });
/** The schemas a connector parses its installations with. */
const schemas = {
  displayName: 'Test',
  configSchema: z.object({ baseUrl: z.url(), batchSize: z.number().int().default(100) }),
  credentialsSchema: z.object({ apiKey: z.string().min(8), replySecret: z.string().min(8) }),
};

/** A workspace without a number (the fixtures' number belongs to the first one). */
async function bareWorkspace(): Promise<string> {
  const slug = `ws-${crypto.randomBytes(4).toString('hex')}`;
  const [row]: { id: string }[] = await t.db('workspace').insert({ name: slug, slug }).returning('id');
  if (!row) throw new Error('workspace not inserted');
  return row.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ workspaceId } = await createWorkspace(t.db));
  otherWorkspaceId = await bareWorkspace();
});
afterAll(() => t.drop());

async function install(inWorkspace: string, apiKey: string): Promise<string> {
  const result = await installConnector({ db: t.db, secrets, registry }, inWorkspace, {
    connector: testConnector.id, accountId: `acct-${crypto.randomBytes(3).toString('hex')}`, config: { baseUrl: 'http://127.0.0.1:1' }, credentials: credentials(apiKey),
  }, 'test');
  if (!result.ok) throw new Error(result.message);
  return result.installation.id;
}

describe('openInstallation, openActiveInstallations and parseInstallation', () => {
  it('opens an active installation; its parsed updateCredentials changes what is stored, sealed', async () => {
    const id = await install(workspaceId, 'first-key-1');
    const opened = await openInstallation(deps(), workspaceId, id);
    if (!opened.ok) throw new Error(opened.message);
    expect(opened.record).toMatchObject({ id, workspaceId, connector: testConnector.id, credentials: credentials('first-key-1') });
    const parsed = parseInstallation(schemas, opened.record);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.installation.config).toMatchObject({ baseUrl: 'http://127.0.0.1:1', batchSize: 100 });
    const seen: unknown[] = [];
    const saved = await parsed.installation.updateCredentials(async (stored) => {
      seen.push(stored);
      return { ...stored, apiKey: 'second-key-2' };
    });
    expect(seen).toEqual([credentials('first-key-1')]);
    expect(saved).toEqual(credentials('second-key-2'));
    const row: { credentials_sealed: string } = await t.db('installation').where({ id }).first('credentials_sealed');
    expect(row.credentials_sealed).not.toContain('second-key-2');
    expect(JSON.parse(secrets.open(row.credentials_sealed))).toEqual(credentials('second-key-2'));
    // A change the schema refuses is never saved.
    await expect(parsed.installation.updateCredentials(async (stored) => ({ ...stored, apiKey: 'short' }))).rejects.toThrow();
    expect(JSON.parse(secrets.open((await t.db('installation').where({ id }).first('credentials_sealed')).credentials_sealed))).toEqual(credentials('second-key-2'));
  });

  it('refuses another workspace\'s, an unknown and an uninstalled installation; settings that do not parse are an error value', async () => {
    const id = await install(workspaceId, 'third-key-3');
    expect(await openInstallation(deps(), otherWorkspaceId, id)).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(await openInstallation(deps(), workspaceId, crypto.randomUUID())).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    const opened = await openInstallation(deps(), workspaceId, id);
    if (!opened.ok) throw new Error(opened.message);
    expect(parseInstallation(schemas, { ...opened.record, credentials: { apiKey: 'x' } }))
      .toMatchObject({ ok: false, code: 'CREDENTIALS_INVALID', message: expect.stringMatching(/^Test credentials: apiKey: /) });
    await uninstallConnector(t.db, workspaceId, id, 'test');
    expect(await openInstallation(deps(), workspaceId, id)).toMatchObject({ ok: false, code: 'NOT_ACTIVE' });
  });

  it('lists a connector\'s active installations, oldest first, opened: in one workspace or in all', async () => {
    const connector = 'list-connector';
    const [ws, elsewhere] = [await bareWorkspace(), await bareWorkspace()];
    // Written directly: installConnector would need a registered connector of this id.
    const insert = async (workspaceId: string, apiKey: string, state = 'active') => (await t.db('installation').insert({
      workspace_id: workspaceId, connector, account_id: apiKey, settings: JSON.stringify({}), state, credentials_sealed: secrets.seal(JSON.stringify(credentials(apiKey))),
    }).returning('id'))[0].id as string;
    const first = await insert(ws, 'list-key-1');
    const second = await insert(ws, 'list-key-2');
    await insert(ws, 'list-key-3', 'uninstalled');
    const third = await insert(elsewhere, 'list-key-4');
    const listed = (where?: { workspaceId: string }) => openActiveInstallations(deps(), connector, where).then((rs) => rs.map((r) => [r.id, r.workspaceId, r.credentials]));
    expect(await listed({ workspaceId: ws })).toEqual([[first, ws, credentials('list-key-1')], [second, ws, credentials('list-key-2')]]);
    expect(await listed()).toEqual([[first, ws, credentials('list-key-1')], [second, ws, credentials('list-key-2')], [third, elsewhere, credentials('list-key-4')]]);
    expect(await openActiveInstallations(deps(), 'another-connector', { workspaceId: ws })).toEqual([]);
    expect(await workspaceOfInstallation(t.db, third)).toBe(elsewhere);
    expect(await workspaceOfInstallation(t.db, crypto.randomUUID())).toBeUndefined();
  });
});

describe('findLinkedEntity', () => {
  it('finds the entity behind an external id through the named installations only', async () => {
    const a = await install(workspaceId, 'link-key-a');
    const b = await install(workspaceId, 'link-key-b');
    const [convA, convB] = [crypto.randomUUID(), crypto.randomUUID()];
    // The same external id on two installations (ticket numbers are per platform account).
    await saveLinks(t.db, workspaceId, a, [{ entityType: 'conversation', entityId: convA, externalType: 'ticket', externalId: '501' }]);
    await saveLinks(t.db, workspaceId, b, [{ entityType: 'conversation', entityId: convB, externalType: 'ticket', externalId: '501' }]);
    const ticket = { entityType: 'conversation' as const, externalType: 'ticket', externalId: '501' };
    expect(await findLinkedEntity(t.db, workspaceId, [a], ticket)).toEqual({ entityId: convA, installationId: a });
    expect(await findLinkedEntity(t.db, workspaceId, [b], ticket)).toEqual({ entityId: convB, installationId: b });
    expect(await findLinkedEntity(t.db, workspaceId, [a], { ...ticket, externalId: '502' })).toBeNull();
    expect(await findLinkedEntity(t.db, workspaceId, [a], { ...ticket, externalType: 'comment' })).toBeNull();
    expect(await findLinkedEntity(t.db, workspaceId, [a], { ...ticket, entityType: 'message' })).toBeNull();
    expect(await findLinkedEntity(t.db, otherWorkspaceId, [a], ticket)).toBeNull();
    expect(await findLinkedEntity(t.db, workspaceId, [], ticket)).toBeNull();
  });
});

describe('readConversationConsent', () => {
  it('nothing recorded reads as unknown and subscribed; STOP as opted out; another workspace or no conversation as null', async () => {
    await deliver(t.db, workspaceId, textMessage({ id: 'wamid.READ_CONSENT_1', body: 'Hello', timestamp: 1_750_000_001, from: '15550030001' }));
    const conversation = (await conversationOf(t.db, workspaceId, 'wamid.READ_CONSENT_1')).id;
    expect(await readConversationConsent(t.db, workspaceId, conversation)).toEqual({ status: 'unknown', marketing: 'subscribed' });
    await deliver(t.db, workspaceId, textMessage({ id: 'wamid.READ_CONSENT_2', body: 'STOP', timestamp: 1_750_000_002, from: '15550030001' }));
    expect(await readConversationConsent(t.db, workspaceId, conversation)).toEqual({ status: 'opted_out', marketing: 'subscribed' });
    expect(await readConversationConsent(t.db, otherWorkspaceId, conversation)).toBeNull();
    expect(await readConversationConsent(t.db, workspaceId, crypto.randomUUID())).toBeNull();
  });
});
