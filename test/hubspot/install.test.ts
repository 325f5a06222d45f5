import { OPTIONAL_SCOPES, REQUIRED_SCOPES } from '../../connectors/hubspot/oauth/scopes';
import { WORKFLOW_SEND_PATH } from '../../connectors/hubspot/workflow';
import { loadConfig } from '../../server/config';
import { sendSigned } from '../fakes/hubspot/hubspot-fake';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startHubSpotWorld, type HubSpotWorld } from './hubspot-world';

/** The install (issue 5 item 1) end to end: the admin's browser, the connect code, HubSpot's authorize page (the fake), our callback. */
const acme = 62515;
const globex = 77001;
let world: HubSpotWorld;

beforeAll(async () => {
  world = await startHubSpotWorld({ portals: [acme, { portalId: globex, grantableScopes: [...REQUIRED_SCOPES] }], worker: false });
});
afterAll(() => world.close());

const installUrl = () => `${world.publicUrl}/connectors/hubspot/install`;

async function installations(portalId: number) {
  return world.rt.db('installation').where({ connector: 'hubspot', account_id: String(portalId) }).select('id', 'state', 'settings', 'credentials_sealed');
}

test('an admin installs a portal: required and optional scopes asked, the portal from the token, tokens sealed at rest', async () => {
  const { page, installationId } = await world.installThroughOAuth({ portalId: acme });
  expect(page.status).toBe(201);
  expect(page.html).toContain(`HubSpot portal ${acme}`);

  // The code was exchanged on the 2026-03 endpoint (the fake answers /oauth/v1 with 404).
  expect(world.hubspot.state.requests.some((r) => r.method === 'POST' && r.path === '/oauth/2026-03/token' && r.status === 200)).toBe(true);
  const [row] = await installations(acme);
  expect(row).toMatchObject({ id: installationId, state: 'active' });
  expect(row.settings).toMatchObject({ portalId: acme, grantedScopes: expect.arrayContaining([...REQUIRED_SCOPES, ...OPTIONAL_SCOPES]) });
  const stored = await world.storedCredentials(row.id);
  expect(world.hubspot.state.oauth.accessTokens.has(stored.accessToken)).toBe(true);
  expect(world.hubspot.state.oauth.refreshTokens.has(stored.refreshToken)).toBe(true);
  // Sealed at rest: neither token appears in the row.
  expect(row.credentials_sealed).not.toContain(stored.accessToken);
  expect(row.credentials_sealed).not.toContain(stored.refreshToken);
});

test('the authorize redirect carries the required scopes, the optional ones apart, and a state; the cookie is HttpOnly and SameSite=Lax', async () => {
  const b = world.browser();
  const codePage = await b.get(installUrl());
  expect(codePage.headers.getSetCookie().join()).toMatch(/threadline_hubspot_install=.*HttpOnly.*SameSite=Lax/i);
  const redirect = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await world.connectCode() });
  const url = new URL(redirect.location ?? '');
  expect(url.origin + url.pathname).toBe(`${world.hubspot.authBase}/oauth/authorize`);
  expect(url.searchParams.get('scope')?.split(' ').sort()).toEqual([...REQUIRED_SCOPES].sort());
  expect(url.searchParams.get('optional_scope')?.split(' ').sort()).toEqual([...OPTIONAL_SCOPES].sort());
  expect(url.searchParams.get('redirect_uri')).toBe(`${world.publicUrl}/connectors/hubspot/oauth/callback`);
  expect(url.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
});

test('the code page\'s CSP lets its form lead on to HubSpot\'s authorize page (browsers apply form-action to the redirect) and nowhere else', async () => {
  const b = world.browser();
  const codePage = await b.get(installUrl());
  const formAction = /form-action ([^;]+)/.exec(codePage.headers.get('content-security-policy') ?? '')?.[1]?.split(' ');
  const redirect = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await world.connectCode() });
  expect(redirect.status).toBe(302);
  expect(formAction).toEqual(["'self'", new URL(redirect.location ?? '').origin]);
});

