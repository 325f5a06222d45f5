import crypto from 'node:crypto';
import { Router, type Response } from 'express';
import { Passport } from 'passport';
import { z } from 'zod';
import { hubspotConsoleSignIn } from '../../connectors/hubspot/console-sign-in';
import { salesforceConsoleSignIn } from '../../connectors/salesforce/console-sign-in';
import { zendeskConsoleSignIn } from '../../connectors/zendesk/console-sign-in';
import { zendeskClientConfigSchema } from '../../connectors/zendesk/client';
import { workspacesOfAccount, type ConsoleSignInProvider, type SignInQuestion } from '../../core/auth/console-sign-in';
import { installSessions } from '../../core/auth/install-session';
import { loginAttemptStateStore } from '../../core/auth/login-attempt-state-store';
import { LoginAttempts } from '../../core/auth/login-attempts';
import type { Config } from '../config';
import type { ConsoleDeps } from './console-deps';
import { safeNext, signIn } from './console-router';
import { html, type Html } from './html';
import { sendPublicPage } from './layout';
import type { SignInProvider } from './sign-in-page';

const SIGN_IN_PATH = '/admin/sign-in';
/** A sign-in is a few clicks: an attempt left longer than this is abandoned. */
const ATTEMPT_TTL_MS = 10 * 60_000;

const callbackQuery = z.object({
  state: z.string().min(1).max(200),
  code: z.string().max(1_000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1_000).optional(),
});
const startSchema = z.object({ account: z.string(), data: z.record(z.string(), z.string()), destination: z.string(), query: z.record(z.string(), z.string()) });

/** The platforms whose OAuth app this server is configured with, in the order of the sign-in page. */
function configuredProviders(config: Config): ConsoleSignInProvider[] {
  return [
    config.zendesk && zendeskConsoleSignIn(zendeskClientConfigSchema.parse(config.zendesk)),
    config.hubspot && hubspotConsoleSignIn(config.hubspot),
    config.salesforce && salesforceConsoleSignIn(config.salesforce),
  ].filter((provider) => provider !== undefined);
}

/**
 * Sign-in with the platform account an admin installed from (issue 8 item 1). For each configured platform:
 * `GET /admin/sign-in/<platform>` asks what the flow needs (a Zendesk subdomain), then sends the browser to the
 * platform with a state bound to this browser (a cookie naming a login attempt in PostgreSQL, which keeps the
 * state's hash and the PKCE verifier); the callback checks both, lets the connector say who the user is and what
 * role they earn, finds the workspace where that account is installed, and starts a console session there.
 */
export function platformSignIns(deps: ConsoleDeps): { providers: SignInProvider[]; routes: Router[] } {
  const providers = configuredProviders(deps.config);
  const attempts = new LoginAttempts({ db: deps.db, secrets: deps.secrets });
  const router = Router();
  for (const provider of providers) mountProvider(router, provider, deps, attempts);
  return { providers: providers.map(signInChoice), routes: [router] };
}

/** A platform's entry on the sign-in page: the default start, and its alternatives as links and a form to `/check`. */
function signInChoice(provider: ConsoleSignInProvider): SignInProvider {
  const startPath = `${SIGN_IN_PATH}/${provider.connector}`;
  const { alternatives } = provider;
  if (!alternatives) return { label: provider.label, href: startPath };
  return {
    label: provider.label,
    href: startPath,
    alternatives: {
      links: alternatives.links.map((link) => ({ label: link.label, href: `${startPath}?${new URLSearchParams(link.query).toString()}` })),
      // To /check, not the start: a form whose answer redirects to another site is stopped by CSP form-action 'self'.
      ...(alternatives.question ? { field: { action: `${startPath}/check`, ...alternatives.question } } : {}),
    },
  };
}

