import crypto from 'node:crypto';
import { namedCredentialsOf } from '../fakes/salesforce/connect-routes';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { browser, type Browser, type Page } from '../support/browser';
import { startTestRuntime } from '../support/test-runtime';
import { startSalesforceWorld, type SalesforceWorld } from './salesforce-world';

/** The install (issue 6 item 1) end to end: the admin's browser, the connect code, the fake's login hosts, our callback, the key push. */
let world: SalesforceWorld;
let production: string;
let sandbox: string;
let myDomainOrg: string;
let sandboxMyDomainOrg: string;

beforeAll(async () => {
  world = await startSalesforceWorld({
    orgs: [{}, { sandbox: true }, { myDomain: 'acme' }, { sandbox: true, myDomain: 'acme--uat.sandbox' }],
    worker: false,
  });
  [production, sandbox, myDomainOrg, sandboxMyDomainOrg] = world.orgIds as [string, string, string, string];
});
afterAll(() => world.close());

const installUrl = () => `${world.publicUrl}/connectors/salesforce/install`;
const fake = () => world.salesforce;

async function connectCode(): Promise<string> {
  const res = await world.rt.http().post('/api/v1/salesforce/connect-codes').set('authorization', ADMIN_AUTH).send({});
  expect(res.status).toBe(201);
  return res.body.code as string;
}

/** Code page, connect code and login choice: the redirect to the login host's authorize page. */
async function startInstall(b: Browser, login: Record<string, string> = {}): Promise<Page> {
  const codePage = await b.get(installUrl());
  expect(codePage.status).toBe(200);
  return b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await connectCode(), login: 'production', ...login });
}

/** The whole flow for the org logging in at the fake: our callback's page, and the authorize URL we sent. */
async function installThroughOAuth(orgId: string, login: Record<string, string> = {}, b = browser()) {
  fake().state.loggingInOrgId = orgId;
  const redirect = await startInstall(b, login);
  expect(redirect.status).toBe(302);
  const authorize = new URL(redirect.location ?? '');
  const consent = await b.get(authorize.toString());
  expect(consent.status).toBe(302);
  const page = await b.get(consent.location ?? '');
  return { page, authorize };
}

async function installationOf(orgId: string) {
  const rows: Array<{ id: string; state: string; settings: Record<string, unknown>; credentials_sealed: string }> = await world.rt.db('installation')
    .where({ connector: 'salesforce', account_id: orgId }).select('id', 'state', 'settings', 'credentials_sealed');
  expect(rows).toHaveLength(1);
  return rows[0] as (typeof rows)[number];
}

const storedKey = (orgId: string) => namedCredentialsOf(fake().state.org(orgId)).principals.get('threadline__Threadline/OrgKey')?.credentials.get('SigningKey');

test('a production org installs: PKCE S256 at the production host, tokens sealed, the org from the identity URL, the key in the org', async () => {
  const { page, authorize } = await installThroughOAuth(production);
  expect(page.status).toBe(201);
  expect(page.html).toContain(`Salesforce org ${production}`);
  expect(page.html).toContain('The callout key is in place');

  expect(authorize.origin + authorize.pathname).toBe(`${fake().loginUrl}/services/oauth2/authorize`);
  const q = authorize.searchParams;
  expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: world.app.clientId, redirect_uri: `${world.publicUrl}/connectors/salesforce/oauth/callback`, scope: 'api refresh_token', code_challenge_method: 'S256' });
  expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(q.get('state')).toMatch(/^[\w-]{43}$/);

  const row = await installationOf(production);
  expect(row.state).toBe('active');
  expect(row.settings).toMatchObject({ orgId: production, userId: fake().state.org(production).userId, namespace: 'threadline' });
  const stored = await world.storedCredentials(row.id);
  expect(stored).toMatchObject({ loginUrl: fake().loginUrl, instanceUrl: fake().instanceUrlFor(production) });
  expect(fake().state.oauth.accessTokens.has(stored.accessToken)).toBe(true);
  expect(fake().state.oauth.refreshTokens.get(stored.refreshToken)?.orgId).toBe(production);
  expect(row.credentials_sealed).not.toContain(stored.refreshToken);
  // The key went into the packaged External Credential, encrypted, and is not on the page.
  expect(storedKey(production)).toEqual({ value: stored.calloutKey, encrypted: true });
  expect(page.html).not.toContain(stored.calloutKey);
});

