import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { refreshAccessToken, ZendeskRestClient, type ZendeskResult } from '../../connectors/zendesk/client';
import { withRestToken } from '../../connectors/zendesk/rest-token';
import { zendeskConnector } from '../../connectors/zendesk/zendesk-connector';
import type { ZendeskCredentials } from '../../connectors/zendesk/zendesk-settings';
import { installConnector } from '../../core/connectors/installations';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { SecretBox } from '../../core/crypto/secret-box';
import { createWorkspace } from '../engine/engine-harness';
import { fixtureOAuthClient } from '../fakes/zendesk/fake-state';
import { startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { loadZendeskInstallation, storedZendeskCredentials } from './zendesk-installation';
import { authorisedPair, useZendeskEnv } from './zendesk-world';

/**
 * The REST token of an installation (reference §3): Zendesk's access tokens expire and every refresh
 * rotates the refresh token and deletes the old pair, so concurrent callers, in this process and
 * another, must spend it once and all end on the pair that refresh saved.
 */
const root = path.resolve(__dirname, '../..');
const secretKey = crypto.randomBytes(32);
const secrets = new SecretBox(secretKey);
const registry = new ConnectorRegistry([zendeskConnector]);
const oauth = { apiBase: undefined, clientId: fixtureOAuthClient.clientId, clientSecret: fixtureOAuthClient.secret, timeoutMs: 5_000 };
let restoreEnv: () => void = () => undefined;
let t: TestDatabase;
let workspaceId: string;
let fake: ZendeskFake;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ workspaceId } = await createWorkspace(t.db));
  fake = await startZendeskFake({ accounts: ['acme'] });
  restoreEnv = useZendeskEnv(fake.apiBase);
});
afterAll(async () => {
  restoreEnv();
  await fake?.stop();
  await t?.drop();
});

const acme = () => fake.state.account('acme');
const oauthWith = () => ({ ...oauth, apiBase: fake.apiBase });

/** An installation holding a pair the fake issued (as the install flow stores it), the expiry as we recorded it. */
async function installWithPair(expiresAt: Date): Promise<{ installationId: string; old: { accessToken: string; refreshToken: string } }> {
  const { accessToken, refreshToken } = authorisedPair(acme());
  const credentials: ZendeskCredentials = { pushToken: 'push-token', metadataKey: 'k'.repeat(32), accessToken, refreshToken, accessTokenExpiresAt: expiresAt.toISOString() };
  const installed = await installConnector({ db: t.db, secrets, registry }, workspaceId, {
    connector: 'zendesk', accountId: `acme-${crypto.randomBytes(3).toString('hex')}`, config: { subdomain: 'acme', instancePushId: 'instance-1' }, credentials,
  }, 'test');
  if (!installed.ok) throw new Error(installed.message);
  return { installationId: installed.installation.id, old: { accessToken, refreshToken } };
}

/** One REST call through the token; resolves to the access token that call succeeded with. */
async function callerFor(installationId: string): Promise<() => Promise<ZendeskResult<string>>> {
  const installation = await loadZendeskInstallation({ db: t.db, secrets }, workspaceId, installationId);
  return () => withRestToken(installation, async (token) => {
    const found = await new ZendeskRestClient({ apiBase: fake.apiBase, timeoutMs: 5_000 }, 'acme', token).findUserByExternalId('whatsapp:1');
    return found.ok ? { ok: true as const, value: token } : found;
  }, { oauth: oauthWith() });
}

function startRefreshProcess(installationId: string, callers: number): Promise<{ go(): Promise<unknown[]>; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/zendesk/refresh-process.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.url, SECRET_KEY_HEX: secretKey.toString('hex'), WORKSPACE_ID: workspaceId, INSTALLATION_ID: installationId, CALLERS: String(callers) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`refresh process exited ${code}: ${err}`)))));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out === 'ready\n') {
        resolve({
          child,
          go: async () => {
            child.stdin?.end('go\n');
            await exited;
            return JSON.parse(out.slice('ready\n'.length)) as unknown[];
          },
        });
      }
    });
    exited.catch(reject);
  });
}

const tokenRequestsSince = (index: number) => fake.state.requests.slice(index).filter((r) => r.path === '/oauth/tokens');

