import { refreshMarginMs, withAccessToken } from '../../connectors/hubspot/access-token';
import type { HubSpotResult } from '../../connectors/hubspot/hubspot-result';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startHubSpotWorld, type HubSpotWorld } from './hubspot-world';

/** Access tokens (reference §1.2, §1.5): refreshed ahead of expiry, once across concurrent callers, rotation or not, uninstall. */
const acme = 62515;
let world: HubSpotWorld;

beforeAll(async () => {
  world = await startHubSpotWorld({ portals: [acme], worker: false });
});
afterAll(() => world.close());
afterEach(() => {
  world.hubspot.state.app.rotateRefreshTokens = false;
});

/** A real API call with the token, as the connector's client makes them: 401 is UNAUTHORIZED. */
async function readContacts(token: string): Promise<HubSpotResult<string>> {
  const res = await fetch(`${world.hubspot.apiBase}/crm/v3/objects/contacts/batch/read`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [] }),
  });
  await res.body?.cancel();
  if (res.status === 401) return { ok: false, error: { code: 'UNAUTHORIZED', status: 401, message: 'refused' } };
  return { ok: true, value: token };
}

const tokenRequests = () => world.hubspot.state.requests.filter((r) => r.path === '/oauth/2026-03/token');
const expiringSoon = () => new Date(Date.now() + refreshMarginMs - 30_000);

test('a token with more than 5 minutes left is used as it is', async () => {
  const id = await world.install(acme);
  const before = tokenRequests().length;
  const installation = await world.installation(id);
  const result = await withAccessToken(installation, readContacts);
  expect(result).toEqual({ ok: true, value: installation.credentials.accessToken });
  expect(tokenRequests()).toHaveLength(before);
});

test('a token expiring within 5 minutes is refreshed before the call, on the 2026-03 endpoint, and the new pair saved', async () => {
  const id = await world.install(acme, { accessTokenExpiresAt: expiringSoon() });
  const installation = await world.installation(id);
  const before = tokenRequests().length;
  const result = await withAccessToken(installation, readContacts);
  const stored = await world.storedCredentials(id);
  expect(result).toEqual({ ok: true, value: stored.accessToken });
  expect(stored.accessToken).not.toBe(installation.credentials.accessToken);
  // HubSpot did not rotate: the same refresh token is kept.
  expect(stored.refreshToken).toBe(installation.credentials.refreshToken);
  expect(Date.parse(stored.accessTokenExpiresAt)).toBeGreaterThan(Date.now() + 1_700_000);
  expect(tokenRequests().slice(before)).toEqual([expect.objectContaining({ method: 'POST', status: 200 })]);
});

test('twenty concurrent callers with an expiring token cause one refresh, and all use its token', async () => {
  const id = await world.install(acme, { accessTokenExpiresAt: expiringSoon() });
  const installations = await Promise.all(Array.from({ length: 20 }, () => world.installation(id)));
  const before = tokenRequests().length;
  const callers = await Promise.all(installations.map((installation) => withAccessToken(installation, readContacts)));
  const stored = await world.storedCredentials(id);
  expect(callers.every((r) => r.ok && r.value === stored.accessToken)).toBe(true);
  expect(tokenRequests()).toHaveLength(before + 1);
});

test('a rotated refresh token is stored and the next refresh spends it; the old one no longer works', async () => {
  world.hubspot.state.app.rotateRefreshTokens = true;
  const id = await world.install(acme, { accessTokenExpiresAt: expiringSoon() });
  const original = (await world.storedCredentials(id)).refreshToken;
  expect((await withAccessToken(await world.installation(id), readContacts)).ok).toBe(true);
  const rotated = (await world.storedCredentials(id)).refreshToken;
  expect(rotated).not.toBe(original);
  expect(world.hubspot.state.oauth.refreshTokens.has(original)).toBe(false);

  await world.rt.db('installation').where({ id }).update({ credentials_sealed: world.rt.secrets.seal(JSON.stringify({ ...(await world.storedCredentials(id)), accessTokenExpiresAt: expiringSoon().toISOString() })) });
  expect((await withAccessToken(await world.installation(id), readContacts)).ok).toBe(true);
  expect((await world.storedCredentials(id)).refreshToken).not.toBe(rotated);
});

test('a token that expired on HubSpot\'s clock is refreshed when our clock follows it', async () => {
  const id = await world.install(acme);
  world.hubspot.state.advanceTime(1_801_000);
  const result = await withAccessToken(await world.installation(id), readContacts, { now: () => world.hubspot.state.now() });
  expect(result.ok).toBe(true);
  expect(Date.parse((await world.storedCredentials(id)).accessTokenExpiresAt)).toBeGreaterThan(world.hubspot.state.now() + 1_700_000);
});