test('a portal whose tier lacks the optional scopes installs without them; installing again updates the same installation and keeps its settings', async () => {
  const first = await world.installThroughOAuth({ portalId: globex });
  expect(first.page.status).toBe(201);
  expect(first.page.html).toContain('did not grant the conversations scopes');
  await world.rt.db('installation').where({ id: first.installationId }).update({ settings: world.rt.db.raw("settings || '{\"createContacts\": false}'::jsonb") });

  const again = await world.installThroughOAuth({ portalId: globex });
  expect(again.page.status).toBe(200);
  const rows = await installations(globex);
  expect(rows).toHaveLength(1);
  expect(rows[0].id).toBe(first.installationId);
  expect(rows[0].settings).toMatchObject({ portalId: globex, createContacts: false, grantedScopes: [...REQUIRED_SCOPES] });
});

test('a missing or wrong connect code is refused and HubSpot is never asked', async () => {
  const b = world.browser();
  const codePage = await b.get(installUrl());
  const missing = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: '' });
  expect(missing.status).toBe(403);
  expect(missing.html).toContain('Type the connect code first');
  const wrong = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: 'ABCD-EFGH-JKLM' });
  expect(wrong.status).toBe(403);
  expect(wrong.html).toContain('unknown, expired or already used');
  expect(wrong.location).toBeUndefined();
});

test('the code form is refused without this browser\'s cookie or CSRF token', async () => {
  const b = world.browser();
  const codePage = await b.get(installUrl());
  const code = await world.connectCode();
  const forged = await b.post(installUrl(), { csrf: 'x'.repeat(43), connect_code: code });
  expect(forged.status).toBe(403);
  const otherBrowser = await world.browser().post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: code });
  expect(otherBrowser.status).toBe(403);
  expect(otherBrowser.html).toContain('not opened in this browser');
  // The code was not spent by the refused posts.
  const ok = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: code });
  expect(ok.status).toBe(302);
});

/** Runs the flow up to HubSpot's redirect back, without following it. */
async function authorisedCallback(b = world.browser()): Promise<{ b: ReturnType<HubSpotWorld['browser']>; callback: URL }> {
  world.hubspot.state.installingPortalId = acme;
  const codePage = await b.get(installUrl());
  const redirect = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await world.connectCode() });
  const consent = await b.get(redirect.location ?? '');
  return { b, callback: new URL(consent.location ?? '') };
}

test('a state of another browser\'s install (foreign state) is refused, and so is the callback in a browser without the cookie', async () => {
  const victim = await authorisedCallback();
  const attacker = await authorisedCallback();
  // The attacker's callback link opened in the victim's browser: its state is not the victim's attempt.
  const foreign = await victim.b.get(attacker.callback.toString());
  expect(foreign.status).toBe(403);
  expect(foreign.html).toContain('not started in this browser');
  const noCookie = await world.browser().get(victim.callback.toString());
  expect(noCookie.status).toBe(403);
  // The victim's own callback still works: nothing was spent by the refused ones.
  expect((await victim.b.get(victim.callback.toString())).status).toBe(200);
});

test('a tampered state and a replayed callback are refused', async () => {
  const { b, callback } = await authorisedCallback();
  const tampered = new URL(callback);
  tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
  expect((await b.get(tampered.toString())).status).toBe(403);
  expect((await b.get(callback.toString())).status).toBe(200);
  const replay = await b.get(callback.toString());
  expect(replay.status).toBe(403);
});

test('when the admin denies access at HubSpot the install is refused clearly and nothing is installed', async () => {
  const before = await world.rt.db('installation').count<{ count: string }[]>('id as count');
  const { b, callback } = await authorisedCallback();
  const denied = new URL(`${world.publicUrl}/connectors/hubspot/oauth/callback`);
  denied.searchParams.set('state', callback.searchParams.get('state') ?? '');
  denied.searchParams.set('error', 'access_denied');
  denied.searchParams.set('error_description', 'The user denied the requested scopes');
  const page = await b.get(denied.toString());
  expect(page.status).toBe(403);
  expect(page.html).toContain('HubSpot did not authorise Threadline (access_denied: The user denied the requested scopes)');
  // The state is spent: the code HubSpot would have sent cannot be used afterwards.
  expect((await b.get(callback.toString())).status).toBe(403);
  expect(await world.rt.db('installation').count<{ count: string }[]>('id as count')).toEqual(before);
});

