import type { Page } from 'playwright-core';
import { startConsoleSession } from '../../core/auth/console-sessions';
import { FAKE_APP_ID, fixtureNumber, type MetaFake } from '../fakes/meta/meta-fake';
import { describeInBrowser, screenshot, signInAs, startConsoleWorld, type ConsoleBrowser, type ConsoleWorld } from '../support/console-browser';
import { TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';

/** The number a customer brings through Embedded Signup, in a WABA of its own. */
const SIGNUP_WABA = '100000000000060';
const SIGNUP_NUMBER = '100000000000061';

describeInBrowser('console: WhatsApp numbers page in Chromium (against the Meta fake)', () => {
  let world: ConsoleWorld<MetaFake>;
  let fake: MetaFake;
  let rt: TestRuntime;
  let browser: ConsoleBrowser;
  let page: Page;

  beforeAll(async () => {
    world = await startConsoleWorld({
      meta: { appSecret: TEST_APP_SECRET, numbers: [fixtureNumber, { phoneNumberId: SIGNUP_NUMBER, wabaId: SIGNUP_WABA, displayPhoneNumber: '15550006161', verifiedName: 'Signup Customer' }] },
      config: { metaAppId: FAKE_APP_ID, embeddedSignupConfigId: '100000000000950' },
    });
    ({ meta: fake, rt, browser, page } = world);
  });
  afterAll(async () => world?.close());

  const row = (name: string) => page.getByRole('row').filter({ hasText: name });
  const fillManualForm = async (token: string) => {
    await page.getByLabel('Phone number ID').fill(fixtureNumber.phoneNumberId);
    await page.getByLabel('WhatsApp Business Account ID').fill(fixtureNumber.wabaId);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Connect number' }).click();
  };

  it('shows a wrong token next to the form, keeping the ids and never echoing the token', async () => {
    const response = await page.goto('/admin/numbers');
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' https:\/\/connect\.facebook\.net/);
    expect(response?.headers()['content-security-policy']).toMatch(/frame-src https:\/\/\*\.facebook\.com/);
    await page.getByText('No number is connected yet').waitFor();
    await fillManualForm('EAAGwrong-token-meta-never-issued');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Meta rejected the access token.*\(TOKEN_INVALID\)/);
    expect(await page.getByLabel('Phone number ID').inputValue()).toBe(fixtureNumber.phoneNumberId);
    expect(await page.getByLabel('Access token').inputValue()).toBe('');
    expect(await page.content()).not.toContain('EAAGwrong-token');
  });

  it('connects a number through the manual form and lists it with its health', async () => {
    await fillManualForm(fixtureNumber.accessToken);
    await page.waitForURL('**/admin/numbers');
    expect(await page.getByRole('status').filter({ hasText: /\S/ }).textContent()).toContain('Connected +1 555-000-2222 (Example Support).');
    const connected = row('Example Support');
    const cells = await connected.getByRole('cell').allTextContents();
    expect(cells.slice(2, 8)).toEqual(['Active', 'Valid', 'Subscribed', 'High', '2,000 customers / 24 h', 'Standard (80 msg/s)']);
    expect(await connected.locator('time').count()).toBe(1);
  });

  it('"Check health" asks Meta again and shows what changed', async () => {
    const number = fake.state.numbers.get(fixtureNumber.phoneNumberId);
    if (!number) throw new Error('fixture number missing');
    number.qualityRating = 'YELLOW';
    fake.state.onboarding.unsubscribe(fixtureNumber.wabaId);
    await page.getByRole('button', { name: 'Check health of +1 555-000-2222 (Example Support)' }).click();
    await page.waitForURL('**/admin/numbers');
    expect(await page.getByRole('status').filter({ hasText: /\S/ }).textContent()).toContain('Checked +1 555-000-2222 (Example Support).');
    await row('Example Support').getByText('Medium', { exact: true }).waitFor();
    await row('Example Support').getByText('Not subscribed', { exact: true }).waitFor();
    number.qualityRating = 'GREEN';
    fake.state.onboarding.subscribe(fixtureNumber.wabaId);
  });

  it('runs Embedded Signup from the page (Meta\'s SDK stubbed) and shows the generated PIN once', async () => {
    const code = fake.state.onboarding.issueCode(SIGNUP_WABA);
    // What Meta's SDK does: the session-logging message from facebook.com, then the login callback with the code.
    const finish = { type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: SIGNUP_NUMBER, waba_id: SIGNUP_WABA } };
    await page.evaluate(`window.FB = {
      init() {},
      login(callback) {
        window.dispatchEvent(new MessageEvent('message', { origin: 'https://www.facebook.com', data: ${JSON.stringify(JSON.stringify(finish))} }));
        callback({ authResponse: { code: ${JSON.stringify(code)} } });
      },
    };`);
    await page.getByRole('button', { name: 'Connect with Facebook' }).click();
    const status = page.locator('#embedded-signup-status');
    await status.getByText(/^Connected/).waitFor();
    const pin = fake.state.onboarding.pins.get(SIGNUP_NUMBER);
    expect(pin).toMatch(/^\d{6}$/);
    expect(await status.textContent()).toBe(`Connected +1 555-000-6161 (Signup Customer). Its two-step verification PIN is ${pin}: write it down now, it is not shown again. Reload the page to see its health.`);
    expect([...(fake.state.onboarding.subscriptions.get(SIGNUP_WABA) ?? [])]).toEqual([FAKE_APP_ID]);

    await page.reload();
    for (const text of ['Valid', 'Subscribed']) await row('Signup Customer').getByText(text, { exact: true }).waitFor();
    expect(await page.content()).not.toContain(pin);
    await screenshot(page, 'numbers');
  });

  it('the endpoint reports the failed step for a code that was already used, and refuses a call without the CSRF header', async () => {
    const code = fake.state.onboarding.issueCode(SIGNUP_WABA);
    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const call = (body: object, withCsrf = true) => page.evaluate(async ({ body, headers }) => {
      const res = await fetch('/admin/numbers/embedded-signup', { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    }, { body, headers: { 'Content-Type': 'application/json', ...(withCsrf ? { 'X-CSRF-Token': csrf } : {}) } });
    const body = { code, waba_id: SIGNUP_WABA, phone_number_id: SIGNUP_NUMBER, pin: String(fake.state.onboarding.pins.get(SIGNUP_NUMBER)) };
    const first = await call(body);
    expect(first.status).toBe(200); // the same number again: updated
    const reused = await call(body);
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text)).toEqual({ error: { step: 'exchange_code', code: 'SIGNUP_CODE_INVALID', message: expect.stringMatching(/already used/) } });
    const invalid = await call({ ...body, pin: '12ab' });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('pin');
    expect((await call(body, false)).status).toBe(403);
  });

  it('a viewer sees the numbers and their health but no way to change them', async () => {
    const context = await browser.context();
    await signInAs(context, rt.db, rt.url, { workspaceId: rt.workspace.id, role: 'viewer' });
    const viewer = await context.newPage();
    const response = await viewer.goto('/admin/numbers');
    expect(response?.headers()['content-security-policy']).not.toContain('facebook');
    await viewer.getByRole('row').filter({ hasText: 'Example Support' }).getByText('Valid').waitFor();
    expect(await viewer.getByRole('button', { name: /Check health|Connect/ }).count()).toBe(0);
    await viewer.getByText('Only an admin of this workspace can connect numbers.').waitFor();
  });

  it("another workspace sees none of these numbers and cannot check one (404)", async () => {
    const [other] = await rt.db('workspace').insert({ name: 'Other', slug: 'other-numbers-page' }).returning('id');
    const { token, session } = await startConsoleSession(rt.db, { workspaceId: (other as { id: string }).id, role: 'admin', actor: 'test:other', displayName: 'Other admin' });
    const cookie = `threadline_console=${token}`;
    const list = await rt.http().get('/admin/numbers').set('cookie', cookie);
    expect(list.text).toContain('No number is connected yet');
    expect(list.text).not.toContain(fixtureNumber.phoneNumberId);
    const id = (await rt.db('whatsapp_number').where({ phone_number_id: fixtureNumber.phoneNumberId }).first('id')).id as string;
    const check = await rt.http().post(`/admin/numbers/${id}/health`).set('cookie', cookie).type('form').send({ csrf: session.csrfToken });
    expect(check.status).toBe(404);
  });
});
