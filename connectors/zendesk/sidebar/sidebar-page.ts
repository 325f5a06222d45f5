import fs from 'node:fs';
import path from 'node:path';

/** The shipped Zendesk app (manifests/zendesk/app): its assets are the page, its translations the strings. */
export const APP_DIR = path.join(__dirname, '../../../manifests/zendesk/app');

/** Files of `assets/` the page loads from us; nothing else there is served. */
export const PAGE_ASSETS: Readonly<Record<string, string>> = { 'sidebar.js': 'text/javascript; charset=utf-8', 'sidebar.css': 'text/css; charset=utf-8' };

/** Escapes for an HTML attribute, and JSON inside a <script> (no `</script>` can close it early). */
const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The `sidebar` strings of every locale the app ships, keyed by locale. */
function loadStrings(appDir: string): Record<string, unknown> {
  const dir = path.join(appDir, 'translations');
  const strings: Record<string, unknown> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { sidebar?: unknown };
    if (parsed.sidebar !== undefined) strings[file.slice(0, -'.json'.length)] = parsed.sidebar;
  }
  return strings;
}

/**
 * The sidebar page: `assets/iframe.html` with the session token and the strings filled in. Read once,
 * at start-up: the app folder ships with the build.
 */
export function sidebarPage(appDir = APP_DIR): (session: string) => string {
  const template = fs.readFileSync(path.join(appDir, 'assets/iframe.html'), 'utf8');
  const strings = scriptJson(loadStrings(appDir));
  for (const marker of ['<meta name="threadline-session" content="">', '<script id="threadline-strings" type="application/json">{}</script>']) {
    if (!template.includes(marker)) throw new Error(`assets/iframe.html lacks ${marker}`);
  }
  return (session) => template
    .replace('<meta name="threadline-session" content="">', () => `<meta name="threadline-session" content="${attribute(session)}">`)
    .replace('<script id="threadline-strings" type="application/json">{}</script>', () => `<script id="threadline-strings" type="application/json">${strings}</script>`);
}

/** A page that only says what went wrong (the ZAF JWT did not verify, the account is not connected). */
export function problemPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threadline</title></head><body><p role="alert">${attribute(message).replace(/>/g, '&gt;')}</p></body></html>`;
}