describe('the Zendesk REST token', () => {
  it('a refresh-token rotation race between two processes ends with one refresh and one valid pair that every caller uses', async () => {
    // We recorded it as expiring in 30 s; at Zendesk it has expired (31 minutes later on the fake's clock).
    const { installationId, old } = await installWithPair(new Date(Date.now() + 30_000));
    fake.state.advanceTime(31 * 60_000);
    const other = await startRefreshProcess(installationId, 4);
    const callers = await Promise.all(Array.from({ length: 8 }, () => callerFor(installationId)));
    const before = fake.state.requests.length;

    const [here, there] = await Promise.all([Promise.all(callers.map((call) => call())), other.go()]);

    const refreshes = tokenRequestsSince(before);
    expect(refreshes.map((r) => [r.status, (r.body as { refresh_token?: string }).refresh_token])).toEqual([[200, old.refreshToken]]);
    const stored = await storedZendeskCredentials({ db: t.db, secrets }, installationId);
    expect(stored.accessToken).not.toBe(old.accessToken);
    expect([...here, ...there]).toEqual(Array.from({ length: 12 }, () => ({ ok: true, value: stored.accessToken })));
    // Nobody tried the expired token: the refresh came first.
    expect(fake.state.requests.slice(before).filter((r) => r.token === old.accessToken)).toEqual([]);
    // The stored pair is the fake's current one; the old one is dead there.
    expect(acme().oauth.validAccessToken(stored.accessToken)).toBeDefined();
    expect(acme().oauth.refreshTokens.get(stored.refreshToken ?? '')?.accessToken).toBe(stored.accessToken);
    expect(acme().oauth.refreshTokens.has(old.refreshToken)).toBe(false);
    expect(Date.parse(stored.accessTokenExpiresAt ?? '')).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(await refreshAccessToken(oauthWith(), { subdomain: 'acme', refreshToken: old.refreshToken })).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });
  });

  it('a 401 (a token Zendesk expired before our record says) makes one refresh for all concurrent callers, each retried once', async () => {
    const { installationId, old } = await installWithPair(new Date(Date.now() + 20 * 60_000));
    fake.state.advanceTime(31 * 60_000);
    const callers = await Promise.all(Array.from({ length: 6 }, () => callerFor(installationId)));
    const before = fake.state.requests.length;

    const used = await Promise.all(callers.map((call) => call()));

    const stored = await storedZendeskCredentials({ db: t.db, secrets }, installationId);
    expect(used).toEqual(Array.from({ length: 6 }, () => ({ ok: true, value: stored.accessToken })));
    expect(tokenRequestsSince(before)).toHaveLength(1);
    const rest = fake.state.requests.slice(before).filter((r) => r.path.startsWith('/api/v2/'));
    expect(rest.filter((r) => r.token === old.accessToken).map((r) => r.status)).toEqual(Array.from({ length: 6 }, () => 401));
    expect(rest.filter((r) => r.token === stored.accessToken).map((r) => r.status)).toEqual(Array.from({ length: 6 }, () => 200));
  });

  it('a dead refresh token is INVALID_GRANT once, no loop, and the stored pair is left for the admin to replace', async () => {
    const { installationId, old } = await installWithPair(new Date(Date.now() + 20 * 60_000));
    // Rotated elsewhere (a copy of the app with the same grant): our pair is gone at Zendesk.
    acme().oauth.rotate(old.refreshToken, oauth.clientId);
    const call = await callerFor(installationId);
    const before = fake.state.requests.length;

    expect(await call()).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });

    expect(fake.state.requests.slice(before).map((r) => [r.path, r.status])).toEqual([['/api/v2/users/search', 401], ['/oauth/tokens', 400]]);
    expect(await storedZendeskCredentials({ db: t.db, secrets }, installationId)).toMatchObject(old);
  });

  it('an installation without a REST token gets UNAUTHORIZED without calling Zendesk', async () => {
    const installed = await installConnector({ db: t.db, secrets, registry }, workspaceId, {
      connector: 'zendesk', accountId: 'acme-no-token', config: { subdomain: 'acme', instancePushId: 'instance-1' }, credentials: { pushToken: 'push-token', metadataKey: 'k'.repeat(32) },
    }, 'test');
    if (!installed.ok) throw new Error(installed.message);
    const call = await callerFor(installed.installation.id);
    const before = fake.state.requests.length;
    expect(await call()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/authorise/) } });
    expect(fake.state.requests.length).toBe(before);
  });
});
