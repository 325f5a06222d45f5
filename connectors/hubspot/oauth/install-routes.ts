import crypto from 'node:crypto';
import express, { Router, type Response } from 'express';
import { Passport } from 'passport';
import { z } from 'zod';
import { sendInstallPage } from '../../../core/auth/install-page';
import { installSessions } from '../../../core/auth/install-session';
import { loginAttemptStateStore } from '../../../core/auth/login-attempt-state-store';
import type { LoginAttempt } from '../../../core/auth/login-attempts';
import { installConnector } from '../../../core/connectors/installations';
import { HUBSPOT_CONNECTOR_ID } from '../hubspot-id';
import type { HubSpotCredentials } from '../hubspot-settings';
import { CONNECT_CODE_PURPOSE, type HubSpotRouteDeps } from '../route-deps';
import { HubSpotOAuthStrategy, OAuthExchangeError } from './hubspot-oauth-strategy';
import type { HubSpotOAuthApp } from './oauth-app';
import { missingRequiredScopes } from './scopes';
import { introspectToken, type TokenGrant } from './token-endpoint';

export const INSTALL_PATH = '/connectors/hubspot/install';
export const OAUTH_CALLBACK_PATH = '/connectors/hubspot/oauth/callback';
const INSTALL_PURPOSE = 'hubspot-install';
const TITLE = 'Connect HubSpot to Threadline';

// Not `code`: passport-oauth2 takes any request carrying `code` for HubSpot's callback.
const connectForm = z.object({ csrf: z.string().min(1).max(100), connect_code: z.string().trim().max(40).default('') });
const callbackQuery = z.object({
  state: z.string().min(1).max(200),
  code: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1_000).optional(),
});

/**
 * The install (reference §1.1, §1.2): HubSpot's marketplace "Install" opens `GET /connectors/hubspot/install`;
 * the admin proves they own the Threadline workspace with a connect code; we send the browser to HubSpot's
 * authorize page with a state bound to this browser (a cookie) and to a login attempt in PostgreSQL; the
 * callback checks both, exchanges the code, reads the portal from the token, and installs (one installation
 * per portal per workspace: installing again updates it and keeps its settings).
 */
