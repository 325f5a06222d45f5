import type { OAuth2 } from 'oauth';
import OAuth2Strategy from 'passport-oauth2';
import type { HubSpotError } from '../hubspot-result';
import type { HubSpotOAuthApp } from './oauth-app';
import { OPTIONAL_SCOPES, REQUIRED_SCOPES } from './scopes';
import { exchangeCode, type TokenGrant } from './token-endpoint';

export class OAuthExchangeError extends Error {
  constructor(readonly hubspot: HubSpotError) {
    super(`HubSpot refused the authorisation code (${hubspot.code}): ${hubspot.message}`);
  }
}

/** What the exchange hands passport's verify step: the grant, already zod-checked. */
interface ExchangeResults {
  grant: TokenGrant;
}

/**
 * HubSpot's authorization-code flow (reference §1.1, §1.2) as a passport-oauth2 strategy: the authorize page
 * on `HUBSPOT_AUTH_BASE`, `scope` the required scopes and `optional_scope` the conversations ones, state and
 * PKCE kept by `store` (one login attempt in PostgreSQL). The code is exchanged by our own client on the
 * 2026-03 token endpoint (`exchangeCode`), not node-oauth's, and not the SDK's deprecated /oauth/v1 helper.
 * [U] The 2026-03 token endpoint accepts `code_verifier` [S]; the authorize page's `code_challenge` is not in
 * the reference's parameter list: confirm PKCE on a test portal.
 */
export class HubSpotOAuthStrategy extends OAuth2Strategy {
  constructor(app: HubSpotOAuthApp, callbackUrl: string, store: OAuth2Strategy.StateStore) {
    super(
      {
        authorizationURL: `${app.authBase}/oauth/authorize`,
        tokenURL: `${app.apiBase}/oauth/2026-03/token`,
        clientID: app.clientId,
        clientSecret: app.clientSecret,
        callbackURL: callbackUrl,
        scope: [...REQUIRED_SCOPES],
        scopeSeparator: ' ',
        pkce: true,
        store,
      },
      (_accessToken: string, _refreshToken: string, results: ExchangeResults, _profile: unknown, verified: OAuth2Strategy.VerifyCallback) => verified(null, results.grant),
    );
    // `_oauth2` is passport-oauth2's documented extension point for subclasses; node-oauth calls back (null, …) on success.
    const exchange = (code: string, params: { code_verifier?: string }, callback: (err: Error | null, access?: string, refresh?: string, results?: ExchangeResults) => void): void => {
      void exchangeCode(app, { code, redirectUri: callbackUrl, codeVerifier: params.code_verifier }).then((answer) => {
        if (!answer.ok) callback(new OAuthExchangeError(answer.error));
        else callback(null, answer.value.accessToken, answer.value.refreshToken, { grant: answer.value });
      });
    };
    this._oauth2.getOAuthAccessToken = exchange as OAuth2['getOAuthAccessToken'];
  }

  /** Scopes a portal's tier may lack (§1.4): the installer is not blocked when they cannot be granted. */
  override authorizationParams(): Record<string, string> {
    return { optional_scope: OPTIONAL_SCOPES.join(' ') };
  }
}
