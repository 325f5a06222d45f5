import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { startConsoleSession, type ConsoleRole } from '../../core/auth/console-sessions';
import { SEEDED_RANGE, seedAnalytics, type SeededWorkspace } from '../analytics/analytics-seed';
import { describeInBrowser, launchConsoleBrowser, screenshot, signInAs, type ConsoleBrowser } from '../support/console-browser';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';

/** The analytics page over the seeded week (test/analytics/analytics-seed.ts; its figures are worked out in analytics-figures.test.ts). */
let runtime: TestRuntime;
let seeded: SeededWorkspace;
beforeAll(async () => {
  runtime = await startTestRuntime({ worker: false });
  seeded = await seedAnalytics(runtime.db);
});
afterAll(async () => runtime?.close());

const WEEK = `from=${SEEDED_RANGE.from}&to=${SEEDED_RANGE.to}`;

async function cookieFor(role: ConsoleRole, workspaceId = seeded.workspaceId): Promise<{ cookie: string; csrf: string }> {
  const { token, session } = await startConsoleSession(runtime.db, { workspaceId, role, actor: `test:${role}`, displayName: role });
  return { cookie: `threadline_console=${token}`, csrf: session.csrfToken };
}

describe('analytics over HTTP', () => {
  it('exports the figures as CSV: attachment, UTF-8, one row per day per metric, formulas made inert', async () => {
    // A team name a customer could never type, but an admin could: a spreadsheet must show it, not run it.
    await runtime.db('conversation_routing').where({ workspace_id: seeded.workspaceId, team: 'support' }).update({ team: '=HYPERLINK("http://x","y")' });
    try {
      const res = await runtime.http().get(`/admin/analytics.csv?${WEEK}`).set('cookie', (await cookieFor('viewer')).cookie);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="threadline-analytics-2026-11-10-to-2026-11-16.csv"');
      const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
      expect(lines[0]).toBe('figure,dimension,key,metric,value');
      expect(lines).toEqual(expect.arrayContaining([
        'range,,,from,2026-11-10', 'range,,,to_inclusive,2026-11-16',
        'messages_per_day,day,2026-11-10,inbound,2', 'messages_per_day,day,2026-11-12,outbound,5',
        'first_response,team,"\'=HYPERLINK(""http://x"",""y"")",median_seconds,600',
      ]));
    } finally {
      await runtime.db('conversation_routing').where({ workspace_id: seeded.workspaceId, team: '=HYPERLINK("http://x","y")' }).update({ team: 'support' });
    }
  });

  it('answers 404 for a number of another workspace and 400 for a backwards range', async () => {
    const { cookie } = await cookieFor('admin');
    const foreign = await runtime.http().get(`/admin/analytics?${WEEK}&number=${seeded.otherNumber}`).set('cookie', cookie);
    expect(foreign.status).toBe(404);
    expect(foreign.text).toContain('There is no such number in this workspace.');
    expect((await runtime.http().get(`/admin/analytics.csv?${WEEK}&number=${seeded.otherNumber}`).set('cookie', cookie)).status).toBe(404);
    const backwards = await runtime.http().get('/admin/analytics?from=2026-11-17&to=2026-11-10').set('cookie', cookie);
    expect(backwards.status).toBe(400);
    expect(backwards.text).toContain('must be on or before the &quot;to&quot; day');
  });

  it('refuses a rate card with a negative price or an unknown currency, saving nothing', async () => {
    const { cookie, csrf } = await cookieFor('admin');
    const res = await runtime.http().post(`/admin/analytics/rate-card?${WEEK}`).set('cookie', cookie).type('form')
      .send({ csrf, currency: 'EUX', market_0: 'default', marketing_0: '-1', market_1: '44', utility_1: '0.02', market_2: '44', utility_2: '0.03' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('currency: must be an ISO 4217 currency code');
    expect(res.text).toContain('Row 1 marketing: must be a price of 0 or more');
    expect(res.text).toContain('Row 3 market: market 44 is listed twice');
    expect(await runtime.db('rate_card_price').where({ workspace_id: seeded.workspaceId })).toEqual([]);
  });

  it('lets a viewer see the rate card but not change it', async () => {
    const viewer = await cookieFor('viewer');
    const page = await runtime.http().get(`/admin/analytics?${WEEK}`).set('cookie', viewer.cookie);
    expect(page.text).toContain('Only admins can change the rate card.');
    expect(page.text).not.toContain('Save rate card');
    const change = await runtime.http().post('/admin/analytics/rate-card').set('cookie', viewer.cookie).type('form').send({ csrf: viewer.csrf, currency: 'EUR' });
    expect(change.status).toBe(403);
  });
});

describeInBrowser('analytics in Chromium', () => {
  let browser: ConsoleBrowser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchConsoleBrowser(runtime.url);
    const context = await browser.context();
    await signInAs(context, runtime.db, runtime.url, { workspaceId: seeded.workspaceId, role: 'admin' });
    page = await context.newPage();
    page.setDefaultTimeout(8000);
  });
  afterAll(async () => browser?.close());

  const cellsOf = async (table: string, row: string) => page.getByRole('table', { name: table }).getByRole('row').filter({ has: page.getByRole('cell', { name: row, exact: true }) }).getByRole('cell').allTextContents();

  it('draws the seeded totals: in the uPlot data, the legends, the captions and the tables', async () => {
    await page.goto('/admin/analytics');
    // The range is chosen in the form, from the keyboard.
    await page.getByLabel('From (UTC)').fill(SEEDED_RANGE.from);
    await page.getByLabel('To, included (UTC)').fill(SEEDED_RANGE.to);
    await page.getByLabel('To, included (UTC)').press('Enter');
    await page.waitForURL(`**/admin/analytics?${WEEK}&number=&team=`);
    await page.waitForFunction(() => 'analyticsCharts' in globalThis);

    const drawn = await page.evaluate(() => {
      const charts = Reflect.get(globalThis, 'analyticsCharts') as Record<string, { data: number[][] } | undefined>;
      const sums = (id: string) => (charts[id]?.data ?? []).slice(1).map((values) => values.reduce((a, b) => a + b, 0));
      return { daily: sums('daily'), hourly: sums('hourly'), days: charts.daily?.data[0]?.length, hours: charts.hourly?.data[0]?.length };
    });
    expect(drawn).toEqual({ daily: [5, 9], hourly: [5, 9], days: 7, hours: 24 });
    expect(await page.locator('#chart-daily .u-legend').innerText()).toMatch(/In \(total 5\)[\s\S]*Out \(total 9\)/);
    expect(await page.locator('#chart-hourly .u-legend').innerText()).toMatch(/In \(total 5\)[\s\S]*Out \(total 9\)/);
    expect(await page.locator('#daily-caption').innerText()).toBe('Messages per day (UTC): 5 in, 9 out');
    expect(await cellsOf('Messages per day', 'Total')).toEqual(['Total', '5', '9']);
    expect(await cellsOf('Messages per day', '2026-11-12')).toEqual(['2026-11-12', '1', '5']);

    expect(await cellsOf('Failures by error code', '131047')).toEqual(['131047', 'Re-engagement message', '2']);
    expect(await cellsOf('First response time', 'All')).toEqual(['All', '4', '3', '10 min', '26 min']);
    expect(await cellsOf('First response time', 'Team: billing')).toEqual(['Team: billing', '2', '2', '16 min', '27 min 12 s']);
    expect(await cellsOf('Resolution time', 'Platform: hubspot')).toEqual(['Platform: hubspot', '1', '1', '1 d 0 h', '1 d 0 h']);
    expect(await cellsOf('SLA breaches by team', 'billing')).toEqual(['billing', '1']);
    expect(await page.getByText('Deflected', { exact: true }).locator('xpath=following-sibling::dd[1]').innerText()).toBe('2 (66.7%)');
    expect(await cellsOf('CSAT answers by score', '5')).toEqual(['5', '1']);
  });

  it('downloads the CSV of the range shown', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('threadline-analytics-2026-11-10-to-2026-11-16.csv');
    const text = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const rows = text.trim().split('\r\n');
    const inbound = rows.filter((r) => r.startsWith('messages_per_day,day,') && r.includes(',inbound,')).map((r) => Number(r.split(',')[4]));
    expect(inbound).toEqual([2, 1, 1, 0, 0, 0, 1]);
    expect(rows).toEqual(expect.arrayContaining([
      'delivery,,,delivery_rate,0.6667', 'delivery,,,read_rate,0.5', 'failures,error_code,131047,count,2',
      'first_response,all,,median_seconds,600', 'resolution,team,support,p90_seconds,78121', 'sla_breaches,all,,breaches,2',
      'faq,,,deflected,2', 'csat,all,,average,4.5', 'cost,all,,billable,3', 'cost,all,,cost_no_rate_card,',
    ]));
  });

  it('prices the billable messages with the rate card an admin enters, and again when it changes', async () => {
    expect(await page.locator('#cost-total').innerText()).toBe('–');
    await page.getByLabel('Currency (ISO 4217)').fill('EUR');
    const rows: Array<[number, string, Record<string, string>]> = [
      [1, 'default', { Marketing: '0.05', Utility: '0.01', Authentication: '0.03', Service: '0' }],
      [2, '+91', { Marketing: '0.0107' }],
      [3, '44', { Utility: '0.022' }],
    ];
    for (const [n, market, prices] of rows) {
      await page.getByLabel(`Market of row ${n}`, { exact: true }).fill(market);
      for (const [category, price] of Object.entries(prices)) await page.getByLabel(`${category} price, row ${n}`, { exact: true }).fill(price);
    }
    await page.getByRole('button', { name: 'Save rate card' }).click();
    await page.getByRole('status').filter({ hasText: 'Rate card saved' }).waitFor();
    // 0.0107 (marketing, India) + 0.022 (utility, UK) + 0.03 (authentication, US: default).
    expect(await page.locator('#cost-total').innerText()).toBe('€0.0627');
    expect(await cellsOf('Cost by team', 'not routed')).toEqual(['not routed', '2', '2', '0', '€0.052']);
    expect(page.url()).toContain(WEEK);

    await page.getByLabel('Authentication price, row 1', { exact: true }).fill('0.04');
    await page.getByRole('button', { name: 'Save rate card' }).click();
    await page.getByRole('status').filter({ hasText: 'Rate card saved' }).waitFor();
    expect(await page.locator('#cost-total').innerText()).toBe('€0.0727');
    const audit: Array<{ actor: string; data: { after: { currency: string } } }> = await runtime.db('audit_log').where({ workspace_id: seeded.workspaceId, action: 'rate_card.updated' }).orderBy('id');
    expect(audit.map((a) => [a.actor, a.data.after.currency])).toEqual([['test:admin', 'EUR'], ['test:admin', 'EUR']]);
    await screenshot(page, 'analytics');
  });
});
