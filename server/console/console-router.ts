import crypto from 'node:crypto';
import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { writeAudit } from '../../core/audit/write-audit';
import { endConsoleSession, leaveConsoleNotice, readConsoleSession, startConsoleSession, type ConsoleNotice } from '../../core/auth/console-sessions';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { html } from './html';
import { consoleLocals, sendConsolePage, sendPublicPage, type ConsoleLocals } from './layout';
import { signInPage, type SignInProvider } from './sign-in-page';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export const CONSOLE_COOKIE = 'threadline_console';

export interface ConsoleRouterDeps {
  db: Db;
  logger: Logger;
  publicUrl: string;
  adminToken: string;
  /** The workspace the admin token signs in to (self-hosted install). */
  workspaceId: string;
  /** Platform sign-ins offered on the sign-in page, each with its own routes among `publicRoutes`. */
  signInProviders: readonly SignInProvider[];
  /** Routes reachable before sign-in (platform OAuth starts and callbacks). */
  publicRoutes: readonly Router[];
  /** The signed-in console's pages; every unsafe method is already CSRF-checked and admin-only. */
  pages: readonly Router[];
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Signs the browser in: the cookie is HttpOnly, SameSite=Lax, Secure behind https, and scoped to /admin. */
export async function signIn(res: Response, deps: Pick<ConsoleRouterDeps, 'db' | 'publicUrl'>, who: Parameters<typeof startConsoleSession>[1]): Promise<void> {
  const { token } = await startConsoleSession(deps.db, who);
  const secure = deps.publicUrl.startsWith('https://');
  res.cookie(CONSOLE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/admin' });
}

/** Post/redirect/get: the notice shows on the page the browser lands on. */
export async function redirectWithNotice(db: Db, res: Response, location: string, notice: ConsoleNotice): Promise<void> {
  await leaveConsoleNotice(db, consoleLocals(res).sessionToken, notice);
  res.redirect(303, location);
}

function sameString(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** An error page: inside the console's frame when the browser is signed in, bare otherwise. */
function refusal(res: Response, status: number, title: string, text: string): void {
  const page = { title, status, body: html`<p>${text}</p><p><a href="/admin">Back to the console</a></p>` };
  if ((res.locals as Partial<ConsoleLocals>).session) sendConsolePage(res, page);
  else sendPublicPage(res, page);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every console page needs a live session. Unsafe methods need the session's CSRF token (form field
 * `csrf` or header `X-CSRF-Token`) and, but for signing out, the admin role: a viewer can change nothing.
 */
function requireSession(db: Db): RequestHandler {
  return async (req, res, next) => {
    const token = readCookie(req, CONSOLE_COOKIE);
    const found = token ? await readConsoleSession(db, token) : undefined;
    if (!token || !found) {
      if (SAFE_METHODS.has(req.method)) res.redirect(303, `/admin/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      else refusal(res, 401, 'Signed out', 'Your session has ended. Sign in again, then repeat what you were doing.');
      return;
    }
    Object.assign(res.locals, { session: found.session, notice: found.notice, sessionToken: token } satisfies ConsoleLocals);
    if (SAFE_METHODS.has(req.method)) return next();
    const body: unknown = req.body;
    const given = req.get('x-csrf-token') ?? (typeof body === 'object' && body !== null && 'csrf' in body && typeof body.csrf === 'string' ? body.csrf : '');
    if (!sameString(given, found.session.csrfToken)) {
      refusal(res, 403, 'Form expired', 'This form is from an earlier session or another site. Reload the page and try again.');
      return;
    }
    if (found.session.role !== 'admin' && `${req.baseUrl}${req.path}` !== '/admin/sign-out') {
      refusal(res, 403, 'Read-only access', 'Viewers can look but not change anything. Ask an admin of this workspace to make the change.');
      return;
    }
    next();
  };
}

/** Only same-site paths under /admin: an open redirect after sign-in would be a phishing aid. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : '/admin';
}

const ASSETS = path.join(__dirname, 'assets');
const VENDOR: Record<string, string> = {
  'uPlot.iife.min.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
  'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
};

/** The admin console at /admin: server-rendered pages with small scripts, no build step. */
export function consoleRouter(deps: ConsoleRouterDeps): Router {
  const router = Router();
  router.use('/admin', express.urlencoded({ extended: false, limit: '200kb' }), express.json({ limit: '200kb', verify: refuseInvalidUtf8 }));

  router.use('/admin/assets', express.static(ASSETS, { maxAge: '1h', index: false, fallthrough: true }));
  router.get('/admin/assets/vendor/:file', (req, res, next) => {
    const file = VENDOR[req.params.file];
    if (file) res.sendFile(file, { maxAge: '1h' });
    else next();
  });

  router.get('/admin/sign-in', (req, res) => {
    signInPage(res, deps.signInProviders, safeNext(req.query.next), null);
  });
  router.post('/admin/sign-in', async (req, res) => {
    const body = req.body as { token?: unknown; next?: unknown };
    if (typeof body.token !== 'string' || !sameString(body.token.trim(), deps.adminToken)) {
      signInPage(res, deps.signInProviders, safeNext(body.next), { kind: 'error', text: 'That admin token is not the one this server was started with (THREADLINE_ADMIN_TOKEN).' }, 401);
      return;
    }
    await signIn(res, deps, { workspaceId: deps.workspaceId, role: 'admin', actor: 'admin-token', displayName: 'Administrator' });
    res.redirect(303, safeNext(body.next));
  });
  for (const routes of deps.publicRoutes) router.use(routes);

  router.use('/admin', requireSession(deps.db));
  router.post('/admin/sign-out', async (_req, res) => {
    const { session, sessionToken } = consoleLocals(res);
    await endConsoleSession(deps.db, sessionToken);
    await writeAudit(deps.db, { workspaceId: session.workspaceId, actor: session.actor, action: 'console.sign_out', entityType: 'workspace', entityId: session.workspaceId, data: { role: session.role } });
    res.clearCookie(CONSOLE_COOKIE, { path: '/admin' });
    res.redirect(303, '/admin/sign-in');
  });
  router.get('/admin', (_req, res) => res.redirect(303, '/admin/conversations'));
  for (const page of deps.pages) router.use(page);

  router.use('/admin', (_req, res) => refusal(res, 404, 'Not found', 'There is no such page in this workspace.'));
  const pageErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (!req.path.startsWith('/admin') || res.headersSent) return next(err);
    // The body parsers' refusals (malformed or non-object JSON, a form over the limit) are the sender's, not ours.
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status === 413) return refusal(res, 413, 'Form too large', 'What was sent is larger than the console accepts. Send less, or upload it another way.');
    if (status >= 400 && status < 500) return refusal(res, 400, 'Form not readable', 'What was sent is not a form or JSON the console can read. Reload the page and try again.');
    deps.logger.error({ err, path: req.path }, 'console page failed');
    refusal(res, 500, 'Something went wrong', 'The page failed on our side; it has been logged. Try again in a moment.');
  };
  router.use(pageErrors);
  return router;
}
