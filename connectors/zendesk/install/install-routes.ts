import crypto from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { Passport } from 'passport';
import { z } from 'zod';
import type { LoginAttempt } from '../../../core/auth/login-attempts';
import { installConnector } from '../../../core/connectors/installations';
import { updateInstallationCredentials } from '../../../core/connectors/update-credentials';
import type { TokenPair, ZendeskClientConfig } from '../client';
import { claimedInstallationId, signInstallationMetadata, verifyInstallationMetadata } from '../metadata';
import { zendeskCredentialsSchema } from '../zendesk-settings';
import { CONNECT_CODE_PURPOSE, INSTALL_PURPOSE, type ZendeskRouteDeps } from './install-deps';
import { loginAttemptStateStore, OAuthExchangeError, ZendeskOAuthStrategy } from './oauth-strategy';
import { radioGroup, sendErrorPage, sendPage, textInput, type PageContext } from './pages';
import { stringsFor } from './strings';
import { validatePushToken } from './validate-push-token';
import { isOwnZendeskUrl, zendeskOrigin } from './zendesk-origin';
import { loadZendeskInstallation } from './zendesk-installation';

export const ADMIN_UI_PATH = '/connectors/zendesk/admin';
export const CONNECT_PATH = '/connectors/zendesk/admin/connect';
export const INSTALL_PATH = '/connectors/zendesk/admin/install';
export const OAUTH_CALLBACK_PATH = '/connectors/zendesk/oauth/callback';

const subdomain = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be a Zendesk subdomain');

/** What Zendesk posts into the admin UI iframe (reference §1.3; push fields because the manifest names push_client_id). */
const adminUiForm = z.object({
  return_url: z.string().min(1).max(2_048),
  subdomain,
  locale: z.string().max(20).optional(),
  name: z.string().max(255).optional(),
  metadata: z.string().max(5_000).optional(),
  state: z.string().max(5_000).optional(),
  instance_push_id: z.string().min(1, 'missing: the integration manifest must name push_client_id').max(255),
  zendesk_access_token: z.string().min(1, 'missing: the integration manifest must name push_client_id').max(1_000),
});

const attemptFields = { attempt: z.uuid(), csrf: z.string().min(1).max(100) };
const connectForm = z.object({ ...attemptFields, code: z.string().max(40).default('') });
const installForm = z.object({
  ...attemptFields,
  phone_number_id: z.string().max(40).default(''),
  name: z.string().trim().max(255).default(''),
  tags: z.string().max(2_000).default(''),
  group_id: z.string().trim().max(20).default(''),
});

/** What an attempt keeps of Zendesk's POST besides its account and return_url. */
const attemptData = z.object({ instancePushId: z.string(), locale: z.string().optional(), name: z.string().optional(), zendeskState: z.string().optional() });
const attemptSecrets = z.object({ pushToken: z.string() });

/**
 * The admin UI (reference §1.3) and the OAuth callback: Zendesk posts an integration account's push
 * token into our iframe; the admin proves they own the Threadline workspace (a connect code, or the
 * account's signed metadata when editing), picks the WhatsApp number, we install, run the global OAuth
 * flow for the REST token, and post the account back to Zendesk's return_url.
 */
