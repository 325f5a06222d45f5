import crypto from 'node:crypto';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { sendInstallPage, type PageBlock } from '../../../core/auth/install-page';
import { installSessions } from '../../../core/auth/install-session';
import { installConnector } from '../../../core/connectors/installations';
import { externalCredentialName, newCalloutKey, pushCalloutKey } from '../callout-key';
import { CONNECT_CODE_PURPOSE, type SalesforceRouteDeps } from '../route-deps';
import { SALESFORCE_CONNECTOR_ID } from '../salesforce-id';
import { salesforceCredentialsSchema, type SalesforceCredentials } from '../salesforce-settings';
import { LOGIN_KINDS, loginHostSources, loginUrlOf } from './login-hosts';
import type { SalesforceOAuthApp } from './oauth-app';
import { openSalesforceInstallation } from './salesforce-installations';
import { identityOf } from './token-response';
import { authorizeUrl, exchangeCode, newCodeVerifier } from './web-server-flow';

export const INSTALL_PATH = '/connectors/salesforce/install';
export const OAUTH_CALLBACK_PATH = '/connectors/salesforce/oauth/callback';
/** Where the package's Named Credential points (its URL is set by the admin: the package cannot know our host). */
const CALLOUT_BASE_PATH = '/connectors/salesforce/api';
const INSTALL_PURPOSE = 'salesforce-install';
const TITLE = 'Connect Salesforce to Threadline';

const connectForm = z.object({
  csrf: z.string().min(1).max(100),
  connect_code: z.string().trim().max(40).default(''),
  login: z.enum(LOGIN_KINDS).default('production'),
  my_domain: z.string().max(200).default(''),
});
const callbackQuery = z.object({
  state: z.string().min(1).max(200),
  code: z.string().max(1_000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1_000).optional(),
});
/** What an authorising attempt remembers: the login host the code must be exchanged at (§1.3). */
const authorisingData = z.object({ loginUrl: z.url() });

const loginChoice = {
  kind: 'choice' as const,
  name: 'login',
  label: 'Where do you log in to Salesforce?',
  options: [
    { value: 'production', label: 'Production or Developer Edition (login.salesforce.com)' },
    { value: 'sandbox', label: 'Sandbox (test.salesforce.com)' },
    { value: 'my_domain', label: 'My Domain (your org\'s own login URL)' },
  ],
  checked: 'production',
};

/**
 * The install (reference §1.1, §1.3, §4.1), after the admin installed the package: `GET /connectors/salesforce/install`
 * asks for a connect code (proving the Threadline workspace is theirs) and where they log in; we send the browser
 * to that login host's authorize page with PKCE S256 and a state bound to this browser (a cookie) and to a login
 * attempt in PostgreSQL (the verifier sealed in it). The callback checks both, exchanges the code at the same
 * host, checks the answer's signature, takes the org from the identity URL, installs (one installation per org
 * per workspace: installing again keeps its settings and callout key, replaces the tokens), and writes the
 * callout key into the org's External Credential; when Salesforce refuses that, the page shows the key once,
 * with the steps to paste it.
 */
