import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { fixtureOAuthClient, FakeZendeskAdmin, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import type { TestRuntime } from '../support/test-runtime';
import { startZendeskWorld, type ZendeskWorld } from './zendesk-world';

/**
 * Issue 4 item 1: a Zendesk admin creates an integration account. The fake plays Zendesk and the admin's
 * browser (manifest, admin_ui POST, our pages, the OAuth authorisation, the post-back to return_url).
 */
describe('Zendesk install flow', () => {
  let world: ZendeskWorld;
  let rt: TestRuntime;
  let zendesk: ZendeskFake;
  let manifestUrl = '';

  const connectCode = async (): Promise<string> => {
    const res = await rt.http().post('/api/v1/zendesk/connect-codes').set('authorization', ADMIN_AUTH);
    expect(res.status).toBe(201);
    return res.body.code;
  };

  beforeAll(async () => {
    world = await startZendeskWorld({ accounts: ['acme', 'globex'], worker: false });
    ({ rt, zendesk } = world);
    manifestUrl = `${rt.url}/connectors/zendesk/manifest.json`;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('serves the integration manifest naming our push client and every URL Zendesk calls', async () => {
    const res = await rt.http().get('/connectors/zendesk/manifest.json');
    expect(res.status).toBe(200);
    const base = rt.config.publicUrl;
    expect(res.body).toEqual({
      name: 'Threadline WhatsApp', id: 'urn:threadline:zendesk:whatsapp-channel', version: expect.any(String), author: 'Threadline',
      push_client_id: fixtureOAuthClient.clientId, channelback_files: true, create_followup_tickets: true,
      urls: {
        admin_ui: `${base}/connectors/zendesk/admin`, channelback_url: `${base}/connectors/zendesk/channelback`,
        clickthrough_url: `${base}/connectors/zendesk/clickthrough`, healthcheck_url: `${base}/connectors/zendesk/health`,
        event_callback_url: `${base}/connectors/zendesk/events`, about_url: `${base}/connectors/zendesk/about`,
      },
    });
    expect((await rt.http().get('/connectors/zendesk/health')).status).toBe(200);
  });

  it('installs from the admin_ui POST to the post-back: connect code, number, OAuth; tokens sealed, metadata without a token', async () => {
    const admin = new FakeZendeskAdmin(zendesk, 'acme');
    const first = await admin.open(manifestUrl);
    expect(first.status).toBe(200);
    expect(first.form?.textInputs).toEqual(['code']);
    const numbers = await admin.submit(first, { code: (await connectCode()).toLowerCase() });
    expect(numbers.status).toBe(200);
    expect(numbers.form?.radios.phone_number_id).toEqual([fixtureNumber.phoneNumberId]);
    const handBack = await admin.submit(numbers, { name: 'WhatsApp support', tags: 'whatsapp, vip' });
    expect(handBack.status).toBe(200);
    const instance = admin.instance;
    if (!instance) throw new Error('no instance');
    expect(handBack.form?.action).toBe(admin.returnUrl(instance.instancePushId));
    expect(handBack.html).toContain('document.forms[0].submit()');
    expect((await admin.submit(handBack)).status).toBe(200);

    const [returned] = zendesk.returnedAccounts;
    expect(returned).toMatchObject({ subdomain: 'acme', instancePushId: instance.instancePushId, name: 'WhatsApp support', state: '{}' });
    const metadata = JSON.parse(returned?.metadata ?? '{}');
    expect(Object.keys(metadata).sort()).toEqual(['installation_id', 'signature', 'v']);
    const row = await rt.db('installation').where({ id: metadata.installation_id }).first();
    expect(row).toMatchObject({ connector: 'zendesk', account_id: `acme:${instance.instancePushId}`, state: 'active' });
    expect(row.settings).toMatchObject({ subdomain: 'acme', instancePushId: instance.instancePushId, phoneNumberId: fixtureNumber.phoneNumberId, tags: ['whatsapp', 'vip'] });
    const issued = [...zendesk.state.account('acme').oauth.accessTokens.values()].find((t) => t.clientId === fixtureOAuthClient.clientId);
    expect(issued?.scopes).toEqual(['read', 'write']);
    // Sealed at rest: neither token appears in the row, and they open to the pair Zendesk issued.
    expect(row.credentials_sealed).not.toContain(issued?.token);
    expect(row.credentials_sealed).not.toContain(instance.token);
    expect(JSON.parse(rt.secrets.open(row.credentials_sealed))).toMatchObject({ pushToken: instance.token, accessToken: issued?.token, refreshToken: issued?.refreshToken, accessTokenExpiresAt: expect.any(String) });
    // PKCE was used, and Zendesk's create_integration_instance callback verifies with the metadata we handed back.
    const authorize = zendesk.state.requests.find((r) => r.path === '/oauth/authorizations/new');
    expect(authorize?.query).toMatchObject({ code_challenge_method: 'S256', scope: 'read write' });
    await zendesk.flushEventCallbacks();
    expect(zendesk.state.eventCallbacks.at(-1)).toMatchObject({ status: 200, body: { events: [{ type_id: 'create_integration_instance' }] } });
  });

  it('editing the account: its signed metadata proves the workspace, no connect code asked', async () => {
    const [returned] = zendesk.returnedAccounts;
    const instance = zendesk.state.account('acme').pushInstances.get(returned?.instancePushId ?? '');
    const admin = new FakeZendeskAdmin(zendesk, 'acme');
    const page = await admin.open(manifestUrl, { metadata: returned?.metadata ?? '', name: returned?.name ?? '' }, instance);
    expect(page.status).toBe(200);
    expect(page.form?.radios.phone_number_id).toEqual([fixtureNumber.phoneNumberId]);
  });

  it('refuses a push token Zendesk does not confirm for the subdomain, and a return_url outside the account', async () => {
    const admin = new FakeZendeskAdmin(zendesk, 'acme');
    const forged = await admin.open(manifestUrl, { zendesk_access_token: 'fake-push-forged' });
    expect(forged.status).toBe(401);
    expect(forged.html).toContain('Zendesk did not confirm this integration account&#39;s token for acme');
    expect(forged.form).toBeUndefined();
    // A real token of acme presented as globex's: globex does not know it.
    const otherAccount = await new FakeZendeskAdmin(zendesk, 'globex').open(manifestUrl, {}, zendesk.state.addPushInstance('acme'));
    expect(otherAccount.status).toBe(401);
    const foreign = await admin.open(manifestUrl, { return_url: 'https://evil.example/acme/return' });
    expect(foreign.status).toBe(400);
    expect(foreign.html).toContain('return_url must be a page of');
  });

  it('refuses a missing, wrong or spent connect code, and a page not opened from Zendesk', async () => {
    const code = await connectCode();
    const admin = new FakeZendeskAdmin(zendesk, 'acme');
    const first = await admin.open(manifestUrl);
    for (const typed of ['', 'AAAA-BBBB-CCCC']) {
      const refused = await admin.submit(first, { code: typed });
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('This connect code is unknown, expired or already used');
    }
    expect((await admin.submit(first, { code })).status).toBe(200);
    const again = await admin.submit(await new FakeZendeskAdmin(zendesk, 'acme').open(manifestUrl), { code });
    expect(again.status).toBe(403);
    const forgedCsrf = await admin.submit(first, { code, csrf: 'guessed' });
    expect(forgedCsrf.status).toBe(403);
    expect(forgedCsrf.html).toContain('This page has expired or was not opened from Zendesk');
  });

  it('refuses an OAuth callback whose state Threadline did not issue', async () => {
    const res = await rt.http().get('/connectors/zendesk/oauth/callback').query({ code: 'fake-code-x', state: 'forged-state' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This authorisation was not started by Threadline');
  });
});
