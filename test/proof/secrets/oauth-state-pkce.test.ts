import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { startHubSpotFake, type HubSpotFake } from '../../fakes/hubspot/hubspot-fake';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { startSalesforceFake, type SalesforceFake } from '../../fakes/salesforce/salesforce-fake';
import { FakeZendeskAdmin, fixtureOAuthClient, startZendeskFake, type ZendeskFake } from '../../fakes/zendesk/zendesk-fake';
import { useHubSpotEnv } from '../../hubspot/hubspot-world';
import { useSalesforceEnv } from '../../salesforce/salesforce-world';
import { freePort } from '../../send/send-harness';
import { browser, type Browser } from '../../support/browser';
import { startTestRuntime, type TestRuntime } from '../../support/test-runtime';
import { useZendeskEnv } from '../../zendesk/zendesk-world';

type Platform = 'zendesk' | 'hubspot' | 'salesforce';

/**
 * Every OAuth start Threadline makes (the three installs, the three console sign-ins) against the platform fakes:
 * an unguessable state, PKCE S256, and a callback that works once, only for the browser (or, for Zendesk's
 * install inside Zendesk's admin iframe, only for the login attempt) that started it.
 */
describe('OAuth state and PKCE on every start', () => {
  let rt: TestRuntime;
  let publicUrl: string;
  let zendesk: ZendeskFake;
  let hubspot: HubSpotFake;
  let salesforce: SalesforceFake;
  let restoreEnv: Array<() => void> = [];

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const callbacks = (platform: Platform) => [`${publicUrl}/admin/sign-in/${platform}/callback`, `${publicUrl}/connectors/${platform}/oauth/callback`];
    zendesk = await startZendeskFake({ accounts: ['acme'], oauthClient: { redirectUris: callbacks('zendesk') } });
    hubspot = await startHubSpotFake({ portals: [62515], app: { redirectUrls: callbacks('hubspot') } });
    salesforce = await startSalesforceFake({ orgs: [{}], app: { callbackUrls: callbacks('salesforce') } });
    restoreEnv = [useZendeskEnv(zendesk.apiBase), useHubSpotEnv(hubspot), useSalesforceEnv(salesforce, 300)];
    rt = await startTestRuntime({
      worker: false,
      config: {
        port, publicUrl,
        zendesk: { clientId: fixtureOAuthClient.clientId, clientSecret: fixtureOAuthClient.secret, apiBase: zendesk.apiBase },
        hubspot: { clientId: hubspot.state.app.clientId, clientSecret: hubspot.state.app.clientSecret, appId: hubspot.state.app.appId, apiBase: hubspot.apiBase, authBase: hubspot.authBase },
        salesforce: {
          clientId: salesforce.state.app.clientId, clientSecret: salesforce.state.app.clientSecret,
          loginUrl: salesforce.loginUrl, sandboxLoginUrl: salesforce.sandboxLoginUrl, myDomainUrl: salesforce.myDomainUrl('{domain}'),
        },
      },
    });
    // The number a Zendesk integration account is for (its Graph token is never used here).
    await rt.db('whatsapp_number').insert({
      workspace_id: rt.workspace.id, phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId,
      display_phone_number: '+1 555 000 0000', access_token_sealed: rt.secrets.seal(fixtureNumber.accessToken),
    });
  });
  afterAll(async () => {
    await rt?.close();
    await Promise.all([zendesk?.stop(), hubspot?.stop(), salesforce?.stop()]);
    for (const restore of restoreEnv) restore();
  });

  const connectCode = async (platform: Platform): Promise<string> => {
    const res = await rt.http().post(`/api/v1/${platform}/connect-codes`).set('authorization', ADMIN_AUTH).send({});
    expect(res.status).toBe(201);
    return res.body.code;
  };

  /** What the authorize URL must carry. */
  function expectStateAndPkce(authorize: URL) {
    const q = authorize.searchParams;
    expect(q.get('state')).toMatch(/^[\w-]{43,}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  }

  /**
   * From a start's redirect on: the platform's authorize page answers with our callback URL (code and state);
   * another browser presenting it is refused, the browser that started is served, and a replay is refused.
   */
  async function expectBoundToBrowser(b: Browser, startRedirect: string | undefined, served: (status: number, html: string) => void) {
    const authorize = new URL(startRedirect ?? 'missing:');
    expectStateAndPkce(authorize);
    const consent = await b.get(authorize.toString());
    expect(consent.status).toBe(302);
    const callback = consent.location ?? '';
    expect(new URL(callback).searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    const stranger = await browser().get(callback);
    expect([400, 403]).toContain(stranger.status);
    const own = await b.get(callback);
    served(own.status, own.html);
    const replay = await b.get(callback);
    expect(replay.status).toBeGreaterThanOrEqual(400);
  }

  it('HubSpot install: state bound to the browser, PKCE S256', async () => {
    hubspot.state.installingPortalId = 62515;
    const b = browser();
    const install = `${publicUrl}/connectors/hubspot/install`;
    const codePage = await b.get(install);
    const start = await b.post(install, { csrf: codePage.csrf ?? '', connect_code: await connectCode('hubspot') });
    expect(start.status).toBe(302);
    await expectBoundToBrowser(b, start.location, (status) => expect(status).toBe(201));
  });

  it('Salesforce install: state bound to the browser, PKCE S256', async () => {
    salesforce.state.loggingInOrgId = [...salesforce.state.orgs.keys()][0];
    const b = browser();
    const install = `${publicUrl}/connectors/salesforce/install`;
    const codePage = await b.get(install);
    const start = await b.post(install, { csrf: codePage.csrf ?? '', connect_code: await connectCode('salesforce'), login: 'production' });
    expect(start.status).toBe(302);
    await expectBoundToBrowser(b, start.location, (status) => expect(status).toBe(201));
  });

  it('Zendesk install (inside Zendesk): state bound to the login attempt, single use, PKCE S256', async () => {
    const admin = new FakeZendeskAdmin(zendesk, 'acme');
    const first = await admin.open(`${publicUrl}/connectors/zendesk/manifest.json`);
    const numbers = await admin.submit(first, { code: await connectCode('zendesk') });
    const handBack = await admin.submit(numbers, { name: 'WhatsApp' });
    expect(handBack.status).toBe(200);
    const request = zendesk.state.requests.find((r) => r.path === '/oauth/authorizations/new');
    const authorize = new URL(`${zendesk.apiBase}/oauth/authorizations/new?${new URLSearchParams(request?.query as Record<string, string>).toString()}`);
    expectStateAndPkce(authorize);
    // Used once: the same state again, or one Threadline never issued, finds no attempt.
    const callback = (state: string) => rt.http().get(`/connectors/zendesk/oauth/callback?state=${encodeURIComponent(state)}&code=stolen-code`);
    expect((await callback(authorize.searchParams.get('state') ?? '')).status).toBe(400);
    expect((await callback('a'.repeat(43))).status).toBe(400);
  });

  it.each(['zendesk', 'hubspot', 'salesforce'] as const)('console sign-in with %s: state bound to the browser, PKCE S256', async (platform) => {
    if (platform === 'zendesk') zendesk.state.account('acme').signedInUserId = zendesk.state.account('acme').addUser({ name: 'Ada Admin', role: 'admin' }).id;
    if (platform === 'hubspot') hubspot.state.installingPortalId = 62515;
    if (platform === 'salesforce') salesforce.state.loggingInOrgId = [...salesforce.state.orgs.keys()][0];
    const b = browser();
    const start = await b.get(`${publicUrl}/admin/sign-in/${platform}${platform === 'zendesk' ? '?subdomain=acme' : ''}`);
    expect(start.status).toBe(302);
    expect(b.cookies.has('threadline_console_sign_in')).toBe(true);
    // The starting browser is signed in (each platform account is installed in this workspace by the tests above).
    await expectBoundToBrowser(b, start.location, (status, html) => expect({ status, html: status === 303 ? '' : html }).toEqual({ status: 303, html: '' }));
    expect(b.cookies.has('threadline_console')).toBe(true);
  });
});
