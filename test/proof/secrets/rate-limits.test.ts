import fs from 'node:fs';
import type { Response } from 'supertest';
import { ConfigError, DEFAULT_RATE_LIMITS, loadConfig } from '../../../server/config';
import { signMetaPayload } from '../../../core/whatsapp/verify-signature';
import { describeInBrowser, launchConsoleBrowser, screenshot, type ConsoleBrowser } from '../../support/console-browser';
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_APP_SECRET, type TestRuntime } from '../../support/test-runtime';

/** A small limit each, so every limit is reached in a few requests. */
const LIMIT = 3;

describe('rate limits on the public endpoints', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false, config: { rateLimits: { signIn: LIMIT, apiAuthFailures: LIMIT, connectCode: LIMIT, oauth: LIMIT } } });
  });
  afterAll(async () => rt.close());

  // Each case is its own client: the server is reached over loopback, a trusted proxy, so X-Forwarded-For names the client.
  let clientNumber = 0;
  const newClient = () => `203.0.113.${++clientNumber}`;

  /** Sends LIMIT requests that pass the limiter, then one that must not; returns that one. */
  async function exhaust(send: (ip: string) => Promise<Response>, ip: string): Promise<Response> {
    for (let i = 0; i < LIMIT; i++) expect((await send(ip)).status).not.toBe(429);
    return send(ip);
  }

  function expectHtmlRefusal(res: Response) {
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Too many');
    expect(res.text).toMatch(/Wait \d+ seconds and try again/);
  }

  it('stops guessing at the admin token on the console sign-in, per client, with Retry-After', async () => {
    const ip = newClient();
    const guess = (from: string) => rt.http().post('/admin/sign-in').set('x-forwarded-for', from).type('form').send({ token: 'guess-guess-guess-guess-guess' });
    expectHtmlRefusal(await exhaust(guess, ip));
    // Even the right token waits: the limit is on the address, whatever it sends.
    expect((await rt.http().post('/admin/sign-in').set('x-forwarded-for', ip).type('form').send({ token: TEST_ADMIN_TOKEN })).status).toBe(429);
    // Another address is not affected.
    expect((await rt.http().post('/admin/sign-in').set('x-forwarded-for', newClient()).type('form').send({ token: TEST_ADMIN_TOKEN })).status).toBe(303);
  });

  it('counts only refused tokens on the admin API, and answers JSON there', async () => {
    const ip = newClient();
    const good = () => rt.http().get('/api/v1/numbers').set('x-forwarded-for', ip).set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    for (let i = 0; i < LIMIT * 3; i++) expect((await good()).status).toBe(200);
    const bad = (from: string) => rt.http().get('/api/v1/numbers').set('x-forwarded-for', from).set('authorization', 'Bearer wrong-token-wrong-token-wrong');
    const res = await exhaust(bad, ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('Too many requests with a wrong token'), retry_after_seconds: expect.any(Number) } });
  });

  it.each(['/connectors/zendesk/admin/connect', '/connectors/hubspot/install', '/connectors/salesforce/install'])('limits connect-code redemption at POST %s', async (path) => {
    const res = await exhaust((ip) => rt.http().post(path).set('x-forwarded-for', ip).type('form').send({ csrf: 'x', connect_code: 'ABCD-EFGH' }), newClient());
    expectHtmlRefusal(res);
  });

  it.each([
    ['get', '/connectors/hubspot/install'], ['get', '/connectors/salesforce/install'], ['post', '/connectors/zendesk/admin'],
    ['post', '/connectors/zendesk/admin/install'], ['get', '/connectors/zendesk/oauth/callback?state=s&code=c'],
    ['get', '/connectors/hubspot/oauth/callback?state=s&code=c'], ['get', '/connectors/salesforce/oauth/callback?state=s&code=c'],
    ['get', '/admin/sign-in/zendesk'], ['get', '/admin/sign-in/hubspot/check?subdomain=acme'], ['get', '/admin/sign-in/salesforce/callback?state=s&code=c'],
  ] as const)('limits OAuth starts and callbacks: %s %s', async (method, path) => {
    const res = await exhaust((ip) => rt.http()[method](path).set('x-forwarded-for', ip), newClient());
    expectHtmlRefusal(res);
  });

  it("leaves Meta's webhook and the platforms' signed callbacks alone", async () => {
    const ip = newClient();
    const body = '{"object":"whatsapp_business_account","entry":[]}';
    for (let i = 0; i < LIMIT * 4; i++) {
      const webhook = await rt.http().post('/webhooks/whatsapp').set('x-forwarded-for', ip).set('content-type', 'application/json')
        .set('x-hub-signature-256', signMetaPayload(body, TEST_APP_SECRET)).send(body);
      expect(webhook.status).toBe(200);
      expect((await rt.http().post('/connectors/zendesk/channelback').set('x-forwarded-for', ip).send({})).status).not.toBe(429);
      expect((await rt.http().post('/connectors/hubspot/webhooks').set('x-forwarded-for', ip).send([])).status).not.toBe(429);
    }
  });

  it('does not believe X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const app = await startTestRuntime({ worker: false, config: { trustProxy: 'uniquelocal', rateLimits: { ...DEFAULT_RATE_LIMITS, signIn: 2 } } });
    try {
      // Loopback is not trusted here: every request is the same client whatever it claims.
      const from = (ip: string) => app.http().post('/admin/sign-in').set('x-forwarded-for', ip).type('form').send({ token: 'nope' });
      expect((await from('198.51.100.1')).status).toBe(401);
      expect((await from('198.51.100.2')).status).toBe(401);
      expect((await from('198.51.100.3')).status).toBe(429);
    } finally {
      await app.close();
    }
  });
});

