import { z } from 'zod';
import type { ConsoleSignInProvider, SignInQuestion } from '../../core/auth/console-sign-in';
import { accountBaseUrl, type ZendeskClientConfig } from './client';
import { requestJson } from './client/http';
import { ZendeskOAuthStrategy } from './install/oauth-strategy';

const question: SignInQuestion = {
  name: 'subdomain',
  label: 'Your Zendesk subdomain',
  hint: '"acme" for https://acme.zendesk.com',
};

// A DNS label, as the client's own check: the subdomain becomes the host we send the browser and the code to.
const subdomainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** "acme", "acme.zendesk.com" or "https://acme.zendesk.com/" → "acme"; undefined for anything else. */
function subdomainOf(typed: string): string | undefined {
  const text = typed.trim().toLowerCase().replace(/^https:\/\//, '').replace(/\/$/, '').replace(/\.zendesk\.com$/, '');
  return subdomainPattern.test(text) ? text : undefined;
}

/** `GET /api/v2/users/me` (reference §4.2): the token's own user; anonymous (id null) when it names none. */
const me = z.object({
  user: z.object({ id: z.number().int().nullable(), name: z.string(), role: z.enum(['end-user', 'agent', 'admin']) }),
});

/**
 * Console sign-in with a Zendesk user (reference §3): the account's own authorize page (PKCE S256, optional for
 * our confidential client but supported), scope `read` only, then `users/me`. Role: Zendesk "admin" → admin;
 * "agent" (custom agent roles included) → viewer; end users (customers of the account) are refused. The token
 * is revoked at once (`DELETE /api/v2/oauth/tokens/current`): only the identity was needed.
 */
export function zendeskConsoleSignIn(app: ZendeskClientConfig): ConsoleSignInProvider {
  return {
    connector: 'zendesk',
    label: 'Zendesk',
    accountNoun: 'Zendesk account',
    installHint: 'A Zendesk admin installs the Threadline app from the Zendesk Marketplace and adds a WhatsApp integration account (Admin Center > Apps and integrations > Channels); then sign in again.',
    scope: ['read'],
    begin(query) {
      const typed = typeof query.subdomain === 'string' ? query.subdomain : '';
      if (typed.trim() === '') return { ok: false, question, problem: undefined };
      const subdomain = subdomainOf(typed);
      if (subdomain === undefined) return { ok: false, question, problem: `"${typed}" is not a Zendesk subdomain: type the part before .zendesk.com, such as "acme".` };
      return { ok: true, start: { account: subdomain, data: {}, destination: accountBaseUrl(app.apiBase, subdomain), query: { subdomain } } };
    },
    strategy: (start, callbackUrl, store) => new ZendeskOAuthStrategy(app, start.account, callbackUrl, store),
    async identify(grant, start) {
      // What ZendeskOAuthStrategy hands passport: the token pair.
      const { accessToken } = z.object({ accessToken: z.string().min(1) }).parse(grant);
      const base = accountBaseUrl(app.apiBase, start.account);
      try {
        const answer = await requestJson(`${base}/api/v2/users/me.json`, { method: 'GET', token: accessToken, timeoutMs: app.timeoutMs });
        if (!answer.ok) return { ok: false, code: answer.error.code, message: `Zendesk did not say who signed in: ${answer.error.message}` };
        const parsed = me.safeParse(answer.value.body);
        if (!parsed.success) return { ok: false, code: 'BAD_RESPONSE', message: 'Zendesk answered users/me without a user id, name and role' };
        const { id, name, role } = parsed.data.user;
        if (id === null || role === 'end-user') {
          return { ok: false, code: 'NOT_STAFF', message: `Only agents and admins of ${start.account}.zendesk.com can sign in to Threadline; this Zendesk user is an end user.` };
        }
        // The token works only on the account it was issued for, so the account is the subdomain we sent the user to.
        return { ok: true, user: { accountId: start.account, userId: String(id), displayName: name, role: role === 'admin' ? 'admin' : 'viewer' } };
      } finally {
        await revoke(base, accessToken, app.timeoutMs);
      }
    },
    // One installation per integration account: `subdomain:instancePushId` (install/install-routes.ts).
    installationAccount: (subdomain) => ({ prefix: `${subdomain}:` }),
  };
}

/** Best effort: a token Zendesk keeps is still only a `read` token that expires (30 min by default, §3). */
async function revoke(base: string, accessToken: string, timeoutMs: number): Promise<void> {
  await fetch(`${base}/api/v2/oauth/tokens/current.json`, {
    method: 'DELETE', headers: { Authorization: `Bearer ${accessToken}` }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs),
  }).catch(() => undefined);
}
