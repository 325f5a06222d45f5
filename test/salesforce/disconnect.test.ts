import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startSalesforceWorld, type SalesforceWorld } from './salesforce-world';

/** Disconnecting an org (reference §1.3): Threadline's grant revoked at the login host, the installation removed. */
let world: SalesforceWorld;

beforeAll(async () => {
  world = await startSalesforceWorld({ orgs: [{}, { sandbox: true }, {}], worker: false });
});
afterAll(() => world.close());

const disconnect = (id: string) => world.rt.http().delete(`/api/v1/salesforce/installations/${id}`).set('authorization', ADMIN_AUTH);
const revokes = () => world.salesforce.state.requests.filter((r) => r.path.endsWith('/services/oauth2/revoke'));

async function apiCall(accessToken: string, orgId: string): Promise<number> {
  const res = await fetch(`${world.salesforce.instanceUrlFor(orgId)}/services/data/v66.0/limits`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.body?.cancel();
  return res.status;
}

test('disconnect revokes the grant at its login host (every token of the family stops working) and uninstalls', async () => {
  const [, sandboxId] = world.orgIds as [string, string];
  const id = await world.install(sandboxId);
  const { accessToken, refreshToken } = await world.storedCredentials(id);
  expect(await apiCall(accessToken, sandboxId)).toBe(200);

  const res = await disconnect(id);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ id, org_id: sandboxId, state: 'uninstalled', token_revoked: true });
  expect(revokes().at(-1)).toMatchObject({ path: '/sandbox/services/oauth2/revoke', status: 200 });
  expect(world.salesforce.state.oauth.refreshTokens.has(refreshToken)).toBe(false);
  expect(await apiCall(accessToken, sandboxId)).toBe(401);
  expect(await world.rt.db('installation').where({ id }).first('state', 'credentials_sealed')).toEqual({ state: 'uninstalled', credentials_sealed: null });
  expect((await disconnect(id)).status).toBe(404);
});

test('a grant Salesforce already dropped (invalid_token) or refused earlier is no obstacle', async () => {
  const [orgId, , otherId] = world.orgIds as [string, string, string];
  const revokedInSetup = await world.install(orgId);
  world.salesforce.state.oauth.revoke((await world.storedCredentials(revokedInSetup)).refreshToken);
  const res = await disconnect(revokedInSetup);
  expect(res.status).toBe(200);
  expect(res.body.token_revoked).toBe(false);
  expect(revokes().at(-1)).toMatchObject({ status: 400 });

  // Refused at a refresh: reinstall_required, and the dead token is not presented again.
  const refused = await world.install(otherId);
  await (await world.installation(refused)).updateCredentials(async (c) => ({ ...c, refreshRefusedAt: new Date().toISOString() }));
  await world.rt.db('installation').where({ id: refused }).update({ state: 'reinstall_required' });
  const count = revokes().length;
  expect((await disconnect(refused)).status).toBe(200);
  expect(revokes()).toHaveLength(count);
});

test('when the login host cannot be reached the installation is kept, to try again', async () => {
  const [orgId] = world.orgIds as [string];
  const id = await world.install(orgId);
  world.salesforce.state.setOutage(true);
  try {
    const res = await disconnect(id);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('the installation is kept');
  } finally {
    world.salesforce.state.setOutage(false);
  }
  expect((await world.rt.db('installation').where({ id }).first('state')).state).toBe('active');
  expect((await disconnect(id)).status).toBe(200);
});

test('the admin token is required', async () => {
  const res = await world.rt.http().delete(`/api/v1/salesforce/installations/${crypto.randomUUID()}`);
  expect(res.status).toBe(401);
  expect((await world.rt.http().get('/api/v1/salesforce/installations')).status).toBe(401);
});
