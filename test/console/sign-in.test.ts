import type { Page } from 'playwright-core';
import { startConsoleSession } from '../../core/auth/console-sessions';
import { tokenHash } from '../../core/auth/secret-token';
import { describeInBrowser, screenshot, signInWithToken, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from '../support/test-runtime';

describe('console sessions', () => {
  let runtime: TestRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ worker: false });
  });
  afterAll(async () => runtime.close());

  const session = async (role: 'admin' | 'viewer') => startConsoleSession(runtime.db, { workspaceId: runtime.workspace.id, role, actor: `test:${role}`, displayName: role });

  it('sends a browser without a session to the sign-in page, keeping where it was going', async () => {
    const res = await runtime.http().get('/admin/dead-letters?page=2');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/sign-in?next=${encodeURIComponent('/admin/dead-letters?page=2')}`);
  });

  it('sets an HttpOnly, SameSite=Lax cookie scoped to /admin and stores only its hash', async () => {
    const res = await runtime.http().post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN, next: '/admin/audit' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/audit');
    const cookie = String(res.headers['set-cookie']?.[0]);
    expect(cookie).toMatch(/^threadline_console=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/admin/);
    const token = /^threadline_console=([^;]+)/.exec(cookie)?.[1] ?? '';
    const rows = await runtime.db('console_session').select('token_hash');
    expect(rows.map((r: { token_hash: string }) => r.token_hash)).toContain(tokenHash(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('refuses a wrong admin token with 401 and a message that says which token', async () => {
    const res = await runtime.http().post('/admin/sign-in').type('form').send({ token: 'not-the-token' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('THREADLINE_ADMIN_TOKEN');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('never redirects off the console after sign-in', async () => {
    for (const next of ['//evil.example/admin', 'https://evil.example', '/api/v1/numbers']) {
      const res = await runtime.http().post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN, next });
      expect(res.headers.location).toBe('/admin');
    }
  });

  it('refuses a form without the session CSRF token', async () => {
    const { token } = await session('admin');
    const res = await runtime.http().post('/admin/sign-out').set('cookie', `threadline_console=${token}`).type('form').send({ csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Reload the page');
  });

  it('lets a viewer sign out but change nothing else', async () => {
    const { token, session: viewer } = await session('viewer');
    const change = await runtime.http().post('/admin/numbers').set('cookie', `threadline_console=${token}`).type('form').send({ csrf: viewer.csrfToken });
    expect(change.status).toBe(403);
    expect(change.text).toContain('Viewers can look but not change anything');
    const out = await runtime.http().post('/admin/sign-out').set('cookie', `threadline_console=${token}`).type('form').send({ csrf: viewer.csrfToken });
    expect(out.status).toBe(303);
    const after = await runtime.http().get('/admin/conversations').set('cookie', `threadline_console=${token}`);
    expect(after.status).toBe(303);
  });

  it('ends an expired session', async () => {
    const { token } = await session('admin');
    await runtime.db('console_session').where({ token_hash: tokenHash(token) }).update({ expires_at: new Date(Date.now() - 1000) });
    const res = await runtime.http().get('/admin/conversations').set('cookie', `threadline_console=${token}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/sign-in/);
  });

  it('serves pages under a CSP that runs only its own scripts and allows no framing', async () => {
    const res = await runtime.http().get('/admin/sign-in');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describeInBrowser('console sign-in in Chromium', () => {
  let world: ConsoleWorld;
  let page: Page;
  beforeAll(async () => {
    world = await startConsoleWorld({ signIn: false });
    ({ page } = world);
  });
  afterAll(async () => world?.close());

  it('signs in with the admin token from the keyboard and signs out', async () => {
    await page.goto('/admin');
    await screenshot(page, 'sign-in');
    await page.getByRole('textbox', { name: /^Admin token/ }).fill('wrong-token-wrong-token-wrong');
    await page.keyboard.press('Enter');
    await expectAlert(page, 'is not the one this server was started with');
    await signInWithToken(page);
    expect(new URL(page.url()).pathname).toBe('/admin/conversations');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/admin/sign-in');
  });
});

async function expectAlert(page: Page, text: string): Promise<void> {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.textContent()).toContain(text);
}
