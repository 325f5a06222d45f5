import type { Page } from 'playwright-core';
import { writeAudit } from '../../core/audit/write-audit';
import { summarizeAuditData } from '../../core/audit/read-audit';
import { assignConversation } from '../../core/engine/conversation-commands';
import { describeInBrowser, screenshot, signInWithToken, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { seedFixtureNumber } from '../support/seed';
import type { TestRuntime } from '../support/test-runtime';

describe('audit data summary', () => {
  it('flattens nested data, cuts long values and never shows a secret-looking key', () => {
    const summary = summarizeAuditData({ connector: 'zendesk', error: { code: 131047, title: 'Re-engagement' }, accessToken: 'EAAG-secret', nested: { replySecret: 'x', list: [{ apiKey: 'k' }] }, long: 'a'.repeat(500) });
    expect(summary.fields).toEqual([
      { key: 'connector', value: 'zendesk' },
      { key: 'error.code', value: '131047' },
      { key: 'error.title', value: 'Re-engagement' },
      { key: 'accessToken', value: '[hidden]' },
      { key: 'nested.replySecret', value: '[hidden]' },
      { key: 'nested.list', value: '[{"apiKey":"[hidden]"}]' },
      { key: 'long', value: `${'a'.repeat(119)}…` },
    ]);
    expect(JSON.stringify(summary)).not.toMatch(/EAAG|"k"/);
  });
});

describeInBrowser('console: audit log', () => {
  let world: ConsoleWorld;
  let rt: TestRuntime;
  let page: Page;
  beforeAll(async () => {
    // Not signed in yet: the test writes audit entries first, so its sign-in is the newest.
    world = await startConsoleWorld({ signIn: false });
    ({ rt, page } = world);
  });
  afterAll(async () => world?.close());

  const rowsText = async () => page.getByRole('row').allTextContents();

  it('shows who did what, newest first, with the sign-in and without secrets', async () => {
    await writeAudit(rt.db, { workspaceId: rt.workspace.id, actor: 'zendesk:42', action: 'installation.settings_changed', entityType: 'installation', entityId: 'inst-1', data: { connector: 'zendesk', changed: ['brand'], accessToken: 'never-show-this' } });
    // Another workspace's entries never show.
    const [other]: { id: string }[] = await rt.db('workspace').insert({ name: 'Other', slug: 'other-audit' }).returning('id');
    await writeAudit(rt.db, { workspaceId: String(other?.id), actor: 'intruder', action: 'workspace.secret_thing', entityType: 'workspace', entityId: 'x' });

    await signInWithToken(page);
    await page.goto('/admin/audit');
    const rows = await rowsText();
    expect(rows[1]).toContain('console.sign_in');
    expect(rows[1]).toContain('admin-token');
    expect(rows[1]).toMatch(/roleadmin.*provideradmin-token/);
    expect(rows[2]).toContain('zendesk:42');
    expect(rows[2]).toContain('installation.settings_changed');
    expect(rows[2]).toContain('accessToken[hidden]');
    const text = await page.locator('main').textContent();
    expect(text).not.toContain('never-show-this');
    expect(text).not.toContain('intruder');
    await screenshot(page, 'audit');
  });

  it("records a console action with the session's actor, and the sign-out", async () => {
    const { conversationId } = await seedConversation(rt);
    await assignConversation(rt.db, rt.workspace.id, conversationId, { platform: 'console', id: 'admin-token', name: 'Administrator' }, 'admin-token');
    await page.goto('/admin/audit');
    const row = page.getByRole('row').filter({ hasText: 'conversation.assigned' });
    expect(await row.getByRole('link').getAttribute('href')).toBe(`/admin/conversations/${conversationId}`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/admin/sign-in');
    expect(await rt.db('audit_log').where({ workspace_id: rt.workspace.id, action: 'console.sign_out' }).select('actor')).toEqual([{ actor: 'admin-token' }]);
    await signInWithToken(page);
  });

  it('filters by actor, action and entity type from the keyboard-reachable form', async () => {
    await page.goto('/admin/audit');
    await page.getByLabel('Who').selectOption('zendesk:42');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/actor=zendesk%3A42/);
    let rows = (await rowsText()).slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('installation.settings_changed');

    await page.goto('/admin/audit');
    await page.getByLabel('Action').selectOption('console.sign_in');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=console.sign_in/);
    rows = (await rowsText()).slice(1);
    expect(rows).toHaveLength(2); // signed in twice
    for (const r of rows) expect(r).toContain('console.sign_in');

    await page.goto('/admin/audit?entity_type=conversation');
    rows = (await rowsText()).slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatch(/conversation [0-9a-f]{8}/);
    expect(await page.getByLabel('Entity type').inputValue()).toBe('conversation');

    await page.goto('/admin/audit?actor=nobody');
    expect(await page.getByText('No entry matches these filters.').count()).toBe(1);
  });

  it('pages with Older and Newer links that keep the filters', async () => {
    await rt.db('audit_log').insert(Array.from({ length: 120 }, (_, i) => ({
      workspace_id: rt.workspace.id, actor: 'system', action: 'test.paged', entity_type: 'thing', entity_id: `n${String(i).padStart(3, '0')}`, data: '{}',
    })));
    await page.goto('/admin/audit?action=test.paged');
    expect(await page.getByRole('link', { name: 'Newer' }).count()).toBe(0);
    const ids = async () => (await rowsText()).slice(1).map((r) => /n\d{3}/.exec(r)?.[0]);
    expect((await ids()).slice(0, 2)).toEqual(['n119', 'n118']);
    await page.getByRole('link', { name: 'Older' }).click();
    await page.waitForURL(/before=/);
    expect(page.url()).toContain('action=test.paged');
    expect((await ids())[0]).toBe('n069');
    await page.getByRole('link', { name: 'Older' }).click();
    await page.waitForURL(/before=/);
    expect(await ids()).toHaveLength(20);
    expect(await page.getByRole('link', { name: 'Older' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Newer' }).click();
    await page.waitForURL(/after=/);
    const back = await ids();
    expect([back[0], back.at(-1)]).toEqual(['n069', 'n020']);
    await page.getByRole('link', { name: 'Newer' }).click();
    await page.waitForURL(/after=/);
    expect((await ids())[0]).toBe('n119');
    expect(await page.getByRole('link', { name: 'Newer' }).count()).toBe(0);
  });
});

/** A customer's conversation on a connected number, as the engine stores one. */
async function seedConversation(rt: TestRuntime): Promise<{ conversationId: string }> {
  const ws = rt.workspace.id;
  const number = await seedFixtureNumber(rt.db, ws);
  const [contact]: { id: string }[] = await rt.db('contact').insert({ workspace_id: ws, wa_id: '15550009999', profile_name: 'Audit Customer' }).returning('id');
  const [conversation]: { id: string }[] = await rt.db('conversation').insert({ workspace_id: ws, contact_id: contact?.id, whatsapp_number_id: number.id, opened_at: new Date(), last_message_at: new Date() }).returning('id');
  if (!conversation) throw new Error('conversation not inserted');
  return { conversationId: conversation.id };
}
