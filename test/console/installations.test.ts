import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { redeemConnectCode } from '../../core/auth/connect-codes';
import { startConsoleSession } from '../../core/auth/console-sessions';
import { describeInBrowser, launchConsoleBrowser, screenshot, signInAs, signInWithToken, type ConsoleBrowser } from '../support/console-browser';
import { startSalesforceWorld, type SalesforceWorld } from '../salesforce/salesforce-world';

/**
 * The installations page against the real runtime and the Salesforce fake: a Salesforce org installed as the OAuth
 * flow leaves it, beside a Zendesk account with a waiting queue and a HubSpot portal whose grant HubSpot refused.
 */
describeInBrowser('installations in Chromium', () => {
  let world: SalesforceWorld;
  let browser: ConsoleBrowser;
  let page: Page;
  let orgId: string;
  let salesforce: string;
  let zendesk: string;
  let foreign: string;

  const insertInstallation = async (row: Record<string, unknown>): Promise<string> => {
    const [inserted]: { id: string }[] = await world.rt.db('installation').insert(row).returning('id');
    if (!inserted) throw new Error('installation not inserted');
    return inserted.id;
  };

  beforeAll(async () => {
    world = await startSalesforceWorld({ worker: false });
    const { db, workspace } = world.rt;
    const ws = workspace.id;
    [orgId] = world.orgIds as [string];
    salesforce = await world.install(orgId);

    zendesk = await insertInstallation({
      workspace_id: ws, connector: 'zendesk', account_id: 'acme:push-1', created_at: new Date('2026-11-01T00:00:00Z'), settings: JSON.stringify({ subdomain: 'acme', instancePushId: 'push-1', phoneNumberId: '106540352242922' }),
      credentials_sealed: world.rt.secrets.seal(JSON.stringify({ pushToken: 'push', metadataKey: 'k'.repeat(32) })),
    });
    await db('sync_installation_state').insert({ installation_id: zendesk, workspace_id: ws, last_error: 'RATE_LIMITED: Zendesk asked to wait 30 s', updated_at: new Date('2026-11-22T06:00:00Z') });
    const outbox = (state: string) => ({ workspace_id: ws, installation_id: zendesk, event_id: crypto.randomUUID(), type: 'message.created', conversation_id: crypto.randomUUID(), state });
    await db('sync_outbox').insert([outbox('pending'), outbox('pending'), outbox('dead'), outbox('delivered')]);

    const hubspot = await insertInstallation({ workspace_id: ws, connector: 'hubspot', account_id: '4242', settings: JSON.stringify({ portalId: 4242 }), state: 'reinstall_required' });
    await db('audit_log').insert({ workspace_id: ws, actor: 'hubspot:platform', action: 'installation.reinstall_required', entity_type: 'installation', entity_id: hubspot, data: JSON.stringify({ reason: 'HubSpot refused the refresh token (invalid_grant)' }) });

    const [other]: { id: string }[] = await db('workspace').insert({ name: 'Other', slug: `other-${crypto.randomBytes(3).toString('hex')}` }).returning('id');
    foreign = await insertInstallation({ workspace_id: other?.id, connector: 'zendesk', account_id: 'secret:push-9', settings: '{}' });

    browser = await launchConsoleBrowser(world.rt.url);
    page = await (await browser.context()).newPage();
    await signInWithToken(page);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  const rowOf = (account: string) => page.locator('tbody tr', { hasText: account });

  it('lists each account with its state, token, last sync, last error and queue', async () => {
    await page.goto('/admin/installations');
    expect(await page.locator('tbody tr').count()).toBe(3);
    const zendeskRow = await rowOf('acme:push-1').textContent();
    for (const shown of ['Zendesk', '106540352242922', 'active', 'valid', '2026-11-22 06:00 UTC', 'RATE_LIMITED: Zendesk asked to wait 30 s']) expect(zendeskRow).toContain(shown);
    expect(await rowOf('acme:push-1').locator('td.num').allTextContents()).toEqual(['2', '1']);
    const hubspotRow = await rowOf('4242').textContent();
    for (const shown of ['HubSpot', 'reinstall required', 'HubSpot refused the refresh token (invalid_grant)', 'refused by the platform']) expect(hubspotRow).toContain(shown);
    expect(await rowOf('4242').getByRole('link', { name: /^Reconnect/ }).getAttribute('href')).toBe('/connectors/hubspot/install');
    // Installed, but no delivery run since: no last sync yet.
    expect(await rowOf(orgId).locator('td').nth(4).textContent()).toBe('–');
    expect(await rowOf(orgId).textContent()).toContain('every number');
    expect(await page.locator('main').textContent()).not.toContain('secret:push-9');
    await screenshot(page, 'installations');
  });

  it('creates a connect code that the platform install page accepts once', async () => {
    await page.getByRole('button', { name: 'Create HubSpot connect code' }).click();
    const shown = await page.getByRole('status').filter({ hasText: 'Connect code for HubSpot' }).locator('code').textContent();
    expect(shown).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(await redeemConnectCode(world.rt.db, 'hubspot', shown ?? '')).toBe(world.rt.workspace.id);
  });

  it("disconnects a Salesforce org after a confirmation, revoking Threadline's grant there", async () => {
    await page.goto('/admin/installations');
    await rowOf(orgId).getByRole('link', { name: /^Disconnect/ }).click();
    await page.waitForURL(`**/admin/installations/${salesforce}/disconnect`);
    expect(await page.locator('main').textContent()).toContain("Threadline's access to the org is revoked in Salesforce");
    await page.getByRole('button', { name: `Disconnect Salesforce ${orgId}`, exact: true }).click();
    await page.waitForURL('**/admin/installations');
    expect(await page.getByRole('status').first().textContent()).toContain(`Disconnected Salesforce ${orgId}. Salesforce revoked Threadline's access to the org.`);
    expect(world.salesforce.state.requests.some((r) => r.path.endsWith('/services/oauth2/revoke') && r.status === 200)).toBe(true);
    expect(await world.rt.db('installation').where({ id: salesforce }).first('state', 'credentials_sealed')).toEqual({ state: 'uninstalled', credentials_sealed: null });
    expect(await rowOf(orgId).textContent()).toContain('disconnected');
    expect(await rowOf(orgId).getByRole('link', { name: /^Disconnect/ }).count()).toBe(0);
  });

  it('disconnects a Zendesk account here, cancelling what waited for it', async () => {
    await page.goto(`/admin/installations/${zendesk}/disconnect`);
    await page.getByRole('button', { name: 'Disconnect Zendesk acme:push-1', exact: true }).click();
    await page.waitForURL('**/admin/installations');
    expect(await page.getByRole('status').first().textContent()).toContain('Disconnected Zendesk acme:push-1.');
    expect(await world.rt.db('sync_outbox').where({ installation_id: zendesk, state: 'pending' }).count('* as n').first()).toEqual({ n: 0 });
  });

  it("gives a viewer no disconnect, refuses theirs, and 404s another workspace's installation", async () => {
    const viewer = await browser.context();
    await signInAs(viewer, world.rt.db, world.rt.url, { workspaceId: world.rt.workspace.id, role: 'viewer' });
    const viewerPage = await viewer.newPage();
    await viewerPage.goto('/admin/installations');
    expect(await viewerPage.getByRole('link', { name: /^Disconnect/ }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: /connect code/ }).count()).toBe(0);

    const { token, session } = await startConsoleSession(world.rt.db, { workspaceId: world.rt.workspace.id, role: 'viewer', actor: 'test:viewer', displayName: 'Viewer' });
    const refused = await world.rt.http().post(`/admin/installations/${zendesk}/disconnect`).set('cookie', `threadline_console=${token}`).type('form').send({ csrf: session.csrfToken });
    expect(refused.status).toBe(403);

    expect((await page.goto(`/admin/installations/${foreign}/disconnect`))?.status()).toBe(404);
    const admin = await startConsoleSession(world.rt.db, { workspaceId: world.rt.workspace.id, role: 'admin', actor: 'test:admin', displayName: 'Admin' });
    const post = await world.rt.http().post(`/admin/installations/${foreign}/disconnect`).set('cookie', `threadline_console=${admin.token}`).type('form').send({ csrf: admin.session.csrfToken });
    expect(post.status).toBe(404);
    expect((await world.rt.db('installation').where({ id: foreign }).first('state')).state).toBe('active');
  });
});
