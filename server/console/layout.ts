import type { Response } from 'express';
import type { ConsoleNotice, ConsoleSession } from '../../core/auth/console-sessions';
import { html, type Html } from './html';

/** The console's sections, in the order of its navigation. */
export const CONSOLE_SECTIONS = [
  { key: 'conversations', href: '/admin/conversations', label: 'Conversations' },
  { key: 'numbers', href: '/admin/numbers', label: 'Numbers' },
  { key: 'installations', href: '/admin/installations', label: 'Installations' },
  { key: 'automation', href: '/admin/automation', label: 'Automation' },
  { key: 'templates', href: '/admin/templates', label: 'Templates' },
  { key: 'analytics', href: '/admin/analytics', label: 'Analytics' },
  { key: 'dead-letters', href: '/admin/dead-letters', label: 'Dead letters' },
  { key: 'audit', href: '/admin/audit', label: 'Audit log' },
] as const;

export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number]['key'];

export interface PageOptions {
  title: string;
  section?: ConsoleSection;
  body: Html;
  /** Scripts under /admin/assets/ this page needs (CSP: 'self' only). */
  scripts?: readonly string[];
  styles?: readonly string[];
  status?: number;
  /** A page that needs more than CONSOLE_CSP (extendCsp) says so here. */
  csp?: string;
}

/** The console's CSP: its own assets only, no inline script, nothing may frame it. */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** `base` with more sources for some directives (a directive that was 'none' loses it). */
export function extendCsp(base: string, extra: Record<string, readonly string[]>): string {
  const directives = new Map(base.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...sources]) => [name, sources]));
  for (const [name, sources] of Object.entries(extra)) directives.set(name, [...(directives.get(name) ?? []).filter((s) => s !== "'none'"), ...sources]);
  return [...directives].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

function shell(options: PageOptions, header: Html, notice: ConsoleNotice | null): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Threadline</title>
<link rel="stylesheet" href="/admin/assets/console.css">
${(options.styles ?? []).map((href) => html`<link rel="stylesheet" href="/admin/assets/${href}">`)}
${(options.scripts ?? []).map((src) => html`<script defer src="/admin/assets/${src}"></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${notice ? html`<p class="notice notice-${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
${options.body}
</main>
</body>
</html>`;
}

function header(session: ConsoleSession, section: ConsoleSection | undefined): Html {
  return html`<header class="top">
<a class="brand" href="/admin">Threadline</a>
<nav aria-label="Sections"><ul>
${CONSOLE_SECTIONS.map((s) => html`<li><a href="${s.href}"${s.key === section ? html` aria-current="page"` : ''}>${s.label}</a></li>`)}
</ul></nav>
<div class="who"><span>${session.displayName}</span> <span class="role role-${session.role}">${session.role}</span>
<form method="post" action="/admin/sign-out">${csrfField(session)}<button type="submit" class="link">Sign out</button></form></div>
</header>`;
}

/** The hidden field every console form carries; checked on every POST (server/console/console-router.ts). */
export function csrfField(session: ConsoleSession): Html {
  return html`<input type="hidden" name="csrf" value="${session.csrfToken}">`;
}

function send(res: Response, status: number, page: Html, csp = CONSOLE_CSP): void {
  res.status(status).set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8' }).send(page.value);
}

/** A page of the signed-in console: navigation, the notice left by the last form, the body. */
export function sendConsolePage(res: Response, options: PageOptions): void {
  const context = res.locals as ConsoleLocals;
  send(res, options.status ?? 200, shell(options, header(context.session, options.section), context.notice), options.csp);
}

/** A page before sign-in (the sign-in page itself). */
export function sendPublicPage(res: Response, options: PageOptions, notice: ConsoleNotice | null = null): void {
  send(res, options.status ?? 200, shell(options, html`<header class="top"><span class="brand">Threadline</span></header>`, notice));
}

/** What the console's session middleware leaves on res.locals for the pages. */
export interface ConsoleLocals {
  session: ConsoleSession;
  notice: ConsoleNotice | null;
  /** The raw cookie token, to leave a notice for the next page. */
  sessionToken: string;
}

export function consoleLocals(res: Response): ConsoleLocals {
  return res.locals as ConsoleLocals;
}
