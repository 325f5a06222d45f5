import { parseCrontab } from 'graphile-worker';
import { KEEP_ALIVE_CRONTAB, keepSalesforceOrgsAlive } from '../../connectors/salesforce/keep-alive';
import { createLogger } from '../../core/observability/logger';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startSalesforceWorld, type SalesforceWorld } from './salesforce-world';

/** Refresh tokens die after 30 idle days (reference §1.2 item 3): the daily keep-alive refreshes orgs idle for a week. */
const day = 86_400_000;
let world: SalesforceWorld;

beforeAll(async () => {
  world = await startSalesforceWorld({ orgs: [{}, {}, { sandbox: true }], worker: false });
});
afterAll(() => world.close());

const run = () => keepSalesforceOrgsAlive({ db: world.rt.db, secrets: world.rt.secrets, logger: createLogger({ level: 'silent' }), app: world.app, now: () => world.salesforce.state.now() });
const tokenRequests = () => world.salesforce.state.requests.filter((r) => r.path.endsWith('/services/oauth2/token')).length;

test('an org idle 8 days is refreshed and its rotated token saved; the old one is retired; the next run does nothing', async () => {
  const [orgId, recentId, sandboxId] = world.orgIds as [string, string, string];
  const idle = await world.install(orgId);
  const idleSandbox = await world.install(sandboxId);
  const before = await world.storedCredentials(idle);
  world.salesforce.state.advanceTime(5 * day);
  const recent = await world.install(recentId);
  world.salesforce.state.advanceTime(3 * day);

  const first = await run();
  expect(first.refreshed.sort()).toEqual([idle, idleSandbox].sort());
  expect(first).toMatchObject({ refused: [], failed: [] });
  const after = await world.storedCredentials(idle);
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(Date.parse(after.refreshedAt)).toBeGreaterThanOrEqual(Date.parse(before.refreshedAt) + 8 * day);
  expect(world.salesforce.state.oauth.refreshTokens.get(before.refreshToken)?.rotated).toBe(true);
  expect(world.salesforce.state.oauth.refreshTokens.get(after.refreshToken)?.rotated).toBe(false);
  // The sandbox org was refreshed at the sandbox host (the fake refuses it elsewhere).
  expect((await world.storedCredentials(idleSandbox)).loginUrl).toBe(world.salesforce.sandboxLoginUrl);
  // Installed 3 days ago: left alone.
  expect((await world.storedCredentials(recent)).refreshToken).toBe((await world.installation(recent)).credentials.refreshToken);

  const requests = tokenRequests();
  const second = await run();
  expect(second).toEqual({ refreshed: [], refused: [], failed: [] });
  expect(tokenRequests()).toBe(requests);
});

test('a refresh token Salesforce no longer accepts (family revoked) makes the installation reinstall_required', async () => {
  const org = world.salesforce.state.addOrg();
  const id = await world.install(org.orgId);
  const { refreshToken } = await world.storedCredentials(id);
  world.salesforce.state.oauth.revoke(refreshToken);
  world.salesforce.state.advanceTime(8 * day);

  const result = await run();
  expect(result.refused).toEqual([id]);
  expect((await world.rt.db('installation').where({ id }).first('state')).state).toBe('reinstall_required');
  const status = await world.rt.http().get('/api/v1/salesforce/installations').set('authorization', ADMIN_AUTH);
  expect(status.body.items).toContainEqual(expect.objectContaining({ id, state: 'reinstall_required', refresh_refused_at: expect.any(String), callout_key: 'unknown' }));
  // Not asked again: the next run skips it.
  expect((await run()).refused).toEqual([]);
});

test('the crontab line is one graphile-worker accepts, daily', () => {
  const [item] = parseCrontab(KEEP_ALIVE_CRONTAB);
  expect(item?.task).toBe('salesforce_keep_alive');
  expect(item?.match).toBeDefined();
});