test('a 401 anyway refreshes once and retries once; a token someone else already replaced is not refreshed again', async () => {
  const id = await world.install(acme);
  const installation = await world.installation(id);
  world.hubspot.state.oauth.revoke(installation.credentials.accessToken);
  const calls: string[] = [];
  const before = tokenRequests().length;
  const result = await withAccessToken(installation, async (token) => {
    calls.push(token);
    return readContacts(token);
  });
  expect(result.ok).toBe(true);
  expect(calls).toHaveLength(2);
  expect(tokenRequests()).toHaveLength(before + 1);

  // A second holder of the old credentials gets a 401 too, but finds the stored token already replaced.
  const stale = await world.installation(id);
  const staleCopy = { ...stale, credentials: { ...stale.credentials, accessToken: installation.credentials.accessToken } };
  expect((await withAccessToken(staleCopy, readContacts)).ok).toBe(true);
  expect(tokenRequests()).toHaveLength(before + 1);
});

test('a call that fails for another reason is not retried and costs no refresh', async () => {
  const id = await world.install(acme);
  const before = tokenRequests().length;
  let calls = 0;
  const result = await withAccessToken(await world.installation(id), async () => {
    calls += 1;
    return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'down' } };
  });
  expect(result).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE' } });
  expect(calls).toBe(1);
  expect(tokenRequests()).toHaveLength(before);
});

test('after an uninstall in HubSpot the refused refresh is INVALID_GRANT, recorded, shown to the admin, and HubSpot is not asked again', async () => {
  const portal = world.hubspot.state.addPortal({ portalId: 99001 });
  const id = await world.install(portal.portalId, { accessTokenExpiresAt: expiringSoon() });
  world.hubspot.state.uninstall(portal.portalId);
  const before = tokenRequests().length;
  let called = false;
  const loaded = await world.installation(id); // as a job loaded it before the refusal
  const first = await withAccessToken(loaded, async (token) => {
    called = true;
    return readContacts(token);
  });
  expect(first).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });
  expect(called).toBe(false);
  expect(tokenRequests()).toHaveLength(before + 1);
  expect((await world.storedCredentials(id)).refreshRefusedAt).toEqual(expect.any(String));

  const second = await withAccessToken(loaded, readContacts);
  expect(second).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT', message: expect.stringContaining('install Threadline in HubSpot again') } });
  expect(tokenRequests()).toHaveLength(before + 1);

  const listed = await world.rt.http().get('/api/v1/hubspot/installations').set('authorization', ADMIN_AUTH);
  expect(listed.body.items).toContainEqual(expect.objectContaining({ id, portalId: portal.portalId, needsReinstall: true }));
  // It receives nothing more until it is installed again, and the admin sees why in the audit log.
  expect(await world.rt.db('installation').where({ id }).first('state')).toEqual({ state: 'reinstall_required' });
  await expect(world.installation(id)).rejects.toThrow('reinstall_required');
  expect(await world.rt.db('audit_log').where({ entity_id: id, action: 'installation.reinstall_required' }).first('actor', 'data'))
    .toMatchObject({ actor: 'hubspot:platform', data: { connector: 'hubspot', reason: expect.stringContaining('refused the refresh token') } });
});

test('re-installing a portal whose refresh was refused replaces the credentials and clears the flag', async () => {
  const portal = world.hubspot.state.addPortal({ portalId: 99002 });
  const first = await world.installThroughOAuth({ portalId: portal.portalId });
  const id = first.installationId ?? '';
  await world.rt.db('installation').where({ id }).update({ credentials_sealed: world.rt.secrets.seal(JSON.stringify({ ...(await world.storedCredentials(id)), accessTokenExpiresAt: expiringSoon().toISOString() })) });
  world.hubspot.state.uninstall(portal.portalId);
  expect(await withAccessToken(await world.installation(id), readContacts)).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });

  const again = await world.installThroughOAuth({ portalId: portal.portalId });
  expect(again).toMatchObject({ installationId: id, page: expect.objectContaining({ status: 200 }) });
  expect((await world.storedCredentials(id)).refreshRefusedAt).toBeUndefined();
  expect(await world.rt.db('installation').where({ id }).first('state')).toEqual({ state: 'active' });
  expect((await withAccessToken(await world.installation(id), readContacts)).ok).toBe(true);
});
