import OAuth2Strategy from 'passport-oauth2';
import { z } from 'zod';
import type { ConsoleSignInProvider, IdentifyResult, SignInQuestion } from '../../core/auth/console-sign-in';
import { LOGIN_KINDS, loginUrlOf } from './oauth/login-hosts';
import type { SalesforceOAuthApp } from './oauth/oauth-app';
import { identityOf, signatureMatches, tokenResponseSchema } from './oauth/token-response';
import { SALESFORCE_API_VERSION } from './salesforce-id';

const question: SignInQuestion = {
  name: 'my_domain',
  label: 'Your org\'s My Domain',
  hint: '"acme" for https://acme.my.salesforce.com, "acme--uat" for its sandbox uat, or the whole login URL',
};

const startQuery = z.object({ login: z.enum(LOGIN_KINDS).optional(), my_domain: z.string().max(200).optional() });

/**
 * The user's own record (`GET /sobjects/User/<id>`): their name, and what kind of user. Read over REST because the
 * packaged ECA selects only `Api,RefreshToken` (reference §1.3: every scope requested must be selected), and the
 * identity URL needs the `id` scope.
 */
const userAnswer = z.object({ Name: z.string(), UserType: z.string() });

/**
 * The running user's effective permissions, whatever grants them (profile, permission sets, groups): one row.
 * "Modify All Data" is Salesforce's full administrator; "Customize Application" is what configuring an installed
 * package (and so Threadline's connection) takes. Either makes a console admin; every other internal user is a viewer.
 */
const PERMISSIONS_QUERY = 'SELECT PermissionsModifyAllData, PermissionsCustomizeApplication FROM UserPermissionAccess';
const permissionsAnswer = z.object({
  records: z.array(z.object({ PermissionsModifyAllData: z.boolean(), PermissionsCustomizeApplication: z.boolean() })).length(1),
});
const timeoutMs = 10_000;

/**
 * Console sign-in with a Salesforce user: the web server flow at the login host the user picks (production by
 * default, `?login=sandbox`, `?my_domain=acme`) with PKCE S256, scope `api` only and so no refresh token; the
 * answer's signature is checked as at install (§1.4); the org and user ids come from its identity URL `id`, the
 * user's name and type from their User record. Only internal users (`UserType` Standard) may sign in: community and
 * portal users are the org's customers. The access token is revoked at once (§1.3).
 */
export function salesforceConsoleSignIn(app: SalesforceOAuthApp): ConsoleSignInProvider {
  return {
    connector: 'salesforce',
    label: 'Salesforce',
    accountNoun: 'Salesforce org',
    installHint: 'A Salesforce admin installs the Threadline package in the org, then connects it at /connectors/salesforce/install with a connect code from a Threadline admin; then sign in again.',
    // The same three logins as the install page (§1.3): the button is production, these are the other two.
    alternatives: { links: [{ label: 'Salesforce sandbox', query: { login: 'sandbox' } }], question },
    begin(query) {
      const parsed = startQuery.safeParse(query);
      if (!parsed.success) return { ok: false, question, problem: 'Choose production, sandbox or My Domain as the login.' };
      const typed = parsed.data.my_domain?.trim() ?? '';
      const kind = parsed.data.login ?? (typed === '' ? 'production' : 'my_domain');
      if (kind === 'my_domain' && typed === '') return { ok: false, question, problem: undefined };
      const login = loginUrlOf(app, kind, typed);
      if (!login.ok) return { ok: false, question, problem: login.message };
      const again: Record<string, string> = kind === 'my_domain' ? { my_domain: typed } : { login: kind };
      return { ok: true, start: { account: '', data: { loginUrl: login.loginUrl }, destination: new URL(login.loginUrl).host, query: again } };
    },
    strategy(start, callbackUrl, store) {
      const loginUrl = z.url().parse(start.data.loginUrl);
      return new OAuth2Strategy(
        {
          authorizationURL: `${loginUrl}/services/oauth2/authorize`,
          tokenURL: `${loginUrl}/services/oauth2/token`,
          clientID: app.clientId,
          clientSecret: app.clientSecret,
          callbackURL: callbackUrl,
          scope: ['api'],
          scopeSeparator: ' ',
          pkce: true,
          store,
        },
        // node-oauth sends code, verifier and client secret (§1.3) and hands back the whole token answer as `params`.
        (_access: string, _refresh: string, params: unknown, _profile: unknown, verified: OAuth2Strategy.VerifyCallback) => verified(null, { params }),
      );
    },
    async identify(grant, start): Promise<IdentifyResult> {
      const token = tokenResponseSchema.safeParse(z.object({ params: z.unknown() }).parse(grant).params);
      if (!token.success || !signatureMatches(token.data, app.clientSecret)) {
        return { ok: false, code: 'BAD_RESPONSE', message: 'the token answer is not signed with Threadline\'s consumer secret' };
      }
      const { access_token: accessToken, instance_url: instanceUrl, id: identityUrl } = token.data;
      try {
        return await whoIs(accessToken, instanceUrl, identityUrl);
      } finally {
        await fetch(`${z.url().parse(start.data.loginUrl)}/services/oauth2/revoke`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: accessToken }), signal: AbortSignal.timeout(timeoutMs),
        }).catch(() => undefined);
      }
    },
    installationAccount: (orgId) => ({ exact: orgId }),
  };
}

async function whoIs(accessToken: string, instanceUrl: string, identityUrl: string): Promise<IdentifyResult> {
  const ids = identityOf(identityUrl);
  if (!ids) return { ok: false, code: 'BAD_RESPONSE', message: 'Salesforce\'s token answer did not name the org and user' };
  const rest = `${instanceUrl}/services/data/v${SALESFORCE_API_VERSION}`;
  const user = userAnswer.safeParse(await getJson(`${rest}/sobjects/User/${ids.userId}?fields=Name,UserType`, accessToken));
  if (!user.success) return { ok: false, code: 'BAD_RESPONSE', message: 'Salesforce did not show the signed-in user\'s name and type' };
  // The picklist value of internal users; portal and community users are `PowerPartner`, `CspLitePortal`, … (their customers).
  if (user.data.UserType !== 'Standard') {
    return { ok: false, code: 'NOT_STAFF', message: `Only internal users of the org can sign in to Threadline; this is a ${user.data.UserType} user.` };
  }
  const permissions = permissionsAnswer.safeParse(await getJson(`${rest}/query?q=${encodeURIComponent(PERMISSIONS_QUERY)}`, accessToken));
  if (!permissions.success) return { ok: false, code: 'BAD_RESPONSE', message: 'Salesforce did not show the user\'s permissions' };
  const [granted] = permissions.data.records;
  const admin = granted !== undefined && (granted.PermissionsModifyAllData || granted.PermissionsCustomizeApplication);
  return { ok: true, user: { accountId: ids.orgId, userId: ids.userId, displayName: user.data.Name, role: admin ? 'admin' : 'viewer' } };
}

/** A GET with the bearer token: the JSON answer, or undefined for any failure (the caller's schema then refuses it). */
async function getJson(url: string, accessToken: string): Promise<unknown> {
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