test('a portal whose tier cannot grant a required scope never reaches the callback (HubSpot refuses the install)', async () => {
  const restricted = world.hubspot.state.addPortal({ portalId: 88001, grantableScopes: REQUIRED_SCOPES.filter((s) => s !== 'automation') });
  const b = world.browser();
  world.hubspot.state.installingPortalId = restricted.portalId;
  const codePage = await b.get(installUrl());
  const redirect = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await world.connectCode() });
  const consent = await b.get(redirect.location ?? '');
  expect(consent.status).toBe(400);
  expect(await installations(88001)).toHaveLength(0);
});

test('disconnecting from Threadline uninstalls the app in HubSpot, then here; the admin lists the portals', async () => {
  const id = await world.install(globex);
  const listed = await world.rt.http().get('/api/v1/hubspot/installations').set('authorization', ADMIN_AUTH);
  expect(listed.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id, portalId: globex, needsReinstall: false })]));

  const res = await world.rt.http().delete(`/api/v1/hubspot/installations/${id}`).set('authorization', ADMIN_AUTH);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ id, portal_id: globex, state: 'uninstalled', hubspot_confirmed: true });
  expect(world.hubspot.state.requests.some((r) => r.method === 'DELETE' && r.path === '/appinstalls/v3/external-install' && r.portalId === globex && r.status === 204)).toBe(true);
  expect(world.hubspot.state.portal(globex).installed).toBe(false);
  expect((await world.rt.db('installation').where({ id }).first('state')).state).toBe('uninstalled');
  const audit = await world.rt.db('audit_log').where({ entity_id: id, action: 'installation.removed' }).first('actor');
  expect(audit?.actor).toBe('admin');
  expect((await world.rt.http().delete(`/api/v1/hubspot/installations/${id}`).set('authorization', ADMIN_AUTH)).status).toBe(404);
});

test('a disconnect HubSpot cannot confirm keeps the installation, so the admin can try again', async () => {
  const id = await world.install(globex);
  world.hubspot.state.setOutage(true);
  try {
    const res = await world.rt.http().delete(`/api/v1/hubspot/installations/${id}`).set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('try again');
  } finally {
    world.hubspot.state.setOutage(false);
  }
  expect((await world.rt.db('installation').where({ id }).first('state')).state).toBe('active');
});

test('configuration: the client id and secret come together; the bases default to HubSpot\'s hosts', () => {
  const base = { NODE_ENV: 'test', THREADLINE_DATA_DIR: world.rt.config.dataDir };
  expect(() => loadConfig({ ...base, HUBSPOT_CLIENT_ID: 'client-id' })).toThrow(/HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: set both/);
  expect(loadConfig(base).hubspot).toBeUndefined();
  expect(loadConfig({ ...base, HUBSPOT_CLIENT_ID: 'client-id', HUBSPOT_CLIENT_SECRET: 'a-client-secret-0123', HUBSPOT_APP_ID: '3000001' }).hubspot).toEqual({
    clientId: 'client-id', clientSecret: 'a-client-secret-0123', appId: 3_000_001, apiBase: 'https://api.hubapi.com', authBase: 'https://app.hubspot.com',
  });
});

test('the runtime serves the card and workflow routes behind their signatures', async () => {
  const card = await world.rt.http().post(`/connectors/hubspot/card/thread?portalId=${acme}&userId=1&objectTypeId=0-1&objectId=1`).send({});
  expect(card.status).toBe(401);
  const workflow = await world.rt.http().post(WORKFLOW_SEND_PATH).send({});
  expect(workflow.status).toBe(401);
  const signedCard = await sendSigned(world.hubspot.outbound.cardFetchRequest(`${world.publicUrl}/connectors/hubspot/card/thread?portalId=${acme}&userId=1&objectTypeId=0-1&objectId=1`, { method: 'POST', body: {} }));
  expect(signedCard.status).not.toBe(401);
});
