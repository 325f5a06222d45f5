import type { Page as BrowserPage } from 'playwright-core';
import { tokenHash } from '../../core/auth/secret-token';
import { startHubSpotFake, type HubSpotFake } from '../fakes/hubspot/hubspot-fake';
import { startSalesforceFake, type FakeOrg, type SalesforceFake } from '../fakes/salesforce/salesforce-fake';
import { fixtureOAuthClient, startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { freePort } from '../send/send-harness';
import { browser, type Browser, type Page } from '../support/browser';
import { describeInBrowser, launchConsoleBrowser, screenshot, type ConsoleBrowser } from '../support/console-browser';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';

type Platform = 'zendesk' | 'hubspot' | 'salesforce';

/**
 * The real runtime between the three platform fakes, each OAuth app configured with the console's callbacks.
 * Workspace "home" (the runtime's own) has Zendesk acme, HubSpot portal 62515 and Salesforce org A (My Domain acme) installed;
 * workspace "other" has Zendesk globex, portal 77001 and org B; Zendesk initech, portal 88002 and org C have none.
 */
interface World {
  rt: TestRuntime;
  publicUrl: string;
  zendesk: ZendeskFake;
  hubspot: HubSpotFake;
  salesforce: SalesforceFake;
  orgs: { a: FakeOrg; b: FakeOrg; c: FakeOrg };
  otherWorkspaceId: string;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const callback = (platform: Platform) => `${publicUrl}/admin/sign-in/${platform}/callback`;
  const zendesk = await startZendeskFake({ accounts: ['acme', 'globex', 'initech'], oauthClient: { redirectUris: [callback('zendesk')] } });
  // Both apps' scopes are the shipped ones (app-hsmeta.json, the packaged ECA): a scope they lack is refused.
  const hubspot = await startHubSpotFake({ portals: [62515, 77001, 88002], app: { redirectUrls: [callback('hubspot')] } });
  const salesforce = await startSalesforceFake({ orgs: [{ myDomain: 'acme' }, {}, {}], app: { callbackUrls: [callback('salesforce')] } });
  const rt = await startTestRuntime({
    worker: false,
    config: {
      port,
      publicUrl,
      zendesk: { clientId: fixtureOAuthClient.clientId, clientSecret: fixtureOAuthClient.secret, apiBase: zendesk.apiBase },
      hubspot: { clientId: hubspot.state.app.clientId, clientSecret: hubspot.state.app.clientSecret, appId: hubspot.state.app.appId, apiBase: hubspot.apiBase, authBase: hubspot.authBase },
      salesforce: {
        clientId: salesforce.state.app.clientId, clientSecret: salesforce.state.app.clientSecret,
        loginUrl: salesforce.loginUrl, sandboxLoginUrl: salesforce.sandboxLoginUrl, myDomainUrl: salesforce.myDomainUrl('{domain}'),
      },
    },
  });
  const [a, b, c] = [...salesforce.state.orgs.values()];
  if (!a || !b || !c) throw new Error('three Salesforce orgs expected');
  const [other] = await rt.db('workspace').insert({ slug: 'other', name: 'Other workspace' }).returning('id') as Array<{ id: string }>;
  if (!other) throw new Error('workspace not created');
  const install = (workspaceId: string, connector: Platform, accountId: string) => ({ workspace_id: workspaceId, connector, account_id: accountId, state: 'active' });
  await rt.db('installation').insert([
    install(rt.workspace.id, 'zendesk', 'acme:push-1'),
    install(rt.workspace.id, 'hubspot', '62515'),
    install(rt.workspace.id, 'salesforce', a.orgId),
    install(other.id, 'zendesk', 'globex:push-7'),
    install(other.id, 'hubspot', '77001'),
    install(other.id, 'salesforce', b.orgId),
  ]);
  return {
    rt, publicUrl, zendesk, hubspot, salesforce, orgs: { a, b, c }, otherWorkspaceId: other.id,
    async close() {
      await rt.close();
      await Promise.all([zendesk.stop(), hubspot.stop(), salesforce.stop()]);
    },
  };
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world?.close());

/** Who the platforms' authorize pages sign in, as the user logged in to that platform in this browser would be. */
function loggedInAs(platform: Platform, who: { subdomain?: string; userId: number | string; portalId?: number; orgId?: string }): void {
  if (platform === 'zendesk') world.zendesk.state.account(who.subdomain ?? 'acme').signedInUserId = Number(who.userId);
  if (platform === 'hubspot') {
    world.hubspot.state.installingPortalId = who.portalId;
    world.hubspot.state.portal(who.portalId ?? 62515).signingInUserId = Number(who.userId);
  }
  if (platform === 'salesforce') {
    world.salesforce.state.loggingInOrgId = who.orgId;
    world.salesforce.state.loggingInUserId = String(who.userId);
  }
}

const startUrl = (platform: Platform, query = '') => `${world.publicUrl}/admin/sign-in/${platform}?${platform === 'zendesk' && !query.includes('subdomain') ? 'subdomain=acme&' : ''}${query}`;

/** The whole sign-in hop by hop: our start (302 to the platform), the platform's authorize page (302 back), our callback. */
async function signInThrough(platform: Platform, options: { browser?: Browser; query?: string } = {}): Promise<{ page: Page; browser: Browser; authorizeUrl: URL }> {
  const b = options.browser ?? browser();
  const start = await b.get(startUrl(platform, options.query));
  if (start.status !== 302 || !start.location) throw new Error(`no redirect to ${platform}: ${start.status} ${start.html}`);
  const consent = await b.get(start.location);
  if (consent.status !== 302 || !consent.location) throw new Error(`${platform} refused: ${consent.status} ${consent.html}`);
  return { page: await b.get(consent.location), browser: b, authorizeUrl: new URL(start.location) };
}

/** The console session the browser's cookie names, as stored. */
async function sessionOf(b: Browser): Promise<{ workspace_id: string; role: string; actor: string; display_name: string } | undefined> {
  const token = b.cookies.get('threadline_console');
  return token === undefined ? undefined : world.rt.db('console_session').where({ token_hash: tokenHash(token) }).first('workspace_id', 'role', 'actor', 'display_name');
}

describe('the sign-in page', () => {
  it('offers every configured platform', async () => {
    const res = await world.rt.http().get('/admin/sign-in?next=/admin/audit');
    expect(res.status).toBe(200);
    for (const platform of ['zendesk', 'hubspot', 'salesforce']) expect(res.text).toContain(`href="/admin/sign-in/${platform}?next=%2Fadmin%2Faudit"`);
    // Salesforce's other logins: the sandbox host, and a My Domain typed into a form that shows where it leads first.
    expect(res.text).toContain('href="/admin/sign-in/salesforce?login=sandbox&amp;next=%2Fadmin%2Faudit"');
    expect(res.text).toContain('action="/admin/sign-in/salesforce/check"');
  });

  it('starts a Salesforce sign-in at the login host chosen: production, the sandbox host, or the org\'s My Domain', async () => {
    const b = browser();
    expect((await b.get(startUrl('salesforce'))).location).toMatch(new RegExp(`^${world.salesforce.loginUrl}/services/oauth2/authorize\\?`));
    expect((await b.get(startUrl('salesforce', 'login=sandbox'))).location).toMatch(new RegExp(`^${world.salesforce.sandboxLoginUrl}/services/oauth2/authorize\\?`));
    const check = await b.get(`${world.publicUrl}/admin/sign-in/salesforce/check?my_domain=acme&next=%2Fadmin`);
    expect(check.html).toContain('href="/admin/sign-in/salesforce?my_domain=acme&amp;next=%2Fadmin"');
    expect((await b.get(startUrl('salesforce', 'my_domain=acme'))).location).toMatch(new RegExp(`^${world.salesforce.myDomainUrl('acme')}/services/oauth2/authorize\\?`));
  });
});

describe.each([
  {
    platform: 'zendesk' as const,
    admin: () => ({ subdomain: 'acme', userId: world.zendesk.state.account('acme').addUser({ name: 'Ada Admin', role: 'admin' }).id }),
    agent: () => ({ subdomain: 'acme', userId: world.zendesk.state.account('acme').addUser({ name: 'Aggie Agent', role: 'agent' }).id }),
    names: ['Ada Admin', 'Aggie Agent'],
  },
  {
    platform: 'hubspot' as const,
    admin: () => ({ portalId: 62515, userId: world.hubspot.state.portal(62515).addUser({ email: 'hana@example.com', firstName: 'Hana', lastName: 'Super', superAdmin: true }).id }),
    agent: () => ({ portalId: 62515, userId: world.hubspot.state.portal(62515).addUser({ email: 'rep@example.com', firstName: 'Rita', lastName: 'Rep', superAdmin: false }).id }),
    names: ['Hana Super', 'Rita Rep'],
  },
  {
    platform: 'salesforce' as const,
    admin: () => ({ orgId: world.orgs.a.orgId, userId: world.orgs.a.addUser({ displayName: 'Sally Setup', username: 'sally@a.example', email: 'sally@a.example', userType: 'STANDARD', permissions: { ModifyAllData: false, CustomizeApplication: true } }).id }),
    agent: () => ({ orgId: world.orgs.a.orgId, userId: world.orgs.a.addUser({ displayName: 'Sam Service', username: 'sam@a.example', email: 'sam@a.example', userType: 'STANDARD', permissions: { ModifyAllData: false, CustomizeApplication: false } }).id }),
    names: ['Sally Setup', 'Sam Service'],
  },
])('signing in with $platform', ({ platform, admin, agent, names }) => {
  it('makes a platform admin an admin of the workspace the account is installed in, and goes where the browser was going', async () => {
    const who = admin();
    loggedInAs(platform, who);
    const { page, browser: b, authorizeUrl } = await signInThrough(platform, { query: 'next=%2Fadmin%2Faudit' });
    // State bound to this browser, and PKCE S256 on every platform (Zendesk: optional but supported; HubSpot: [U] as at install).
    expect(authorizeUrl.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/admin/audit');
    expect(await sessionOf(b)).toEqual({ workspace_id: world.rt.workspace.id, role: 'admin', actor: expect.stringMatching(new RegExp(`^${platform}:`)) as unknown, display_name: names[0] });
    const audit = await b.get(`${world.publicUrl}/admin/audit`);
    expect(audit.status).toBe(200);
    expect(audit.html).toContain(names[0]);
    expect(b.cookies.has('threadline_console_sign_in')).toBe(false);
  });

  it('makes anyone else a viewer', async () => {
    loggedInAs(platform, agent());
    const { page, browser: b } = await signInThrough(platform);
    expect(page.status).toBe(303);
    expect(await sessionOf(b)).toMatchObject({ workspace_id: world.rt.workspace.id, role: 'viewer', display_name: names[1] });
  });

  it('refuses a callback whose state was tampered with, or that another browser started', async () => {
    loggedInAs(platform, admin());
    const b = browser();
    const start = await b.get(startUrl(platform));
    const consent = await b.get(start.location ?? '');
    const callback = new URL(consent.location ?? '');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state') ?? ''}x`);
    const refused = await b.get(tampered.toString());
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('This sign-in was not started in this browser');
    const elsewhere = await browser().get(callback.toString());
    expect(elsewhere.status).toBe(400);
    expect(await sessionOf(b)).toBeUndefined();
  });

  it('says so when the user denies consent', async () => {
    const b = browser();
    const start = await b.get(startUrl(platform));
    const state = new URL(start.location ?? '').searchParams.get('state') ?? '';
    const denied = await b.get(`${world.publicUrl}/admin/sign-in/${platform}/callback?error=access_denied&state=${encodeURIComponent(state)}`);
    expect(denied.status).toBe(400);
    expect(denied.html).toContain('You did not allow Threadline to confirm who you are');
    // The attempt is spent: the same state cannot finish a sign-in afterwards.
    const replay = await b.get(`${world.publicUrl}/admin/sign-in/${platform}/callback?code=anything&state=${encodeURIComponent(state)}`);
    expect(replay.status).toBe(400);
  });
});

describe('accounts and workspaces', () => {
  it('signs a user of another workspace\'s account in to that workspace only', async () => {
    const zendeskUser = world.zendesk.state.account('globex').addUser({ name: 'Gil Globex', role: 'admin' });
    loggedInAs('zendesk', { subdomain: 'globex', userId: zendeskUser.id });
    const zendesk = await signInThrough('zendesk', { query: 'subdomain=globex' });
    expect(await sessionOf(zendesk.browser)).toMatchObject({ workspace_id: world.otherWorkspaceId, role: 'admin' });

    loggedInAs('hubspot', { portalId: 77001, userId: world.hubspot.state.portal(77001).userId });
    const hubspot = await signInThrough('hubspot');
    expect(await sessionOf(hubspot.browser)).toMatchObject({ workspace_id: world.otherWorkspaceId, role: 'admin' });

    loggedInAs('salesforce', { orgId: world.orgs.b.orgId, userId: world.orgs.b.userId });
    const salesforce = await signInThrough('salesforce');
    expect(await sessionOf(salesforce.browser)).toMatchObject({ workspace_id: world.otherWorkspaceId, role: 'admin' });
  });

  it.each([
    ['zendesk' as const, 'This Zendesk account has not installed Threadline yet', (): string => {
      const user = world.zendesk.state.account('initech').addUser({ name: 'Ina Initech', role: 'admin' });
      loggedInAs('zendesk', { subdomain: 'initech', userId: user.id });
      return 'subdomain=initech';
    }],
    ['hubspot' as const, 'This HubSpot portal has not installed Threadline yet', (): string => {
      loggedInAs('hubspot', { portalId: 88002, userId: world.hubspot.state.portal(88002).userId });
      return '';
    }],
    ['salesforce' as const, 'This Salesforce org has not installed Threadline yet', (): string => {
      loggedInAs('salesforce', { orgId: world.orgs.c.orgId, userId: world.orgs.c.userId });
      return '';
    }],
  ])('explains what to do when the %s account has no installation', async (platform, title, arrange) => {
    const { page, browser: b } = await signInThrough(platform, { query: arrange() });
    expect(page.status).toBe(403);
    expect(page.html).toContain(title);
    expect(page.html).toMatch(/install/i);
    expect(b.cookies.has('threadline_console')).toBe(false);
  });

  it('refuses Zendesk end users and Salesforce portal users: they are the account\'s customers', async () => {
    const endUser = world.zendesk.state.account('acme').addUser({ name: 'Cora Customer' });
    loggedInAs('zendesk', { subdomain: 'acme', userId: endUser.id });
    const zendesk = await signInThrough('zendesk');
    expect(zendesk.page.status).toBe(403);
    expect(zendesk.page.html).toContain('Only agents and admins of acme.zendesk.com can sign in');

    const portalUser = world.orgs.a.addUser({ displayName: 'Pat Partner', username: 'pat@partner.example', email: 'pat@partner.example', userType: 'POWER_PARTNER', permissions: { ModifyAllData: false, CustomizeApplication: false } });
    loggedInAs('salesforce', { orgId: world.orgs.a.orgId, userId: portalUser.id });
    const salesforce = await signInThrough('salesforce');
    expect(salesforce.page.status).toBe(403);
    expect(salesforce.page.html).toContain('Only internal users of the org can sign in');
  });

  it('keeps no platform token: each is revoked once the user is known', async () => {
    const acme = world.zendesk.state.account('acme');
    loggedInAs('zendesk', { subdomain: 'acme', userId: acme.addUser({ name: 'Rev Oke', role: 'agent' }).id });
    await signInThrough('zendesk');
    expect([...acme.oauth.accessTokens.values()].filter((t) => t.clientId === fixtureOAuthClient.clientId)).toEqual([]);

    loggedInAs('hubspot', { portalId: 62515, userId: world.hubspot.state.portal(62515).userId });
    await signInThrough('hubspot');
    expect(world.hubspot.state.oauth.refreshTokens.size).toBe(0);

    loggedInAs('salesforce', { orgId: world.orgs.a.orgId, userId: world.orgs.a.userId });
    await signInThrough('salesforce');
    const revokes = world.salesforce.state.requests.filter((r) => r.path.endsWith('/services/oauth2/revoke'));
    expect(revokes.at(-1)?.status).toBe(200);
  });
});

describe('scopes the platforms grant', () => {
  it('asks Salesforce for `api` only, what the packaged ECA selects, and reads the user over REST, not the identity URL', async () => {
    loggedInAs('salesforce', { orgId: world.orgs.a.orgId, userId: world.orgs.a.userId });
    const before = world.salesforce.state.requests.length;
    const { page, authorizeUrl } = await signInThrough('salesforce');
    expect(page.status).toBe(303);
    expect(authorizeUrl.searchParams.get('scope')).toBe('api');
    const paths = world.salesforce.state.requests.slice(before).map((r) => r.path);
    expect(paths).toContain(`/instances/${world.orgs.a.orgId}/services/data/v66.0/sobjects/User/${world.orgs.a.userId}`);
    expect(paths.filter((path) => path.includes('/id/'))).toEqual([]);
  });

  it('the Salesforce fake refuses what a real org refuses: a scope the ECA lacks, and the identity URL without an identity scope', async () => {
    const { orgId, userId } = world.orgs.a;
    const authorize = new URL(`${world.salesforce.loginUrl}/services/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: world.salesforce.state.app.clientId, redirect_uri: `${world.publicUrl}/admin/sign-in/salesforce/callback`,
      scope: 'api id', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
    }).toString();
    const refused = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '');
    expect(Object.fromEntries(refused.searchParams)).toEqual({ error: 'invalid_scope', error_description: 'the requested scope is not allowed', state: 's' });

    const { accessToken, refreshToken } = world.salesforce.state.issueTokens(orgId);
    const identity = (token: string) => fetch(`${world.salesforce.loginUrl}/id/${orgId}/${userId}`, { headers: { authorization: `Bearer ${token}` } });
    const apiOnly = await identity(accessToken);
    expect([apiOnly.status, await apiOnly.text()]).toEqual([403, 'Bad_OAuth_Token']);
    const withId = world.salesforce.state.oauth.grant({ orgId, userId, scopes: ['api', 'id'], loginHost: { kind: 'production' } });
    expect((await identity(withId.access.token)).status).toBe(200);

    const { clientId, clientSecret } = world.salesforce.state.app;
    const narrowed = await fetch(`${world.salesforce.loginUrl}/services/oauth2/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret, scope: 'api id' }),
    });
    expect([narrowed.status, await narrowed.json()]).toEqual([400, { error: 'invalid_scope', error_description: 'the requested scope is not allowed' }]);
  });

  it('takes the HubSpot portal and user from the token answer, and introspects only when the answer lacks them', async () => {
    const introspections = () => world.hubspot.state.requests.filter((r) => r.path.endsWith('/token/introspect')).length;
    const portal = world.hubspot.state.portal(62515);
    loggedInAs('hubspot', { portalId: 62515, userId: portal.addUser({ email: 'tia@example.com', firstName: 'Tia', lastName: 'Token', superAdmin: true }).id });
    const before = introspections();
    const direct = await signInThrough('hubspot');
    expect(await sessionOf(direct.browser)).toMatchObject({ role: 'admin', display_name: 'Tia Token' });
    expect(introspections()).toBe(before);
    expect(direct.authorizeUrl.searchParams.get('optional_scope')?.split(' ')).toContain('settings.users.read');

    world.hubspot.state.tokenAnswerOmits.add('user_id');
    try {
      const fallback = await signInThrough('hubspot');
      expect(await sessionOf(fallback.browser)).toMatchObject({ workspace_id: world.rt.workspace.id, role: 'admin', display_name: 'Tia Token' });
      expect(introspections()).toBe(before + 1);
    } finally {
      world.hubspot.state.tokenAnswerOmits.clear();
    }
  });
});