export function salesforceInstallRoutes(deps: SalesforceRouteDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const callbackUrl = `${deps.publicUrl}${OAUTH_CALLBACK_PATH}`;
  const installUrl = `${deps.publicUrl}${INSTALL_PATH}`;
  const sessions = installSessions({
    purpose: INSTALL_PURPOSE, cookie: 'threadline_salesforce_install', path: '/connectors/salesforce', production: deps.production, loginAttempts: deps.loginAttempts,
  });
  const startAgain = { kind: 'link' as const, href: installUrl, text: 'Start the installation again' };

  const appOr503 = (res: Response): SalesforceOAuthApp | undefined => {
    if (!deps.app) sendInstallPage(res, 503, TITLE, [{ kind: 'alert', text: 'Threadline is not configured for Salesforce yet: its operator must set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET.' }]);
    return deps.app;
  };
  const sendCodePage = (res: Response, app: SalesforceOAuthApp, status: number, csrf: string, alert?: string) => sendInstallPage(res, status, TITLE, [
    ...(alert ? [{ kind: 'alert' as const, text: alert }] : []),
    { kind: 'text', text: 'Install the Threadline package in your org first. Then type the connect code a Threadline admin issued for Salesforce (POST /api/v1/salesforce/connect-codes): it proves you own the Threadline workspace this org will sync with, and works once, for 15 minutes.' },
    {
      kind: 'form', action: installUrl, hidden: { csrf }, submit: 'Continue to Salesforce',
      fields: [
        { kind: 'text', name: 'connect_code', label: 'Connect code', required: true },
        loginChoice,
        { kind: 'text', name: 'my_domain', label: 'My Domain', required: false, hint: 'Only for My Domain: "acme" for https://acme.my.salesforce.com, "acme--uat" for its sandbox uat, or the whole URL.' },
      ],
    },
  ], loginHostSources(app));

  router.get(INSTALL_PATH, async (_req, res) => {
    const app = appOr503(res);
    if (!app) return;
    await deps.loginAttempts.sweepExpired();
    const { csrfToken } = await sessions.start(res, { account: 'salesforce', returnUrl: installUrl, secrets: {} });
    sendCodePage(res, app, 200, csrfToken);
  });

  router.post(INSTALL_PATH, form, async (req, res) => {
    const app = appOr503(res);
    if (!app) return;
    const body = connectForm.safeParse(req.body);
    const session = body.success ? await sessions.ofForm(req, body.data.csrf) : undefined;
    if (!body.success || !session) {
      sendInstallPage(res, 403, TITLE, [{ kind: 'alert', text: 'This page has expired, or was not opened in this browser.' }, startAgain]);
      return;
    }
    const login = loginUrlOf(app, body.data.login, body.data.my_domain);
    if (!login.ok) {
      sendCodePage(res, app, 400, session.csrfToken, login.message);
      return;
    }
    if (body.data.connect_code === '') {
      sendCodePage(res, app, 403, session.csrfToken, 'Type the connect code first: without it Threadline cannot tell which workspace this org belongs to.');
      return;
    }
    const workspaceId = await deps.redeemConnectCode(CONNECT_CODE_PURPOSE, body.data.connect_code);
    if (!workspaceId) {
      sendCodePage(res, app, 403, session.csrfToken, 'That connect code is unknown, expired or already used. Ask a Threadline admin for a new one.');
      return;
    }
    // A new attempt for the authorisation: it remembers the login host, which the page's attempt was started without.
    await deps.loginAttempts.complete(session.attempt.id);
    const { attempt: authorising } = await sessions.start(res, {
      account: 'salesforce', returnUrl: installUrl, secrets: {}, data: { loginUrl: login.loginUrl }, workspaceId,
    });
    const state = crypto.randomBytes(32).toString('base64url');
    const codeVerifier = newCodeVerifier();
    await deps.loginAttempts.beginAuthorization(authorising.id, state, codeVerifier);
    res.redirect(302, authorizeUrl(app, { loginUrl: login.loginUrl, redirectUri: callbackUrl, state, codeVerifier }));
  });

  router.get(OAUTH_CALLBACK_PATH, async (req, res) => {
    const app = appOr503(res);
    if (!app) return;
    const query = callbackQuery.safeParse(req.query);
    const { attempt, hasSession, stateKnown } = await sessions.ofCallback(req, query.success ? query.data.state : undefined);
    const data = authorisingData.safeParse(attempt?.data);
    if (!query.success || !attempt?.workspaceId || !data.success) {
      deps.logger.warn({ hasSession, stateKnown }, 'Salesforce OAuth callback refused: state not bound to this browser');
      sendInstallPage(res, 403, TITLE, [
        { kind: 'alert', text: 'This authorisation was not started in this browser, has expired, or was already used: Threadline installs only what the admin who typed the connect code authorised.' },
        startAgain,
      ]);
      return;
    }
    // Spent whatever Salesforce answered: a replayed redirect finds nothing.
    const codeVerifier = await deps.loginAttempts.takeAuthorization(attempt.id, query.data.state);
    if (query.data.error !== undefined || query.data.code === undefined) {
      sendInstallPage(res, 403, TITLE, [
        { kind: 'alert', text: `Salesforce did not authorise Threadline (${query.data.error ?? 'no code'}${query.data.error_description ? `: ${query.data.error_description}` : ''}).` },
        startAgain,
      ]);
      return;
    }
    if (codeVerifier === undefined) {
      sendInstallPage(res, 403, TITLE, [{ kind: 'alert', text: 'This authorisation was already used or has expired.' }, startAgain]);
      return;
    }
    const { loginUrl } = data.data;
    const exchanged = await exchangeCode(app, { loginUrl, redirectUri: callbackUrl, code: query.data.code, codeVerifier });
    const identity = exchanged.ok ? identityOf(exchanged.value.id) : undefined;
    if (!exchanged.ok || !identity) {
      const problem = exchanged.ok ? { code: 'BAD_RESPONSE', message: 'the identity URL names no org and user' } : exchanged.error;
      deps.logger.warn({ code: problem.code, loginUrl }, 'Salesforce OAuth code exchange failed');
      await deps.loginAttempts.complete(attempt.id);
      sendInstallPage(res, problem.code === 'FORBIDDEN' ? 403 : 502, TITLE, [{ kind: 'alert', text: `Salesforce did not connect the org (${problem.code}): ${problem.message}.` }, startAgain]);
      return;
    }
    const workspaceId = attempt.workspaceId;
    const token = exchanged.value;
    const previous = await previousInstallation(workspaceId, identity.orgId);
    const credentials: SalesforceCredentials = {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      instanceUrl: token.instance_url,
      loginUrl,
      refreshedAt: new Date().toISOString(),
      // Kept on a re-install: the org's External Credential already holds it (or the admin pasted it).
      calloutKey: previous.calloutKey ?? newCalloutKey(),
    };
    const installed = await installConnector(deps, workspaceId, {
      connector: SALESFORCE_CONNECTOR_ID,
      accountId: identity.orgId,
      config: { ...previous.settings, orgId: identity.orgId, userId: identity.userId },
      credentials,
    }, `salesforce-install:${identity.orgId}`);
    await deps.loginAttempts.complete(attempt.id);
    sessions.clear(res);
    if (!installed.ok) {
      sendInstallPage(res, 422, TITLE, [{ kind: 'alert', text: installed.message }]);
      return;
    }
    const installationId = installed.installation.id;
    deps.logger.info({ installationId, orgId: identity.orgId, created: installed.created }, 'Salesforce org installed');
    const keyBlocks = await placeCalloutKey(workspaceId, installationId);
    sendInstallPage(res, installed.created ? 201 : 200, 'Salesforce is connected', [
      { kind: 'text', text: `Threadline ${installed.created ? 'is now connected to' : 'was connected again to'} Salesforce org ${identity.orgId} (${token.instance_url}). WhatsApp conversations will appear on the matching Contacts and Leads.` },
      ...keyBlocks,
      { kind: 'text', text: `In Setup > Named Credentials, set the URL of the "Threadline" named credential to ${deps.publicUrl}${CALLOUT_BASE_PATH}, and give users the "Threadline User" permission set.` },
    ]);
  });

  /** What an earlier install of this org left: its settings (kept), and its callout key while it has credentials. */
  async function previousInstallation(workspaceId: string, orgId: string): Promise<{ settings: Record<string, unknown>; calloutKey: string | undefined }> {
    const row: { settings: Record<string, unknown>; credentials_sealed: string | null } | undefined = await deps.db('installation')
      .where({ workspace_id: workspaceId, connector: SALESFORCE_CONNECTOR_ID, account_id: orgId })
      .first('settings', 'credentials_sealed');
    if (!row) return { settings: {}, calloutKey: undefined };
    const stored = row.credentials_sealed === null ? undefined : salesforceCredentialsSchema.safeParse(JSON.parse(deps.secrets.open(row.credentials_sealed)));
    return { settings: row.settings, calloutKey: stored?.success ? stored.data.calloutKey : undefined };
  }

  /** Writes the key into the org; when Salesforce refuses, the blocks that show it once with the steps to paste it. */
  async function placeCalloutKey(workspaceId: string, installationId: string): Promise<PageBlock[]> {
    const installation = await openSalesforceInstallation(deps, workspaceId, installationId);
    if (!installation) throw new Error(`Salesforce installation ${installationId} cannot be read back after installing it`);
    const pushed = await pushCalloutKey(installation, { app: deps.app });
    if (pushed.ok) return [{ kind: 'text', text: 'The callout key is in place in the org\'s "Threadline" external credential: reply from the record works once the steps below are done.' }];
    deps.logger.warn({ installationId, code: pushed.error.code, message: pushed.error.message }, 'Salesforce refused the callout key: the admin must paste it');
    return [
      { kind: 'alert', text: `Salesforce did not let Threadline store the callout key (${pushed.error.code}: ${pushed.error.message}). Without it, replying from a record fails. Paste it yourself; this page shows it only once.` },
      { kind: 'secret', label: 'Callout key:', value: installation.credentials.calloutKey },
      {
        kind: 'steps',
        steps: [
          'In Setup, open Named Credentials, then the External Credentials tab.',
          `Open "${externalCredentialName(installation.config.namespace)}" (label "Threadline").`,
          'Under Principals, edit the "OrgKey" principal.',
          'Under Authentication Parameters, add a parameter named "SigningKey", paste the key above as its value, and save.',
          'Alternatively, ask an admin with "Manage Named Credentials" to run this installation again: Threadline then stores the key itself.',
        ],
      },
    ];
  }

  return router;
}
