import type { Page } from 'playwright-core';
import { waitForInboxDrained } from '../admin/admin-helpers';
import type { MetaFake } from '../fakes/meta/meta-fake';
import { describeInBrowser, screenshot, signInAs, startConsoleWorld, type ConsoleBrowser, type ConsoleWorld } from '../support/console-browser';
import { fixtureText } from '../support/fixtures';
import type { TestRuntime } from '../support/test-runtime';
import { connectFixtureNumber, listingRequests, WABA } from '../templates/template-helpers';

describeInBrowser('templates in the console', () => {
  let world: ConsoleWorld<MetaFake>;
  let fake: MetaFake;
  let runtime: TestRuntime;
  let browser: ConsoleBrowser;
  let page: Page;

  beforeAll(async () => {
    world = await startConsoleWorld({ meta: true, worker: { pollIntervalMs: 50 } });
    ({ meta: fake, rt: runtime, browser, page } = world);
    await connectFixtureNumber(runtime);
    fake.state.templates.addFixtureTemplates();
  });
  afterAll(async () => world?.close());

  const rowOf = (name: string) => page.getByRole('table', { name: 'Message templates' }).getByRole('row').filter({ hasText: name });

  it('syncs the WABA\'s templates from Meta and lists them with status, text and buttons', async () => {
    await page.goto('/admin/templates');
    await page.getByText('No templates yet').waitFor();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const notice = page.getByRole('status');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`WABA ${WABA}: 3 listed, 3 new, 0 updated, 0 unchanged, 0 deleted`);
    expect(listingRequests(fake)).toHaveLength(1);

    expect(await rowOf('order_update').getByRole('cell').nth(3).textContent()).toContain('APPROVED');
    expect(await rowOf('order_update').textContent()).toContain('Hi {{1}}, your refund of {{2}} will arrive by {{3}}.');
    expect(await rowOf('order_update').getByRole('list', { name: 'Buttons' }).textContent()).toMatch(/quick reply\s*Cancel order.*url\s*Track order\s*https:\/\/shop\.example\.invalid\/track\/\{\{1\}\}/s);
    expect(await rowOf('weekly_deals').textContent()).toContain('PAUSED');

    // Meta's rejection webhook, newer than the sync (an older one would be stale): the reason shows beside the status.
    const rejection = fixtureText('template-status-update-rejected.json').replace('"time": 1750004000', `"time": ${Math.ceil(Date.now() / 1000) + 1}`);
    expect((await runtime.postWebhook(rejection)).status).toBe(200);
    await waitForInboxDrained(runtime.db);
    await page.reload();
    const rejected = await rowOf('summer_promo').getByRole('cell').nth(3).textContent();
    expect(rejected).toContain('REJECTED');
    expect(rejected).toContain('INVALID_FORMAT — Fake rejection explanation');
    expect(await rowOf('summer_promo').textContent()).toContain('Hi {{first_name}}, use code {{code}} this week.');
    await screenshot(page, 'templates');
  });

  it('filters by status, category and language, and explains a filter it cannot use', async () => {
    await page.goto('/admin/templates');
    await page.getByLabel('Status').selectOption('REJECTED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('heading', { name: '1 template' }).waitFor();
    expect(await rowOf('summer_promo').count()).toBe(1);

    await page.goto('/admin/templates?category=MARKETING&language=en');
    await page.getByRole('heading', { name: '1 template' }).waitFor();
    expect(await rowOf('weekly_deals').count()).toBe(1);
    expect(await page.getByLabel('Language').inputValue()).toBe('en');

    const bad = await page.goto('/admin/templates?phone_number_id=123456789');
    expect(bad?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('phone_number_id: No number with phone_number_id 123456789');
  });

  it('shows why a sync failed, and a viewer gets no sync button', async () => {
    fake.state.setOutage(true);
    await page.goto('/admin/templates');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/GRAPH_UNAVAILABLE: The Graph API did not answer .*try again in a minute/);
    fake.state.setOutage(false);
    expect(await rowOf('order_update').count()).toBe(1);

    const context = await browser.context();
    await signInAs(context, runtime.db, runtime.url, { workspaceId: runtime.workspace.id, role: 'viewer' });
    const viewer = await context.newPage();
    await viewer.goto('/admin/templates');
    await viewer.getByRole('table', { name: 'Message templates' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
  });
});
