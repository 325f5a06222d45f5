import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { startConsoleSession } from '../../core/auth/console-sessions';
import { installConnector } from '../../core/connectors/installations';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { ADMIN_AUTH, createOtherWorkspace, waitFor } from '../admin/admin-helpers';
import { testConnector } from '../connectors/test-connector/test-connector';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { describeInBrowser, screenshot, signInAs, startConsoleWorld, type ConsoleBrowser, type ConsoleWorld } from '../support/console-browser';
import { deadInboxEvent } from '../support/dead-letters';
import type { TestRuntime } from '../support/test-runtime';

describeInBrowser('console: dead letters', () => {
  let world: ConsoleWorld;
  let rt: TestRuntime;
  let browser: ConsoleBrowser;
  let page: Page;
  beforeAll(async () => {
    world = await startConsoleWorld({ meta: true, worker: { pollIntervalMs: 50 }, connectors: [testConnector] });
    ({ rt, browser, page } = world);
  });
  afterAll(async () => world?.close());

  const stateOf = async (id: number) => (await rt.db('inbox_event').where({ id }).first('state')).state as string;

  /** A sync event a platform refused on its last attempt, as the sync worker leaves it (sync-dead-letters.ts). */
  async function deadSyncEvent(): Promise<number> {
    const installed = await installConnector({ db: rt.db, secrets: rt.secrets, registry: new ConnectorRegistry([testConnector]) }, rt.workspace.id, {
      connector: 'test-platform', accountId: 'acct-console', config: { baseUrl: 'http://127.0.0.1:9' },
      credentials: { apiKey: 'fake-platform-api-key', replySecret: 'reply-secret-0123' },
    }, 'test');
    if (!installed.ok) throw new Error(installed.message);
    const [row]: { id: number }[] = await rt.db('sync_outbox').insert({
      workspace_id: rt.workspace.id, installation_id: installed.installation.id, event_id: crypto.randomUUID(), type: 'message.inbound',
      conversation_id: crypto.randomUUID(), data: JSON.stringify({ wamid: 'wamid.SYNC_DEAD' }), state: 'dead', attempts: 8,
      last_error: 'PLATFORM_UNAVAILABLE: the platform answered 503 Service Unavailable',
    }).returning('id');
    if (!row) throw new Error('outbox row not inserted');
    return row.id;
  }

  it('lists every kind with why it failed; an admin replays one, sees the notice, and the worker processes it', async () => {
    const inboxId = await deadInboxEvent(rt, 'wamid.CONSOLE_DEAD_1');
    const syncId = await deadSyncEvent();
    await page.goto('/admin/dead-letters');
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();

    const inboxRow = page.getByRole('row').filter({ hasText: 'text message from 15550007777' });
    expect(await inboxRow.textContent()).toContain(`${fixtureNumber.phoneNumberId} is not registered`);
    const syncRow = page.getByRole('row').filter({ hasText: 'PLATFORM_UNAVAILABLE' });
    expect(await syncRow.textContent()).toContain('test-platform acct-console');
    expect(await syncRow.getByRole('cell').nth(3).textContent()).toBe('8');
    await screenshot(page, 'dead-letters');

    // The cause: the number was never connected. Connect it, then replay from the console.
    const registered = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    expect(registered.status).toBe(201);
    await page.getByRole('button', { name: `Replay inbox event ${inboxId}` }).click();
    await page.waitForURL('**/admin/dead-letters');
    expect(await page.getByRole('status').textContent()).toContain(`Inbox event ${inboxId} replayed`);
    expect(await page.getByRole('button', { name: `Replay inbox event ${inboxId}` }).count()).toBe(0);
    expect(await page.getByText('No inbox event failed for good.').count()).toBe(1);

    await waitFor(async () => (await stateOf(inboxId)) === 'processed', 'the replayed event to be processed by the worker');
    const message = await rt.db('message').where({ wamid: 'wamid.CONSOLE_DEAD_1', workspace_id: rt.workspace.id }).first('text');
    expect(message?.text).toBe('did you get this?');
    const audit = await rt.db('audit_log').where({ workspace_id: rt.workspace.id, action: 'dead_letter.replayed' }).select('actor', 'entity_type', 'entity_id');
    expect(audit).toEqual([{ actor: 'admin-token', entity_type: 'inbox_event', entity_id: String(inboxId) }]);

    // The sync event's platform is still down in this test: it stays listed.
    expect(await page.getByRole('button', { name: `Replay sync event ${syncId}` }).count()).toBe(1);
  });

  it('shows a dead bot forward with a link to its conversation', async () => {
    const message: { id: string; conversation_id: string } = await rt.db('message').where({ wamid: 'wamid.CONSOLE_DEAD_1' }).first('id', 'conversation_id');
    await rt.db('bot_forward').insert({
      workspace_id: rt.workspace.id, conversation_id: message.conversation_id, message_id: message.id, state: 'dead', attempts: 5,
      last_error: 'the bot answered 500', finished_at: new Date(),
    });
    await page.goto('/admin/dead-letters');
    const row = page.getByRole('row').filter({ hasText: 'the bot answered 500' });
    expect(await row.getByRole('link').getAttribute('href')).toBe(`/admin/conversations/${message.conversation_id}`);
  });

  it('shows a viewer the list with disabled Replay buttons and why; the server refuses a viewer anyway', async () => {
    const context = await browser.context();
    await signInAs(context, rt.db, rt.url, { workspaceId: rt.workspace.id, role: 'viewer' });
    const viewerPage = await context.newPage();
    await viewerPage.goto('/admin/dead-letters');
    expect(await viewerPage.getByText('replaying needs an admin').count()).toBe(1);
    const buttons = viewerPage.getByRole('button', { name: 'Replay' });
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);
    expect(await viewerPage.locator('form[action*="/replay"]').count()).toBe(0);

    const { token, session } = await startConsoleSession(rt.db, { workspaceId: rt.workspace.id, role: 'viewer', actor: 'test:viewer', displayName: 'Viewer' });
    const syncId: number = (await rt.db('sync_outbox').where({ state: 'dead' }).first('id')).id;
    const res = await rt.http().post(`/admin/dead-letters/sync/${syncId}/replay`).set('cookie', `threadline_console=${token}`).type('form').send({ csrf: session.csrfToken });
    expect(res.status).toBe(403);
    expect((await rt.db('sync_outbox').where({ id: syncId }).first('state')).state).toBe('dead');
  });

  it('pages each kind on its own, older and back to the newest', async () => {
    const { token } = await startConsoleSession(rt.db, { workspaceId: rt.workspace.id, role: 'admin', actor: 'test:admin', displayName: 'Admin' });
    const installationId: string = (await rt.db('installation').where({ workspace_id: rt.workspace.id }).first('id')).id;
    await rt.db('sync_outbox').insert(Array.from({ length: 21 }, (_, i) => ({
      workspace_id: rt.workspace.id, installation_id: installationId, event_id: crypto.randomUUID(), type: 'message.inbound',
      conversation_id: crypto.randomUUID(), state: 'dead', attempts: 8, last_error: `PAGED_${i}`,
    })));
    const get = (path: string) => rt.http().get(path).set('cookie', `threadline_console=${token}`);
    const first = await get('/admin/dead-letters');
    const older = /href="(\/admin\/dead-letters\?sync_before=\d+)" rel="next"/.exec(first.text)?.[1];
    expect(first.text).toContain('PAGED_20');
    expect(older).toBeDefined();
    const second = await get(older ?? '');
    expect(second.text).not.toContain('PAGED_20');
    expect(second.text).toContain('PAGED_0');
    expect(second.text).toMatch(/href="\/admin\/dead-letters\?" rel="prev">Newer/);
  });

  it("answers 404 for another workspace's dead letter and replays nothing", async () => {
    const other = await createOtherWorkspace(rt.db, '100000000000081');
    const foreign = await deadInboxEvent(rt, 'wamid.CONSOLE_DEAD_OTHER', { workspaceId: other.workspaceId, phoneNumberId: '100000000000056' });
    const { token, session } = await startConsoleSession(rt.db, { workspaceId: rt.workspace.id, role: 'admin', actor: 'test:admin', displayName: 'Admin' });
    const post = (path: string) => rt.http().post(path).set('cookie', `threadline_console=${token}`).type('form').send({ csrf: session.csrfToken });
    const res = await post(`/admin/dead-letters/inbox/${foreign}/replay`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('no such dead letter in this workspace');
    expect(await stateOf(foreign)).toBe('dead');
    for (const path of ['/admin/dead-letters/inbox/abc/replay', `/admin/dead-letters/bot/${crypto.randomUUID()}/replay`, '/admin/dead-letters/other/1/replay']) {
      expect((await post(path)).status).toBe(404);
    }
    const list = await rt.http().get('/admin/dead-letters').set('cookie', `threadline_console=${token}`);
    expect(list.text).toContain('No inbox event failed for good.');
    expect(list.text).not.toContain(`Replay inbox event ${foreign}`);
  });
});