export function zendeskInstallRoutes(deps: ZendeskRouteDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  const passport = new Passport();
  const callbackUrl = `${deps.publicUrl}${OAUTH_CALLBACK_PATH}`;
  const noContext: PageContext = { locale: undefined, zendeskOrigin: undefined };

  const contextOf = (app: ZendeskClientConfig, attempt: LoginAttempt): PageContext => ({
    locale: attemptData.parse(attempt.data).locale,
    zendeskOrigin: zendeskOrigin(app.apiBase, attempt.account),
  });

  /** Every step needs the OAuth client; without it the flow cannot finish, so it does not start. */
  const appOr503 = (res: Response): ZendeskClientConfig | undefined => {
    if (!deps.app) sendErrorPage(res, 503, noContext, 'Threadline is not configured for Zendesk yet: its operator must set ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET.');
    return deps.app;
  };

  router.post(ADMIN_UI_PATH, form, async (req, res) => {
    const app = appOr503(res);
    if (!app) return;
    const parsed = adminUiForm.safeParse(req.body);
    if (!parsed.success) {
      sendErrorPage(res, 400, noContext, `Zendesk's request is incomplete: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`);
      return;
    }
    const f = parsed.data;
    const ctx: PageContext = { locale: f.locale, zendeskOrigin: zendeskOrigin(app.apiBase, f.subdomain) };
    if (!isOwnZendeskUrl(f.return_url, app.apiBase, f.subdomain)) {
      sendErrorPage(res, 400, ctx, `return_url must be a page of ${ctx.zendeskOrigin}: Threadline hands the account back only to its own Zendesk.`);
      return;
    }
    const valid = await validatePushToken(app, f.subdomain, f.zendesk_access_token, f.instance_push_id);
    if (!valid.ok) {
      const refused = valid.error.code === 'UNAUTHORIZED' || valid.error.code === 'FORBIDDEN' || valid.error.code === 'NOT_FOUND';
      deps.logger.warn({ subdomain: f.subdomain, code: valid.error.code }, 'Zendesk admin UI: push token not confirmed');
      sendErrorPage(res, refused ? 401 : 502, ctx, refused
        ? `Zendesk did not confirm this integration account's token for ${f.subdomain}.`
        : `Threadline could not reach Zendesk to confirm this account (${valid.error.code}); try again in a minute.`);
      return;
    }
    // Editing an account we installed: its signed metadata proves the workspace, no code needed.
    const existing = await editedInstallation(deps, f.metadata, f.subdomain);
    await deps.loginAttempts.sweepExpired();
    const { attempt, csrfToken } = await deps.loginAttempts.start({
      purpose: INSTALL_PURPOSE,
      account: f.subdomain,
      returnUrl: f.return_url,
      secrets: { pushToken: f.zendesk_access_token },
      data: { instancePushId: f.instance_push_id, locale: f.locale, name: f.name, zendeskState: f.state },
      workspaceId: existing?.workspaceId,
      installationId: existing?.id,
    });
    if (attempt.workspaceId) await sendNumbersPage(res, 200, ctx, attempt, csrfToken);
    else sendConnectPage(res, 200, ctx, attempt, csrfToken);
  });

  router.post(CONNECT_PATH, form, async (req, res) => {
    const app = appOr503(res);
    if (!app) return;
    const resumed = await resume(connectForm, req, res);
    if (!resumed) return;
    const { attempt, body } = resumed;
    const ctx = contextOf(app, attempt);
    const workspaceId = await deps.redeemConnectCode(CONNECT_CODE_PURPOSE, body.code);
    if (!workspaceId) {
      sendConnectPage(res, 403, ctx, attempt, body.csrf, stringsFor(ctx.locale).t('codeRefused'));
      return;
    }
    await deps.loginAttempts.proveWorkspace(attempt.id, workspaceId);
    await sendNumbersPage(res, 200, ctx, { ...attempt, workspaceId }, body.csrf);
  });

  router.post(INSTALL_PATH, form, async (req, res, next) => {
    const app = appOr503(res);
    if (!app) return;
    const resumed = await resume(installForm, req, res);
    if (!resumed) return;
    const { attempt, body } = resumed;
    const ctx = contextOf(app, attempt);
    const { t } = stringsFor(ctx.locale);
    if (!attempt.workspaceId) {
      sendConnectPage(res, 403, ctx, attempt, body.csrf);
      return;
    }
    const numbers = await deps.listNumbers(attempt.workspaceId);
    const number = numbers.find((n) => n.phoneNumberId === body.phone_number_id);
    const groupId = body.group_id === '' ? undefined : Number(body.group_id);
    if (!number || (groupId !== undefined && !(Number.isSafeInteger(groupId) && groupId > 0))) {
      await sendNumbersPage(res, 400, ctx, attempt, body.csrf, t(number ? 'groupRefused' : 'numberRefused'));
      return;
    }
    const data = attemptData.parse(attempt.data);
    const name = body.name || data.name || `WhatsApp ${number.displayPhoneNumber ?? number.phoneNumberId}`;
    const installed = await installConnector(deps, attempt.workspaceId, {
      connector: 'zendesk',
      // One installation per integration account: a Zendesk account may run several, one per number.
      accountId: `${attempt.account}:${data.instancePushId}`,
      config: {
        subdomain: attempt.account, instancePushId: data.instancePushId, integrationName: name, phoneNumberId: number.phoneNumberId,
        tags: body.tags.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''), groupId,
      },
      // A fresh key: metadata signed before (a previous install of this account) stops verifying.
      credentials: { pushToken: attemptSecrets.parse(attempt.secrets).pushToken, metadataKey: crypto.randomBytes(32).toString('base64url') },
    }, `zendesk-admin:${attempt.account}`);
    if (!installed.ok) {
      sendErrorPage(res, 422, ctx, installed.message);
      return;
    }
    await deps.loginAttempts.attachInstallation(attempt.id, installed.installation.id);
    const store = loginAttemptStateStore(deps.loginAttempts, attempt.id, () => crypto.randomBytes(32).toString('base64url'));
    passport.authenticate(new ZendeskOAuthStrategy(app, attempt.account, callbackUrl, store), { session: false })(req, res, next);
  });

  router.get(OAUTH_CALLBACK_PATH, async (req, res, next) => {
    const app = appOr503(res);
    if (!app) return;
    const query = z.object({ state: z.string().min(1).max(200), code: z.string().max(500).optional(), error: z.string().max(200).optional() }).safeParse(req.query);
    const attempt = query.success ? await deps.loginAttempts.findByState(INSTALL_PURPOSE, query.data.state) : undefined;
    if (!query.success || !attempt?.installationId || !attempt.workspaceId) {
      sendErrorPage(res, 400, noContext, 'This authorisation was not started by Threadline, has expired, or was already used.');
      return;
    }
    const ctx = contextOf(app, attempt);
    const store = loginAttemptStateStore(deps.loginAttempts, attempt.id, () => crypto.randomBytes(32).toString('base64url'));
    if (query.data.error !== undefined || query.data.code === undefined) {
      await deps.loginAttempts.takeAuthorization(attempt.id, query.data.state);
      sendErrorPage(res, 403, ctx, `Zendesk did not authorise Threadline (${query.data.error ?? 'no code'}): the REST access Threadline needs was refused.`);
      return;
    }
    const installationId = attempt.installationId;
    const workspaceId = attempt.workspaceId;
    passport.authenticate(new ZendeskOAuthStrategy(app, attempt.account, callbackUrl, store), { session: false }, (err: unknown, pair: TokenPair | false) => {
      void (async () => {
        if (err instanceof OAuthExchangeError) {
          deps.logger.warn({ installationId, code: err.zendesk.code }, 'Zendesk OAuth code exchange failed');
          sendErrorPage(res, 502, ctx, `Zendesk did not exchange the authorisation code (${err.zendesk.code}).`);
          return;
        }
        if (err) throw err;
        if (!pair) {
          sendErrorPage(res, 400, ctx, 'This authorisation was not started by Threadline, has expired, or was already used.');
          return;
        }
        // The pair is saved before anything uses it: Zendesk rotates refresh tokens (reference §3).
        const saved = zendeskCredentialsSchema.parse(await updateInstallationCredentials(deps, workspaceId, installationId, async (current) => ({
          ...zendeskCredentialsSchema.parse(current),
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          accessTokenExpiresAt: pair.expiresAt?.toISOString(),
        })));
        await deps.loginAttempts.complete(attempt.id);
        const data = attemptData.parse(attempt.data);
        const installation = await loadZendeskInstallation(deps, installationId);
        const { t } = stringsFor(ctx.locale);
        sendPage(res, 200, ctx, 'title', [
          { kind: 'text', text: t('handBack') },
          {
            kind: 'form',
            action: attempt.returnUrl,
            hidden: [
              { name: 'name', value: installation?.config.integrationName ?? data.name ?? 'WhatsApp' },
              { name: 'metadata', value: signInstallationMetadata(installationId, saved.metadataKey) },
              { name: 'state', value: data.zendeskState ?? '{}' },
            ],
            inputs: [],
            submit: t('handBackButton'),
          },
        ], { autoSubmit: true });
      })().catch(next);
    })(req, res, next);
  });

  async function resume<S extends z.ZodType<{ attempt: string; csrf: string }>>(schema: S, req: Request, res: Response): Promise<{ attempt: LoginAttempt; body: z.infer<S> } | undefined> {
    const parsed = schema.safeParse(req.body);
    const attempt = parsed.success ? await deps.loginAttempts.resume(INSTALL_PURPOSE, parsed.data.attempt, parsed.data.csrf) : undefined;
    if (!parsed.success || !attempt) {
      sendErrorPage(res, 403, noContext, 'This page has expired or was not opened from Zendesk.');
      return undefined;
    }
    return { attempt, body: parsed.data };
  }

  function sendConnectPage(res: Response, status: number, ctx: PageContext, attempt: LoginAttempt, csrf: string, error?: string): void {
    const { t } = stringsFor(ctx.locale);
    sendPage(res, status, ctx, 'title', [
      ...(error ? [{ kind: 'alert' as const, text: error }] : []),
      { kind: 'text', text: t('connectIntro') },
      {
        kind: 'form', action: `${deps.publicUrl}${CONNECT_PATH}`, hidden: hiddenFields(attempt, csrf),
        inputs: [textInput('code', t('codeLabel'), '', 'required autocomplete="off" autocapitalize="characters" spellcheck="false"')], submit: t('continue'),
      },
    ]);
  }

  async function sendNumbersPage(res: Response, status: number, ctx: PageContext, attempt: LoginAttempt, csrf: string, error?: string): Promise<void> {
    const { t } = stringsFor(ctx.locale);
    const numbers = attempt.workspaceId ? await deps.listNumbers(attempt.workspaceId) : [];
    if (numbers.length === 0) {
      sendPage(res, status, ctx, 'title', [{ kind: 'alert', text: t('noNumbers') }]);
      return;
    }
    const data = attemptData.parse(attempt.data);
    sendPage(res, status, ctx, 'title', [
      ...(error ? [{ kind: 'alert' as const, text: error }] : []),
      { kind: 'text', text: t('numbersIntro', { subdomain: attempt.account }) },
      {
        kind: 'form', action: `${deps.publicUrl}${INSTALL_PATH}`, hidden: hiddenFields(attempt, csrf),
        inputs: [
          radioGroup('phone_number_id', t('numberLegend'), numbers.map((n) => ({
            value: n.phoneNumberId, label: [n.displayPhoneNumber ?? n.phoneNumberId, n.verifiedName].filter(Boolean).join(' · '),
          }))),
          textInput('name', t('nameLabel'), data.name ?? '', 'maxlength="255"'),
          textInput('tags', t('tagsLabel')),
          textInput('group_id', t('groupLabel'), '', 'inputmode="numeric"'),
        ],
        submit: t('connect'),
      },
    ]);
  }

  return router;
}

function hiddenFields(attempt: LoginAttempt, csrf: string): Array<{ name: string; value: string }> {
  return [{ name: 'attempt', value: attempt.id }, { name: 'csrf', value: csrf }];
}

/** The installation an edited account's metadata names, when it verifies and is this subdomain's. */
async function editedInstallation(deps: ZendeskRouteDeps, metadata: string | undefined, subdomain: string): Promise<{ id: string; workspaceId: string } | undefined> {
  const claimed = claimedInstallationId(metadata);
  const installation = claimed === undefined ? undefined : await loadZendeskInstallation(deps, claimed);
  if (!installation || installation.config.subdomain !== subdomain) return undefined;
  return verifyInstallationMetadata(metadata, installation.id, installation.credentials.metadataKey) ? installation : undefined;
}
