import type { OAuth2 } from 'oauth';
import OAuth2Strategy from 'passport-oauth2';
import { accountBaseUrl, exchangeAuthorizationCode, type TokenPair, type ZendeskClientConfig, type ZendeskError } from '../client';

// Moved to core (HubSpot's install uses it too); re-exported for Zendesk's install routes.
export { loginAttemptStateStore } from '../../../core/auth/login-attempt-state-store';

/** Read and write on the REST API (reference §3): users, identities and tickets. */
export const ZENDESK_SCOPES = ['read', 'write'] as const;

/** What the exchange hands passport's verify step: the pair, already zod-checked by the client. */
interface ExchangeResults {
  pair: TokenPair;
}

export class OAuthExchangeError extends Error {
  constructor(readonly zendesk: ZendeskError) {
    super(`Zendesk refused the authorisation code (${zendesk.code}): ${zendesk.message}`);
  }
}

/**
 * The global OAuth authorization-code flow (reference §3) as a passport-oauth2 strategy, one per account
 * since every Zendesk account has its own authorisation host. Passport builds the authorisation redirect
 * (scope, PKCE S256) and checks the returned state through `store`, which binds both to one login attempt
 * in PostgreSQL: the state is single-use and the verifier never leaves our database. The code is exchanged
 * by our own client (`exchangeAuthorizationCode`: zod-checked answer, expiry measured from the request).
 */
export class ZendeskOAuthStrategy extends OAuth2Strategy {
  constructor(app: ZendeskClientConfig, subdomain: string, callbackUrl: string, store: OAuth2Strategy.StateStore) {
    const base = accountBaseUrl(app.apiBase, subdomain);
    super(
      {
        authorizationURL: `${base}/oauth/authorizations/new`,
        tokenURL: `${base}/oauth/tokens`,
        clientID: app.clientId,
        clientSecret: app.clientSecret,
        callbackURL: callbackUrl,
        scope: [...ZENDESK_SCOPES],
        scopeSeparator: ' ',
        pkce: true,
        store,
      },
      (_accessToken: string, _refreshToken: string, results: ExchangeResults, _profile: unknown, verified: OAuth2Strategy.VerifyCallback) => verified(null, results.pair),
    );
    // `_oauth2` is passport-oauth2's documented extension point for subclasses; node-oauth calls back (null, …) on success.
    const exchange = (code: string, params: { code_verifier?: string }, callback: (err: Error | null, access?: string, refresh?: string, results?: ExchangeResults) => void): void => {
      void exchangeAuthorizationCode(app, { subdomain, code, redirectUri: callbackUrl, codeVerifier: params.code_verifier }).then((answer) => {
        if (!answer.ok) callback(new OAuthExchangeError(answer.error));
        else callback(null, answer.value.accessToken, answer.value.refreshToken ?? '', { pair: answer.value });
      });
    };
    this._oauth2.getOAuthAccessToken = exchange as OAuth2['getOAuthAccessToken'];
  }
}
