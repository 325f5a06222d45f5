import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startConsoleSession, type ConsoleRole } from '../../core/auth/console-sessions';
import type { Db } from '../../core/db/connect';
import type { Config } from '../../server/config';
import type { RuntimeOptions } from '../../server/runtime';
import { startMetaFake, type MetaFake, type MetaFakeOptions } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from './test-runtime';

/** Debian's Chromium (issue 8: `.ci/run` installs it with apt-get). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every console page the tests visit, for a person to look at after the run. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/console');

/**
 * Browser tests need Chromium. CI installs it, and there a missing browser fails the run; on a machine
 * without it (`apt-get install chromium`) the browser suites are skipped, loudly, so `npm test` still
 * runs everything else.
 */
export const describeInBrowser: jest.Describe = (() => {
  if (fs.existsSync(CHROMIUM_PATH) || process.env.CI) return describe;
  console.warn(`Console browser tests skipped: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  return describe.skip;
})();

// The flags a closed network needs: without them Chromium keeps dialling Google's hosts.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface ConsoleBrowser {
  browser: Browser;
  /** A fresh browser profile (cookies included) pointed at the server. */
  context(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchConsoleBrowser(baseURL: string): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    context: async () => {
      const context = await browser.newContext({ baseURL, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
      contexts.push(context);
      return context;
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Signs in through the sign-in page with the admin token, as an admin of a self-hosted install would. */
export async function signInWithToken(page: Page, token = TEST_ADMIN_TOKEN): Promise<void> {
  await page.goto('/admin/sign-in');
  await page.getByRole('textbox', { name: /^Admin token/ }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/sign-in'));
}

/**
 * A session for a workspace and role made directly in the database, with its cookie in the browser
 * profile: for tests of what a role or a workspace may see, not of how one signs in.
 */
export async function signInAs(context: BrowserContext, db: Db, baseURL: string, who: { workspaceId: string; role: ConsoleRole; displayName?: string }): Promise<void> {
  const { token } = await startConsoleSession(db, { workspaceId: who.workspaceId, role: who.role, actor: `test:${who.role}`, displayName: who.displayName ?? `Test ${who.role}` });
  await context.addCookies([{ name: 'threadline_console', value: token, url: `${baseURL}/admin` }]);
}

/** Saves a full-page screenshot named after the page, under test-artifacts/console/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface ConsoleWorldOptions extends Pick<RuntimeOptions, 'worker' | 'connectors'> {
  /** Start the Meta fake (true, or its options) and point the runtime's Graph API at it. */
  meta?: boolean | MetaFakeOptions;
  config?: Partial<Config>;
  /** Sign the page in with the admin token (default true); false where the test signs in itself. */
  signIn?: boolean;
}

export interface ConsoleWorld<Meta extends MetaFake | undefined = MetaFake | undefined> {
  rt: TestRuntime;
  /** The Meta fake, when `meta` asked for one. */
  meta: Meta;
  browser: ConsoleBrowser;
  /** A page in a fresh browser profile, signed in unless `signIn: false`. */
  page: Page;
  /** Closes the browser, then the runtime, then the fake; tries each even when one before it fails. */
  close(): Promise<void>;
}

/**
 * The setup of a console browser test: the Meta fake if asked, a runtime (without its worker unless `worker`
 * says so: console pages need none), Chromium and a page. A failed start closes what had started, then throws.
 */
export function startConsoleWorld(options: ConsoleWorldOptions & { meta: true | MetaFakeOptions }): Promise<ConsoleWorld<MetaFake>>;
export function startConsoleWorld(options?: ConsoleWorldOptions): Promise<ConsoleWorld>;
export async function startConsoleWorld(options: ConsoleWorldOptions = {}): Promise<ConsoleWorld> {
  const { meta: metaOptions, config, signIn = true, ...runtimeOptions } = options;
  const closers: Array<() => Promise<void>> = [];
  const close = async (): Promise<void> => {
    const failures: unknown[] = [];
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const meta = metaOptions ? await startMetaFake(metaOptions === true ? {} : metaOptions) : undefined;
    if (meta) closers.push(() => meta.stop());
    const rt = await startTestRuntime({ worker: false, ...runtimeOptions, config: { ...(meta && { whatsappApiBase: meta.baseUrl }), ...config } });
    closers.push(() => rt.close());
    const browser = await launchConsoleBrowser(rt.url);
    closers.push(() => browser.close());
    const page = await (await browser.context()).newPage();
    if (signIn) await signInWithToken(page);
    return { rt, meta, browser, page, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
