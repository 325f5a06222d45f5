import { callSalesforce } from '../../connectors/salesforce/client/salesforce-call';
import { startSalesforceWorld, type SalesforceWorld } from './salesforce-world';

/** The call wrapper against the Salesforce fake: refresh on 401 with rotation, one refresh per org, quota, error arrays. */
let world: SalesforceWorld;
let orgId: string;
beforeAll(async () => {
  world = await startSalesforceWorld({ worker: false });
  [orgId = ''] = world.orgIds;
});
afterAll(() => world.close());

const sessionTimeout = () => world.salesforce.state.advanceTime(world.salesforce.state.app.sessionTimeoutMs + 1);
// No code is exchanged here: every token request is a refresh.
const refreshes = () => world.salesforce.state.requests.filter((r) => r.path.endsWith('/services/oauth2/token'));
const contacts = (id: string) => world.installation(id).then((installation) => callSalesforce(installation, (conn) => conn.query<{ Id: string }>('SELECT Id FROM Contact LIMIT 5')));

test('a query answers with the records; the API version is named, never jsforce\'s 50.0', async () => {
  const id = await world.install(orgId);
  const org = world.salesforce.state.org(orgId);
  const def = org.object('Contact');
  if (!def) throw new Error('the fake has no Contact');
  org.insert(def, { LastName: 'Okafor' });
  const result = await contacts(id);
  expect(result).toMatchObject({ ok: true, value: { totalSize: 1 } });
  expect(world.salesforce.state.requests.at(-1)?.path).toMatch(/\/services\/data\/v66\.0\/query$/);
});

test('an expired session is refreshed once and retried; each rotated refresh token is saved, so the next refresh works too', async () => {
  const id = await world.install(orgId);
  const before = await world.storedCredentials(id);
  const refreshed = refreshes().length;
  sessionTimeout();
  expect(await contacts(id)).toMatchObject({ ok: true });
  const after = await world.storedCredentials(id);
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(Date.parse(after.refreshedAt)).toBeGreaterThan(Date.parse(before.refreshedAt));
  // Had the first rotated token been dropped (jsforce's bug, §1.6), this refresh would spend a retired one and revoke the family.
  sessionTimeout();
  expect(await contacts(id)).toMatchObject({ ok: true });
  expect(refreshes().length - refreshed).toBe(2);
  expect((await world.storedCredentials(id)).refreshToken).not.toBe(after.refreshToken);
});

test('concurrent jobs of one org refresh once: every call succeeds and the family stays valid', async () => {
  const id = await world.install(orgId);
  const refreshed = refreshes().length;
  sessionTimeout();
  // Each job loads its own copy of the installation, as separate workers do.
  const results = await Promise.all(Array.from({ length: 6 }, () => contacts(id)));
  expect(results.every((r) => r.ok)).toBe(true);
  expect(refreshes().length - refreshed).toBe(1);
  sessionTimeout();
  expect(await contacts(id)).toMatchObject({ ok: true });
});

test('a spent daily quota (403 REQUEST_LIMIT_EXCEEDED) is RATE_LIMITED with the pause, not a failure of the input', async () => {
  const [, otherOrg = ''] = world.orgIds;
  const id = await world.install(otherOrg);
  world.salesforce.state.org(otherOrg).spendApiCalls(15_000);
  expect(await contacts(id)).toEqual({ ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 300, message: expect.stringContaining('REQUEST_LIMIT_EXCEEDED') }) });
});

test('Salesforce\'s error array reaches the admin with the code and the field', async () => {
  const id = await world.install(orgId);
  const installation = await world.installation(id);
  const result = await callSalesforce(installation, (conn) => conn.sobject('Contact').create({ FirstName: 'Ada' }));
  expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', errors: [{ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] } });
  if (!result.ok) expect(result.error.message).toMatch(/^REQUIRED_FIELD_MISSING on LastName: /);
});

test('a refused refresh token marks the installation for re-install and Salesforce is not asked again', async () => {
  const id = await world.install(orgId);
  const { refreshToken } = await world.storedCredentials(id);
  const revoked = await fetch(`${world.salesforce.loginUrl}/services/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: refreshToken }) });
  expect(revoked.status).toBe(200);
  const installation = await world.installation(id);
  const call = () => callSalesforce(installation, (conn) => conn.query('SELECT Id FROM Contact'));
  expect(await call()).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });
  expect(await world.rt.db('installation').where({ id }).first('state')).toEqual({ state: 'reinstall_required' });
  const asked = world.salesforce.state.requests.length;
  expect(await call()).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT', message: expect.stringContaining('connect the org again') } });
  expect(world.salesforce.state.requests.length).toBe(asked);
});