function mountProvider(router: Router, provider: ConsoleSignInProvider, deps: ConsoleDeps, attempts: LoginAttempts): void {
  const passport = new Passport();
  const startPath = `${SIGN_IN_PATH}/${provider.connector}`;
  const callbackUrl = `${deps.config.publicUrl}${startPath}/callback`;
  // One cookie for every platform (a new sign-in replaces the last); the purpose keeps a Zendesk state from finishing a HubSpot sign-in.
  const sessions = installSessions({
    purpose: `console-sign-in:${provider.connector}`, cookie: 'threadline_console_sign_in', path: SIGN_IN_PATH,
    production: deps.config.publicUrl.startsWith('https://'), loginAttempts: attempts,
  });
  const newState = () => crypto.randomBytes(32).toString('base64url');
  const authenticateOptions = { session: false, ...(provider.scope ? { scope: [...provider.scope] } : {}) };
  const startAgain = html`<p><a class="button" href="${SIGN_IN_PATH}">Back to sign-in</a></p>`;

  router.get(startPath, async (req, res, next) => {
    const nextPath = safeNext(req.query.next);
    // passport-oauth2 takes any request carrying `code` or `error` for its callback: those belong on /callback only.
    if ('code' in req.query || 'error' in req.query) {
      problemPage(res, 400, 'Sign-in not started', html`<p>This link is not a sign-in start. Start again from the sign-in page.</p>${startAgain}`);
      return;
    }
    const begun = provider.begin(req.query);
    if (!begun.ok) {
      askPage(res, provider, begun.question, begun.problem, req.query, nextPath);
      return;
    }
    await attempts.sweepExpired();
    const { attempt } = await sessions.start(res, { account: begun.start.account, returnUrl: nextPath, secrets: {}, data: { start: begun.start }, ttlMs: ATTEMPT_TTL_MS });
    passport.authenticate(provider.strategy(begun.start, callbackUrl, loginAttemptStateStore(attempts, attempt.id, newState)), authenticateOptions)(req, res, next);
  });

  // The question page's answer: where the browser will go, as a link rather than a redirect, since the console's CSP
  // (form-action 'self') stops a form submission that redirects to another site.
  router.get(`${startPath}/check`, (req, res) => {
    const nextPath = safeNext(req.query.next);
    const begun = provider.begin(req.query);
    if (!begun.ok) {
      askPage(res, provider, begun.question, begun.problem ?? `Type ${begun.question.label.toLowerCase()} first.`, req.query, nextPath);
      return;
    }
    const href = `${startPath}?${new URLSearchParams({ ...begun.start.query, next: nextPath }).toString()}`;
    sendPublicPage(res, {
      title: `Sign in with ${provider.label}`,
      body: html`<p>You will sign in on <strong>${begun.start.destination}</strong>, then come back here.</p>
<p><a class="button" href="${href}">Continue to ${provider.label}</a> <a href="${startPath}?${new URLSearchParams({ next: nextPath }).toString()}">Change</a></p>`,
    });
  });

  router.get(`${startPath}/callback`, async (req, res, next) => {
    const query = callbackQuery.safeParse(req.query);
    const { attempt, hasSession, stateKnown } = await sessions.ofCallback(req, query.success ? query.data.state : undefined);
    const start = startSchema.safeParse(attempt?.data.start);
    if (!query.success || !attempt || !start.success) {
      deps.logger.warn({ platform: provider.connector, hasSession, stateKnown }, 'console sign-in callback refused: state not bound to this browser');
      problemPage(res, 400, 'Sign-in expired', html`<p>This sign-in was not started in this browser, took longer than 10 minutes, or was already used. Nothing was signed in. Start again.</p>${startAgain}`);
      return;
    }
    const finish = async () => {
      await attempts.complete(attempt.id);
      sessions.clear(res);
    };
    if (query.data.error !== undefined || query.data.code === undefined) {
      await attempts.takeAuthorization(attempt.id, query.data.state);
      await finish();
      const denied = query.data.error === 'access_denied';
      const detail = `${query.data.error ?? 'no code'}${query.data.error_description ? `: ${query.data.error_description}` : ''}`;
      problemPage(res, 400, 'Not signed in', html`<p>${denied
        ? `You did not allow Threadline to confirm who you are on ${provider.label}, so you are not signed in. To sign in, start again and choose Allow.`
        : `${provider.label} did not sign you in (${detail}).`}</p>${startAgain}`);
      return;
    }
    passport.authenticate(provider.strategy(start.data, callbackUrl, loginAttemptStateStore(attempts, attempt.id, newState)), authenticateOptions, (err: unknown, grant: unknown) => {
      void (async () => {
        if (err || !grant) {
          await finish();
          if (err) deps.logger.warn({ platform: provider.connector, err }, 'console sign-in: code exchange failed');
          problemPage(res, err ? 502 : 400, 'Not signed in', html`<p>${err
            ? `${provider.label} did not confirm the sign-in (the authorisation code was refused or ${provider.label} did not answer). Try again in a moment.`
            : 'This sign-in was already used or has expired. Start again.'}</p>${startAgain}`);
          return;
        }
        const identified = await provider.identify(grant, start.data);
        await finish();
        if (!identified.ok) {
          deps.logger.warn({ platform: provider.connector, code: identified.code }, 'console sign-in: user not identified');
          problemPage(res, identified.code === 'NOT_STAFF' ? 403 : 502, 'Not signed in', html`<p>${identified.message}</p>${startAgain}`);
          return;
        }
        const { user } = identified;
        const workspaces = await workspacesOfAccount(deps.db, provider.connector, provider.installationAccount(user.accountId));
        const workspaceId = workspaces[0];
        if (workspaceId === undefined) {
          problemPage(res, 403, `This ${provider.accountNoun} has not installed Threadline yet`, html`<p>You signed in to ${provider.label} as ${user.displayName}, but ${provider.accountNoun} ${user.accountId} is not connected to any Threadline workspace, so there is nothing to open.</p>
<p>${provider.installHint}</p>${startAgain}`);
          return;
        }
        if (workspaces.length > 1) {
          problemPage(res, 409, `This ${provider.accountNoun} is connected to several workspaces`, html`<p>${provider.accountNoun} ${user.accountId} is connected to ${workspaces.length} Threadline workspaces, and a sign-in must open exactly one. Sign in with the admin token, or disconnect the account from the workspaces it does not belong to.</p>${startAgain}`);
          return;
        }
        await signIn(res, { db: deps.db, publicUrl: deps.config.publicUrl }, { workspaceId, role: user.role, actor: `${provider.connector}:${user.userId}`, displayName: user.displayName });
        deps.logger.info({ platform: provider.connector, workspaceId, role: user.role }, 'console sign-in');
        res.redirect(303, safeNext(attempt.returnUrl));
      })().catch(next);
    })(req, res, next);
  });
}

/** The one field a start needs, asked on a form that comes back to `/check`. */
function askPage(res: Response, provider: ConsoleSignInProvider, question: SignInQuestion, problem: string | undefined, query: Record<string, unknown>, nextPath: string): void {
  const typed = query[question.name];
  sendPublicPage(res, {
    title: `Sign in with ${provider.label}`,
    status: problem ? 400 : 200,
    body: html`${problem ? html`<p class="notice notice-error" role="alert">${problem}</p>` : ''}
<form method="get" action="${SIGN_IN_PATH}/${provider.connector}/check" class="stack">
<input type="hidden" name="next" value="${nextPath}">
<label for="sign-in-${question.name}">${question.label} <small>${question.hint}</small></label>
<input id="sign-in-${question.name}" name="${question.name}" type="text" value="${typeof typed === 'string' ? typed : ''}" required autocomplete="off" autocapitalize="none" spellcheck="false">
<button type="submit">Continue</button>
</form>
<p><a href="${SIGN_IN_PATH}">Other ways to sign in</a></p>`,
  });
}

function problemPage(res: Response, status: number, title: string, body: Html): void {
  sendPublicPage(res, { title, status, body });
}
