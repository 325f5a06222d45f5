import type { Page } from 'playwright-core';
import { currentRules, saveRule } from '../../core/automation/rules';
import { createOtherWorkspace } from '../admin/admin-helpers';
import { describeInBrowser, screenshot, signInAs, startConsoleWorld, type ConsoleBrowser, type ConsoleWorld } from '../support/console-browser';
import type { TestRuntime } from '../support/test-runtime';

describeInBrowser('automation rules in the console', () => {
  let world: ConsoleWorld;
  let runtime: TestRuntime;
  let browser: ConsoleBrowser;
  let page: Page;
  let other: { workspaceId: string; numberId: string };
  const PNID = '100000000000777';

  beforeAll(async () => {
    world = await startConsoleWorld();
    ({ rt: runtime, browser, page } = world);
    // A number of this workspace (the page only needs its row) and another tenant with a rule of its own.
    await runtime.db('whatsapp_number').insert({ workspace_id: runtime.workspace.id, phone_number_id: PNID, waba_id: '100000000000770', display_phone_number: '15550007777', verified_name: 'Shop', access_token_sealed: runtime.secrets.seal('token') });
    other = await createOtherWorkspace(runtime.db, '100000000000991');
    expect(await saveRule(runtime.db, { workspaceId: other.workspaceId, numberId: null, kind: 'closing', definition: { message: 'Other tenant closing text' }, actor: 'other-admin' })).toMatchObject({ ok: true });
  });
  afterAll(async () => world?.close());

  const rulesOf = async (kind: string) => (await currentRules(runtime.db, runtime.workspace.id)).filter((r) => r.kind === kind);
  const alertText = async () => (await page.getByRole('alert').first().textContent()) ?? '';

  it('lists every kind with what is in force, never another workspace\'s rules or numbers', async () => {
    await page.goto('/admin/automation');
    const closing = page.getByRole('row', { name: /Closing message/ });
    expect(await closing.textContent()).toContain('not set');
    expect(await page.content()).not.toContain('other-admin');
    expect(await page.getByRole('row').count()).toBe(1 + 11);

    const foreign = await page.goto(`/admin/automation/closing?number=100000000000991`);
    expect(foreign?.status()).toBe(404);
    expect((await page.goto('/admin/automation/no_such_kind'))?.status()).toBe(404);
  });

  it('edits business hours through the form: the new version is in force and in the history', async () => {
    await page.goto('/admin/automation');
    await page.getByRole('link', { name: 'Business hours' }).click();
    await page.getByText('No business hours rule is in force').waitFor();
    await page.getByLabel('Time zone').selectOption('Europe/Lisbon');
    await page.getByLabel('Monday opens (1)').fill('08:30');
    await page.getByLabel('Monday closes (1)').fill('12:00');
    await page.getByLabel('Monday opens (2)').fill('13:00');
    await page.getByLabel('Monday closes (2)').fill('18:00');
    await page.getByLabel('Tuesday opens (1)').fill('');
    await page.getByLabel('Tuesday closes (1)').fill('');
    await page.getByLabel(/^Holidays/).fill('2026-12-25 Christmas Day');
    await page.getByLabel(/^Other hours on a date/).fill('2026-12-24 09:00-12:00\n2026-12-31 closed');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved business hours version 1 for the workspace default' }).waitFor();

    const inForce = page.locator('h2:has-text("In force") + p');
    expect(await inForce.textContent()).toMatch(/v1 on.*version 1, saved by admin-token/);
    const history = page.getByRole('table', { name: /Versions of Business hours/ });
    expect(await history.getByRole('row').count()).toBe(2);
    expect(await history.getByRole('row').nth(1).textContent()).toContain('admin-token');
    await screenshot(page, 'automation-business-hours');

    const [rule] = await rulesOf('business_hours');
    expect(rule?.definition).toMatchObject({
      hours: {
        timeZone: 'Europe/Lisbon',
        weekly: { mon: [{ open: '08:30', close: '12:00' }, { open: '13:00', close: '18:00' }], tue: [] },
        holidays: [{ date: '2026-12-25', name: 'Christmas Day' }],
        exceptions: [{ date: '2026-12-24', intervals: [{ open: '09:00', close: '12:00' }] }, { date: '2026-12-31', intervals: [] }],
      },
    });
    expect(await runtime.db('audit_log').where({ workspace_id: runtime.workspace.id, action: 'automation.rule_saved' }).pluck('actor')).toEqual(['admin-token']);

    // A refused form names the field and keeps what was typed; nothing is saved.
    await page.getByLabel('Tuesday opens (1)').fill('18:00');
    await page.getByLabel('Tuesday closes (1)').fill('09:00');
    await page.getByLabel('Tuesday closes (1)').press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('definition.hours.weekly.tue.0: must close after it opens');
    expect(await page.getByLabel('Tuesday opens (1)').inputValue()).toBe('18:00');
    expect(await page.getByLabel(/^Holidays/).inputValue()).toBe('2026-12-25 Christmas Day');
    expect((await rulesOf('business_hours')).map((r) => r.version)).toEqual([1]);

    // Fixed, it becomes version 2, at the top of the history.
    await page.getByLabel('Tuesday closes (1)').fill('19:00');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('status').filter({ hasText: 'version 2' }).waitFor();
    expect(await history.getByRole('row').count()).toBe(3);
    expect(await history.getByRole('row').nth(1).getByRole('cell').first().textContent()).toBe('2');
  });

  it('a number inherits the default until it is given hours of its own', async () => {
    await page.goto('/admin/automation/business_hours');
    await page.getByLabel('Rule for').selectOption(PNID);
    await page.getByRole('form', { name: 'Scope' }).getByRole('button', { name: 'Show' }).click();
    await page.getByText('This number uses the workspace default').waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Lisbon');
    await page.getByLabel('Time zone').selectOption('America/New_York');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('status').filter({ hasText: 'for number 15550007777 (Shop)' }).waitFor();
    const rules = await rulesOf('business_hours');
    expect(rules.map((r) => [r.numberId === null ? 'default' : 'number', r.version])).toEqual(expect.arrayContaining([['default', 2], ['number', 1]]));
  });

  it('an invalid JSON rule shows the schema\'s field errors and keeps the text', async () => {
    await page.goto('/admin/automation/faq');
    await page.getByRole('link', { name: 'Start from the README example' }).click();
    expect(await page.getByLabel(/^The rule's definition/).inputValue()).toContain('What are your opening hours?');

    const typed = '{ "entries": [{ "question": "Hi", "answer": "" }], "minScore": 2 }';
    await page.getByLabel(/^The rule's definition/).fill(typed);
    await page.getByRole('button', { name: 'Save faq answers' }).click();
    await page.getByRole('alert').waitFor();
    const problems = await alertText();
    expect(problems).toContain('definition.entries.0.question');
    expect(problems).toContain('definition.entries.0.answer');
    expect(problems).toContain('definition.minScore');
    expect(await page.getByLabel(/^The rule's definition/).inputValue()).toBe(typed);

    await page.getByLabel(/^The rule's definition/).fill('{ "entries": [ ');
    await page.getByRole('button', { name: 'Save faq answers' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('JSON:');
    expect(await page.getByLabel(/^The rule's definition/).inputValue()).toBe('{ "entries": [ ');
    expect(await rulesOf('faq')).toEqual([]);
  });

  it('teams are edited as a table, and a rule naming an unknown team is refused', async () => {
    await page.goto('/admin/automation/teams');
    // Never saved: the table starts from the README's example, to be edited.
    expect(await page.getByLabel('Salesforce queue id, row 2').inputValue()).toBe('00G5g000004ABCDEAA');
    await page.getByLabel('Salesforce queue id, row 2').fill('');
    await page.getByLabel('Key, row 1').fill('support');
    await page.getByLabel('Name, row 1').fill('Support');
    await page.getByLabel('Zendesk group id, row 1').fill('360001');
    await page.getByLabel('Zendesk tags, row 1').fill('whatsapp, vip');
    await page.getByLabel('Key, row 2').fill('Billing Team');
    await page.getByLabel('Name, row 2').fill('Billing');
    await page.getByRole('button', { name: 'Save teams' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('team "Billing Team".key: must be a short key');
    expect(await page.getByLabel('Key, row 2').inputValue()).toBe('Billing Team');

    await page.getByLabel('Key, row 2').fill('billing');
    await page.getByLabel('HubSpot owner id, row 2').fill('5001');
    await page.getByRole('button', { name: 'Save teams' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved teams version 1' }).waitFor();
    expect((await rulesOf('teams'))[0]?.definition).toEqual({
      teams: [{ key: 'support', name: 'Support', zendesk: { groupId: 360001, tags: ['whatsapp', 'vip'] } }, { key: 'billing', name: 'Billing', hubspot: { ownerId: '5001' } }],
    });

    await page.goto('/admin/automation/keyword_routes');
    await page.getByLabel(/^The rule's definition/).fill('{ "routes": [{ "keywords": ["invoice"], "team": "sales" }] }');
    await page.getByRole('button', { name: 'Save keyword routes' }).click();
    await page.getByRole('alert').waitFor();
    expect(await alertText()).toContain('team "sales" is not in the teams rule');
  });

  it('a team gets business hours of its own', async () => {
    await page.goto('/admin/automation/business_hours');
    await page.getByLabel('Hours of').selectOption('support');
    await page.getByRole('form', { name: 'Whose hours' }).getByRole('button', { name: 'Show' }).click();
    await page.getByText('Team support keeps the main hours').waitFor();
    await page.getByLabel('Saturday opens (1)').fill('10:00');
    await page.getByLabel('Saturday closes (1)').fill('14:00');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved business hours version 3' }).waitFor();
    expect(await page.getByLabel('Hours of').inputValue()).toBe('support');
    const rule = (await rulesOf('business_hours')).find((r) => r.numberId === null)?.definition as { hours: { timeZone: string }; teams: Record<string, { weekly: Record<string, unknown> }> };
    expect(rule.hours.timeZone).toBe('Europe/Lisbon');
    expect(rule.teams.support?.weekly.sat).toEqual([{ open: '10:00', close: '14:00' }]);
    expect(rule.teams.billing).toBeUndefined();
  });

  it('a number can opt out of the default; the overview shows what is in force where', async () => {
    await page.goto(`/admin/automation/business_hours?number=${PNID}`);
    await page.getByRole('button', { name: /^Switch off for number/ }).click();
    await page.getByRole('status').filter({ hasText: 'Switched business hours off for number 15550007777 (Shop) (version 2)' }).waitFor();
    expect(await page.locator('h2:has-text("In force") + p').textContent()).toContain('the workspace default does not apply to this number');

    await page.goto('/admin/automation');
    const hours = page.getByRole('row', { name: /Business hours/ });
    expect(await hours.getByRole('cell').nth(2).textContent()).toBe('v3 on');
    expect(await hours.getByRole('cell').nth(3).textContent()).toContain('15550007777 (Shop) v2 off');
    expect(await page.getByRole('row', { name: /Teams/ }).getByRole('cell').nth(2).textContent()).toBe('v1 on');
    await screenshot(page, 'automation');
  });

  it('a viewer sees the rules read-only and cannot save', async () => {
    const context = await browser.context();
    await signInAs(context, runtime.db, runtime.url, { workspaceId: runtime.workspace.id, role: 'viewer' });
    const viewer = await context.newPage();
    await viewer.goto('/admin/automation/business_hours');
    await viewer.getByText('rules are shown read-only').waitFor();
    expect(await viewer.getByRole('button', { name: /Save|Switch off/ }).count()).toBe(0);
    expect(await viewer.getByLabel('Time zone').isDisabled()).toBe(true);
    expect(await viewer.getByLabel('Monday opens (1)').inputValue()).toBe('08:30');

    const csrf = await viewer.locator('input[name=csrf]').first().inputValue();
    const refused = await viewer.request.post('/admin/automation/business_hours', { form: { csrf, editor: 'json', json: '{"hours":{"timeZone":"UTC","weekly":{}}}' } });
    expect(refused.status()).toBe(403);
    expect((await rulesOf('business_hours')).find((r) => r.numberId === null)?.version).toBe(3);
  });
});