describe('rate limit configuration', () => {
  const dataDir = `/tmp/threadline-rate-limit-config-${process.pid}`;
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  it('reads the limits from the environment, with defaults', () => {
    expect(loadConfig({ THREADLINE_DATA_DIR: dataDir }).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_RATE_LIMIT_SIGN_IN: '5', THREADLINE_RATE_LIMIT_OAUTH: '100', THREADLINE_TRUST_PROXY: '1' });
    expect(config.rateLimits).toEqual({ ...DEFAULT_RATE_LIMITS, signIn: 5, oauth: 100 });
    expect(config.trustProxy).toBe(1);
  });

  it('refuses a limit that is not a positive whole number, naming the variable', () => {
    expect(() => loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_RATE_LIMIT_CONNECT_CODE: 'ten' })).toThrow(ConfigError);
    expect(() => loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_RATE_LIMIT_CONNECT_CODE: '0' }))
      .toThrow(/THREADLINE_RATE_LIMIT_CONNECT_CODE: must be at least 1 request per minute/);
  });
});

describeInBrowser('the rate-limited page in Chromium', () => {
  let rt: TestRuntime;
  let chromium: ConsoleBrowser;
  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false, config: { rateLimits: { ...DEFAULT_RATE_LIMITS, signIn: 1 } } });
    chromium = await launchConsoleBrowser(rt.url);
  });
  afterAll(async () => {
    await chromium?.close();
    await rt?.close();
  });

  it('tells a person who guessed too often what happened and how long to wait', async () => {
    const page = await (await chromium.context()).newPage();
    await page.goto('/admin/sign-in');
    for (let i = 0; i < 2; i++) {
      await page.getByRole('textbox', { name: /^Admin token/ }).fill('wrong-token-wrong-token-wrong');
      // Wait for the answer to this attempt, not just for the page already loaded: under load the second guess
      // would otherwise be typed into the page the first one is leaving.
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/sign-in')), page.keyboard.press('Enter')]);
      await page.waitForLoadState();
    }
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Too many attempts');
    expect(await page.getByRole('alert').textContent()).toMatch(/Wait \d+ seconds and try again/);
    await screenshot(page, 'rate-limited');
  });
});