export function hubspotInstallRoutes(deps: HubSpotRouteDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const passport = new Passport();
  const callbackUrl = `${deps.publicUrl}${OAUTH_CALLBACK_PATH}`;
  const installUrl = `${deps.publicUrl}${INSTALL_PATH}`;
  const sessions = installSessions({
    purpose: INSTALL_PURPOSE, cookie: 'threadline_hubspot_install', path: '/connectors/hubspot', production: deps.production, loginAttempts: deps.loginAttempts,
  });
  const startAgain = { kind: 'link' as const, href: installUrl, text: 'Start the installation again' };

  const appOr503 = (res: Response): HubSpotOAuthApp | undefined => {
    if (!deps.app) sendInstallPage(res, 503, TITLE, [{ kind: 'alert', text: 'Threadline is not configured for HubSpot yet: its operator must set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.' }]);
    return deps.app;
  };
  const strategy = (app: HubSpotOAuthApp, attemptId: string) => new HubSpotOAuthStrategy(
    app, callbackUrl, loginAttemptStateStore(deps.loginAttempts, attemptId, () => crypto.randomBytes(32).toString('base64url')),
  );
  // The form's answer redirects to HubSpot's authorize page, which form-action must allow.
  const sendCodePage = (res: Response, app: HubSpotOAuthApp, status: number, csrf: string, alert?: string) => sendInstallPage(res, status, TITLE, [
    ...(alert ? [{ kind: 'alert' as const, text: alert }] : []),
    { kind: 'text', text: 'Type the connect code a Threadline admin issued for HubSpot (POST /api/v1/hubspot/connect-codes). It proves you own the Threadline workspace this portal will sync with; it works once, for 15 minutes.' },
    { kind: 'form', action: installUrl, hidden: { csrf }, fields: [{ kind: 'text', name: 'connect_code', label: 'Connect code', required: true }], submit: 'Continue to HubSpot' },
  ], [new URL(app.authBase).origin]);

  router.get(INSTALL_PATH, async (_req, res) => {
    const app = appOr503(res);
    if (!app) return;
    await deps.loginAttempts.sweepExpired();
    // The portal is known only once HubSpot answers; the attempt is this browser's until then.
    const { csrfToken } = await sessions.start(res, { account: 'hubspot', returnUrl: installUrl, secrets: {} });
    sendCodePage(res, app, 200, csrfToken);
  });

  router.post(INSTALL_PATH, form, async (req, res, next) => {
    const app = appOr503(res);
    if (!app) return;
    const body = connectForm.safeParse(req.body);
    const session = body.success ? await sessions.ofForm(req, body.data.csrf) : undefined;
    if (!body.success || !session) {
      sendInstallPage(res, 403, TITLE, [{ kind: 'alert', text: 'This page has expired, or was not opened in this browser.' }, startAgain]);
      return;
    }
    if (body.data.connect_code === '') {
      sendCodePage(res, app, 403, session.csrfToken, 'Type the connect code first: without it Threadline cannot tell which workspace this portal belongs to.');
      return;
    }
    const workspaceId = await deps.redeemConnectCode(CONNECT_CODE_PURPOSE, body.data.connect_code);
    if (!workspaceId) {
      sendCodePage(res, app, 403, session.csrfToken, 'That connect code is unknown, expired or already used. Ask a Threadline admin for a new one.');
      return;
    }
    await deps.loginAttempts.proveWorkspace(session.attempt.id, workspaceId);
    passport.authenticate(strategy(app, session.attempt.id), { session: false })(req, res, next);
  });

  router.get(OAUTH_CALLBACK_PATH, async (req, res, next) => {
    const app = appOr503(res);
    if (!app) return;
    const query = callbackQuery.safeParse(req.query);
    const { attempt, hasSession, stateKnown } = await sessions.ofCallback(req, query.success ? query.data.state : undefined);
    if (!query.success || !attempt?.workspaceId) {
      deps.logger.warn({ hasSession, stateKnown }, 'HubSpot OAuth callback refused: state not bound to this browser');
      sendInstallPage(res, 403, TITLE, [
        { kind: 'alert', text: 'This authorisation was not started in this browser, has expired, or was already used: Threadline installs only what the admin who typed the connect code authorised.' },
        startAgain,
      ]);
      return;
    }
    const workspaceId = attempt.workspaceId;
    if (query.data.error !== undefined || query.data.code === undefined) {
      await deps.loginAttempts.takeAuthorization(attempt.id, query.data.state);
      sendInstallPage(res, 403, TITLE, [
        { kind: 'alert', text: `HubSpot did not authorise Threadline (${query.data.error ?? 'no code'}${query.data.error_description ? `: ${query.data.error_description}` : ''}). Threadline needs the CRM scopes it asks for to log WhatsApp messages on contacts.` },
        startAgain,
      ]);
      return;
    }
    passport.authenticate(strategy(app, attempt.id), { session: false }, (err: unknown, grant: TokenGrant | false) => {
      void (async () => {
        if (err instanceof OAuthExchangeError) {
          deps.logger.warn({ code: err.hubspot.code, subCategory: err.hubspot.subCategory }, 'HubSpot OAuth code exchange failed');
          sendInstallPage(res, 502, TITLE, [{ kind: 'alert', text: `HubSpot did not exchange the authorisation code (${err.hubspot.code}).` }, startAgain]);
          return;
        }
        if (err) throw err;
        if (!grant) {
          sendInstallPage(res, 403, TITLE, [{ kind: 'alert', text: 'This authorisation was already used or has expired.' }, startAgain]);
          return;
        }
        await finishInstall(res, app, attempt, workspaceId, grant);
      })().catch(next);
    })(req, res, next);
  });

  /** The portal and scopes from the token answer (`hub_id`), else introspection (§1.3); then the installation. */
  async function finishInstall(res: Response, app: HubSpotOAuthApp, attempt: LoginAttempt, workspaceId: string, grant: TokenGrant): Promise<void> {
    let { portalId, scopes } = grant;
    if (portalId === undefined || scopes === undefined) {
      const introspected = await introspectToken(app, grant.accessToken);
      if (!introspected.ok) {
        sendInstallPage(res, 502, TITLE, [{ kind: 'alert', text: `HubSpot did not say which portal was installed (${introspected.error.code}).` }, startAgain]);
        return;
      }
      portalId ??= introspected.value.portalId;
      scopes ??= introspected.value.scopes;
    }
    const missing = missingRequiredScopes(scopes);
    if (missing.length > 0) {
      await deps.loginAttempts.complete(attempt.id);
      sendInstallPage(res, 403, TITLE, [{ kind: 'alert', text: `HubSpot granted Threadline access without ${missing.join(', ')}; without them Threadline cannot log WhatsApp messages. Install again and allow every requested permission.` }, startAgain]);
      return;
    }
    const credentials: HubSpotCredentials = { accessToken: grant.accessToken, refreshToken: grant.refreshToken, accessTokenExpiresAt: grant.expiresAt.toISOString() };
    const installed = await installConnector(deps, workspaceId, {
      connector: HUBSPOT_CONNECTOR_ID,
      accountId: String(portalId),
      config: { ...(await previousSettings(workspaceId, portalId)), portalId, grantedScopes: scopes },
      credentials,
    }, `hubspot-install:${portalId}`);
    await deps.loginAttempts.complete(attempt.id);
    sessions.clear(res);
    if (!installed.ok) {
      sendInstallPage(res, 422, TITLE, [{ kind: 'alert', text: installed.message }]);
      return;
    }
    deps.logger.info({ installationId: installed.installation.id, portalId, created: installed.created }, 'HubSpot portal installed');
    const withoutConversations = scopes.includes('conversations.read') ? [] : [{ kind: 'text' as const, text: 'This portal did not grant the conversations scopes (they need Sales or Service Hub Professional): WhatsApp is logged on contact timelines, not in the inbox.' }];
    sendInstallPage(res, installed.created ? 201 : 200, 'HubSpot is connected', [
      { kind: 'text', text: `Threadline ${installed.created ? 'is now installed in' : 'was installed again in'} HubSpot portal ${portalId}. WhatsApp messages will appear on the matching contacts' timelines.` },
      ...withoutConversations,
    ]);
  }

  /** Installing a portal again keeps what the admin chose for it (number, contact creation, deals). */
  async function previousSettings(workspaceId: string, portalId: number): Promise<Record<string, unknown>> {
    const row: { settings: Record<string, unknown> } | undefined = await deps.db('installation')
      .where({ workspace_id: workspaceId, connector: HUBSPOT_CONNECTOR_ID, account_id: String(portalId) })
      .first('settings');
    return row?.settings ?? {};
  }

  return router;
}