describe('asking for the Zendesk subdomain', () => {
  it('asks, checks what was typed, and shows where the browser will go before it goes', async () => {
    const b = browser();
    const ask = await b.get(`${world.publicUrl}/admin/sign-in/zendesk?next=%2Fadmin%2Fnumbers`);
    expect(ask.status).toBe(200);
    expect(ask.html).toContain('action="/admin/sign-in/zendesk/check"');
    const wrong = await b.get(`${world.publicUrl}/admin/sign-in/zendesk/check?subdomain=evil.com%2F&next=%2Fadmin%2Fnumbers`);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('is not a Zendesk subdomain');
    const check = await b.get(`${world.publicUrl}/admin/sign-in/zendesk/check?subdomain=ACME.zendesk.com&next=%2Fadmin%2Fnumbers`);
    expect(check.status).toBe(200);
    expect(check.html).toContain(world.zendesk.baseUrlFor('acme'));
    expect(check.html).toContain('href="/admin/sign-in/zendesk?subdomain=acme&amp;next=%2Fadmin%2Fnumbers"');
  });

  it('never takes a start link for a callback', async () => {
    const res = await world.rt.http().get('/admin/sign-in/hubspot?code=stolen&state=x');
    expect(res.status).toBe(400);
  });
});

describeInBrowser('platform sign-in in Chromium', () => {
  let chromium: ConsoleBrowser;
  let page: BrowserPage;
  beforeAll(async () => {
    chromium = await launchConsoleBrowser(world.publicUrl);
    page = await (await chromium.context()).newPage();
  });
  afterAll(async () => chromium?.close());

  it('shows the three platforms and signs a Zendesk admin in from the keyboard', async () => {
    await page.goto('/admin/sign-in');
    for (const label of ['Zendesk', 'HubSpot', 'Salesforce']) await page.getByRole('link', { name: label, exact: true }).waitFor();
    await screenshot(page, 'sign-in-platforms');

    const user = world.zendesk.state.account('acme').addUser({ name: 'Kim Keyboard', role: 'admin' });
    loggedInAs('zendesk', { subdomain: 'acme', userId: user.id });
    await page.getByRole('link', { name: 'Zendesk', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: /Your Zendesk subdomain/ }).fill('acme');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Continue to Zendesk' }).click();
    await page.waitForURL('**/admin/conversations');
    expect(await page.locator('.who').textContent()).toContain('Kim Keyboard');
  });

  it('signs a Salesforce admin in through the org\'s My Domain, typed on the sign-in page', async () => {
    const context = await chromium.context();
    const fresh = await context.newPage();
    await fresh.goto('/admin/sign-in');
    const others = fresh.getByRole('group', { name: 'Other Salesforce logins' });
    await others.getByRole('link', { name: 'Salesforce sandbox' }).waitFor();
    await screenshot(fresh, 'sign-in-salesforce-logins');

    const user = world.orgs.a.addUser({ displayName: 'Mia Domain', username: 'mia@a.example', email: 'mia@a.example', userType: 'STANDARD', permissions: { ModifyAllData: true, CustomizeApplication: true } });
    loggedInAs('salesforce', { orgId: world.orgs.a.orgId, userId: user.id });
    await others.getByRole('textbox', { name: /Your org's My Domain/ }).focus();
    await fresh.keyboard.type('acme');
    await fresh.keyboard.press('Enter');
    await fresh.getByRole('link', { name: 'Continue to Salesforce' }).focus();
    await fresh.keyboard.press('Enter');
    await fresh.waitForURL('**/admin/conversations');
    expect(await fresh.locator('.who').textContent()).toContain('Mia Domain');
    await fresh.close();
  });
});
