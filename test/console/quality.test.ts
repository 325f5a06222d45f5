import type { Page } from 'playwright-core';
import { describeInBrowser, screenshot, startConsoleWorld, type ConsoleWorld } from '../support/console-browser';
import { seedTenant, type Tenant } from '../support/console-seed';

/** Issue 8 item 8: no page over 200 KB of script. */
const SCRIPT_BUDGET_BYTES = 200 * 1024;

interface PageFacts {
  h1: number;
  unlabelled: string[];
  nameless: string[];
  imagesWithoutAlt: number;
  positiveTabindex: number;
  overflowsX: boolean;
}

/**
 * What a person with a keyboard or a screen reader needs of a page, read from the rendered DOM. Browser code, given
 * as text: this project compiles without the DOM's types.
 */
const FACTS_SCRIPT = `(() => {
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const nameOf = (el) => (el.getAttribute('aria-label') ?? el.getAttribute('title') ?? el.textContent ?? '').trim();
  const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(visible);
  return {
    h1: document.querySelectorAll('h1').length,
    unlabelled: controls.filter((c) => (c.labels?.length ?? 0) === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby')).map((c) => c.outerHTML.slice(0, 120)),
    nameless: [...document.querySelectorAll('button, a[href]')].filter(visible).filter((el) => nameOf(el) === '').map((el) => el.outerHTML.slice(0, 120)),
    imagesWithoutAlt: [...document.querySelectorAll('img')].filter((img) => !img.hasAttribute('alt')).length,
    positiveTabindex: [...document.querySelectorAll('[tabindex]')].filter((el) => Number(el.getAttribute('tabindex')) > 0).length,
    overflowsX: document.documentElement.scrollWidth > window.innerWidth,
  };
})()`;

describeInBrowser('console quality: every page in Chromium', () => {
  let world: ConsoleWorld;
  let tenant: Tenant;
  let page: Page;
  const scriptBytes = new Map<string, number>();

  beforeAll(async () => {
    world = await startConsoleWorld();
    ({ page } = world);
    tenant = await seedTenant(world.rt.db, world.rt.workspace.id, 'Quality');
    page.on('response', async (res) => {
      if (res.request().resourceType() !== 'script') return;
      const body = await res.body().catch(() => Buffer.alloc(0));
      scriptBytes.set(res.url(), body.length);
    });
  });
  afterAll(async () => world?.close());

  const pages = () => [
    ['conversations', '/admin/conversations'],
    ['conversation', `/admin/conversations/${tenant.conversationId}`],
    ['numbers', '/admin/numbers'],
    ['installations', '/admin/installations'],
    ['automation', '/admin/automation'],
    ['automation-closing', '/admin/automation/closing'],
    ['templates', '/admin/templates'],
    ['analytics', '/admin/analytics'],
    ['dead-letters', '/admin/dead-letters'],
    ['audit', '/admin/audit'],
  ] as const;

  it('keeps every page under the script budget, labelled, named and within a laptop screen', async () => {
    for (const [name, path] of pages()) {
      scriptBytes.clear();
      const res = await page.goto(path, { waitUntil: 'networkidle' });
      expect({ path, status: res?.status() }).toEqual({ path, status: 200 });
      const total = [...scriptBytes.values()].reduce((sum, n) => sum + n, 0);
      expect({ path, withinBudget: total <= SCRIPT_BUDGET_BYTES, total }).toEqual({ path, withinBudget: true, total });
      const facts = await page.evaluate<PageFacts>(FACTS_SCRIPT);
      expect({ path, ...facts }).toEqual({ path, h1: 1, unlabelled: [], nameless: [], imagesWithoutAlt: 0, positiveTabindex: 0, overflowsX: false });
      await screenshot(page, `page-${name}`);
    }
  });

  it('starts every page with a skip link that takes the keyboard to the content', async () => {
    await page.goto('/admin/conversations');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('main');
    // The next stop is in the page's content, not back in the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<boolean>("Boolean(document.activeElement?.closest('main'))")).toBe(true);
  });

  it('draws a visible focus ring on what the keyboard reaches', async () => {
    await page.goto('/admin/numbers');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<{ style: string; width: number }>(
      '(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()');
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);
  });
});