test('a sandbox user cannot log in at the production host; choosing Sandbox installs through the sandbox host', async () => {
  fake().state.loggingInOrgId = sandbox;
  const wrongHost = await startInstall(browser());
  const loginPage = await fetch(wrongHost.location ?? '', { redirect: 'manual' });
  expect(loginPage.status).toBe(200);
  expect(await loginPage.text()).toContain('check your username and password');

  const { page, authorize } = await installThroughOAuth(sandbox, { login: 'sandbox' });
  expect(authorize.origin + authorize.pathname).toBe(`${fake().sandboxLoginUrl}/services/oauth2/authorize`);
  expect(page.status).toBe(201);
  const stored = await world.storedCredentials((await installationOf(sandbox)).id);
  // Refreshes and the revoke go where the grant was made.
  expect(stored.loginUrl).toBe(fake().sandboxLoginUrl);
});

test('My Domain: the name (or the whole URL) becomes the login host, sandbox My Domains included; anything loose is refused', async () => {
  const named = await installThroughOAuth(myDomainOrg, { login: 'my_domain', my_domain: 'Acme' });
  expect(named.authorize.origin + named.authorize.pathname).toBe(`${fake().myDomainUrl('acme')}/services/oauth2/authorize`);
  expect(named.page.status).toBe(201);
  expect((await world.storedCredentials((await installationOf(myDomainOrg)).id)).loginUrl).toBe(fake().myDomainUrl('acme'));

  const sandboxed = await installThroughOAuth(sandboxMyDomainOrg, { login: 'my_domain', my_domain: 'https://acme--uat.sandbox.my.salesforce.com' });
  expect(sandboxed.page.status).toBe(201);
  const byName = await startInstall(browser(), { login: 'my_domain', my_domain: 'acme--uat' });
  expect(new URL(byName.location ?? '').pathname).toBe('/domains/acme--uat.sandbox/services/oauth2/authorize');

  for (const loose of ['', 'evil.example.com/x', 'https://evil.example.com', 'acme-', '-acme', 'a--b--c', 'acme.sandbox']) {
    const b = browser();
    const codePage = await b.get(installUrl());
    const code = await connectCode();
    const refused = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: code, login: 'my_domain', my_domain: loose });
    expect([loose, refused.status, refused.location]).toEqual([loose, 400, undefined]);
    expect(refused.html).toContain('My Domain name');
    // The code was not spent on the refused form.
    expect((await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: code, login: 'production' })).status).toBe(302);
  }
});

test('without PKCE the fake refuses at the authorize page, and the callback says so', async () => {
  const b = browser();
  fake().state.loggingInOrgId = production;
  const redirect = await startInstall(b);
  const stripped = new URL(redirect.location ?? '');
  stripped.searchParams.delete('code_challenge');
  const refused = await b.get(stripped.toString());
  expect(new URL(refused.location ?? '').searchParams.get('error')).toBe('invalid_request');
  const page = await b.get(refused.location ?? '');
  expect(page.status).toBe(403);
  expect(page.html).toContain('Salesforce did not authorise Threadline (invalid_request: missing required code challenge)');
});

test('a missing or wrong connect code is refused and Salesforce is never asked', async () => {
  const b = browser();
  const codePage = await b.get(installUrl());
  const missing = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: '', login: 'production' });
  expect(missing.status).toBe(403);
  expect(missing.html).toContain('Type the connect code first');
  const wrong = await b.post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: 'ABCD-EFGH-JKLM', login: 'production' });
  expect(wrong.status).toBe(403);
  expect(wrong.html).toContain('unknown, expired or already used');
  expect(wrong.location).toBeUndefined();
  const forged = await browser().post(installUrl(), { csrf: codePage.csrf ?? '', connect_code: await connectCode(), login: 'production' });
  expect(forged.status).toBe(403);
  expect(forged.html).toContain('not opened in this browser');
});

/** The flow up to Salesforce's redirect back, without following it. */
async function authorisedCallback(b = browser()): Promise<{ b: Browser; callback: string }> {
  fake().state.loggingInOrgId = production;
  const redirect = await startInstall(b);
  const consent = await b.get(redirect.location ?? '');
  return { b, callback: consent.location ?? '' };
}

test('a state of another browser\'s install is refused, and so are a callback without the cookie and a replay', async () => {
  const victim = await authorisedCallback();
  const attacker = await authorisedCallback();
  const foreign = await victim.b.get(attacker.callback);
  expect(foreign.status).toBe(403);
  expect(foreign.html).toContain('not started in this browser');
  expect((await browser().get(victim.callback)).status).toBe(403);
  expect((await victim.b.get(victim.callback)).status).toBe(200);
  expect((await victim.b.get(victim.callback)).status).toBe(403);
});

