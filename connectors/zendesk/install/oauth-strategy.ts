import type { Request } from 'express';
import type { OAuth2 } from 'oauth';
import OAuth2Strategy from 'passport-oauth2';
import type { LoginAttempts } from '../../../core/auth/login-attempts';
import { accountBaseUrl, exchangeAuthorizationCode, type TokenPair, type ZendeskClientConfig, type ZendeskError } from '../client';

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

/**
 * Passport's state store (the PKCE form: `store` with 5 arguments, `verify` with 4, as passport-oauth2
 * dispatches on arity) over one login attempt. `store` saves a fresh state's hash and the verifier;
 * `verify` spends them: a state that is not this attempt's current one fails, and so does a replay.
 */
export function loginAttemptStateStore(attempts: LoginAttempts, attemptId: string, newState: () => string): OAuth2Strategy.StateStore {
  const store = {
    store(_req: Request, verifier: string, _state: unknown, _meta: unknown, callback: (err: Error | null, state?: string) => void): void {
      const state = newState();
      attempts.beginAuthorization(attemptId, state, verifier).then(() => callback(null, state), (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
    verify(_req: Request, state: string, _meta: unknown, callback: (err: Error | null, ok: string | false, info?: { message: string }) => void): void {
      attempts.takeAuthorization(attemptId, state).then(
        (verifier) => (verifier === undefined ? callback(null, false, { message: 'state' }) : callback(null, verifier)),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), false),
      );
    },
  };
  return store as unknown as OAuth2Strategy.StateStore;
}