test('a token answer not signed with our consumer secret is refused and nothing is installed', async () => {
  const { b, callback } = await authorisedCallback();
  const id = `${fake().loginUrl}/id/${production}/${fake().state.org(production).userId}`;
  const issuedAt = String(Date.now());
  fake().state.failNext(1, {
    status: 200,
    body: {
      access_token: 'forged', refresh_token: 'forged', instance_url: fake().instanceUrlFor(production), id, issued_at: issuedAt, token_type: 'Bearer', scope: 'api refresh_token',
      signature: crypto.createHmac('sha256', 'not-our-secret').update(id + issuedAt).digest('base64'),
    },
  }, { scope: 'oauth' });
  const before = await world.storedCredentials((await installationOf(production)).id);
  const page = await b.get(callback);
  expect(page.status).toBe(502);
  expect(page.html).toContain('not signed with Threadline&#39;s consumer secret');
  expect((await world.storedCredentials((await installationOf(production)).id)).accessToken).toBe(before.accessToken);
});

test('installing again updates the one installation: settings and callout key kept, tokens replaced, the key written again (PUT)', async () => {
  const first = await installationOf(production);
  const before = await world.storedCredentials(first.id);
  await world.rt.db('installation').where({ id: first.id }).update({ settings: world.rt.db.raw("settings || '{\"createLeads\": false}'::jsonb") });
  const puts = () => fake().state.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/named-credentials/credential') && r.status === 200).length;
  const putsBefore = puts();

  const { page } = await installThroughOAuth(production);
  expect(page.status).toBe(200);
  expect(page.html).toContain('was connected again');
  const again = await installationOf(production);
  expect(again.id).toBe(first.id);
  expect(again.settings).toMatchObject({ orgId: production, createLeads: false });
  const after = await world.storedCredentials(again.id);
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.calloutKey).toBe(before.calloutKey);
  expect(puts()).toBe(putsBefore + 1);
  expect(storedKey(production)).toEqual({ value: before.calloutKey, encrypted: true });
});

test('when Salesforce refuses the key (no "Manage Named Credentials") the install succeeds, the page shows the key once with the steps, and the status says whether it is in place', async () => {
  const org = fake().state.addOrg();
  namedCredentialsOf(org).canManage = false;
  const { page } = await installThroughOAuth(org.orgId);
  expect(page.status).toBe(201);
  const row = await installationOf(org.orgId);
  const { calloutKey } = await world.storedCredentials(row.id);
  expect(page.html).toContain('INSUFFICIENT_ACCESS');
  expect(page.html).toContain(`<code>${calloutKey}</code>`);
  expect(page.html).toContain('Open &quot;threadline__Threadline&quot;');
  expect(page.html).toContain('add a parameter named &quot;SigningKey&quot;');
  expect(storedKey(org.orgId)).toBeUndefined();

  const status = async () => {
    const res = await world.rt.http().get('/api/v1/salesforce/installations').set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(200);
    return (res.body.items as Array<Record<string, unknown>>).find((item) => item.id === row.id);
  };
  expect(await status()).toMatchObject({ org_id: org.orgId, instance_url: fake().instanceUrlFor(org.orgId), login_kind: 'production', state: 'active', callout_key: 'missing' });
  // The admin pastes it in Setup.
  namedCredentialsOf(org).principals.get('threadline__Threadline/OrgKey')?.credentials.set('SigningKey', { value: calloutKey, encrypted: true });
  expect(await status()).toMatchObject({ callout_key: 'in_place' });
  // Every installation is listed with its login kind.
  const res = await world.rt.http().get('/api/v1/salesforce/installations').set('authorization', ADMIN_AUTH);
  const kinds = Object.fromEntries((res.body.items as Array<{ org_id: string; login_kind: string }>).map((i) => [i.org_id, i.login_kind]));
  expect(kinds).toMatchObject({ [production]: 'production', [sandbox]: 'sandbox', [myDomainOrg]: 'my_domain' });
});

test('without SALESFORCE_CLIENT_ID/SECRET the install answers 503 naming the settings', async () => {
  const rt = await startTestRuntime({ worker: false });
  try {
    const res = await rt.http().get('/connectors/salesforce/install');
    expect(res.status).toBe(503);
    expect(res.text).toContain('SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET');
  } finally {
    await rt.close();
  }
});
