import crypto from 'node:crypto';

/** A global OAuth client (`zdg-…`), known to every account as on Zendesk. */
export interface FakeOAuthClient {
  /** The "Unique Identifier" Zendesk uses as client_id. */
  clientId: string;
  secret: string;
  redirectUris: string[];
  /** Access-token TTL when the request names none: 30 min, the 2026 default for new global clients (§3). */
  defaultExpiresIn: number;
  /** Refresh-token TTL when the request names none: 30 days. */
  defaultRefreshExpiresIn: number;
}

export interface AccessToken {
  token: string;
  clientId: string;
  scopes: string[];
  /** ms on the fake's clock; undefined never expires (admin-created tokens). */
  expiresAt: number | undefined;
  /** The refresh token issued with it: rotating one deletes both (§3). */
  refreshToken: string | undefined;
  /** The Zendesk user who authorised it (`users/me`); undefined for a token no user granted. */
  userId?: number;
}

export interface RefreshToken {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  accessToken: string;
  userId?: number;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  /** Valid 120 s (§3). */
  expiresAt: number;
  codeChallenge: string | undefined;
  /** The user signed in on the authorize page. */
  userId?: number;
}

export interface IssuedPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  scope: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

/** Limits Zendesk enforces on requested TTLs (§3). */
export const ttlLimits = { accessMin: 300, accessMax: 172_800, refreshMin: 604_800, refreshMax: 7_776_000 } as const;

/** One account's OAuth grants: codes, access tokens, refresh tokens. Refresh rotates and deletes the old pair. */
export class OAuthStore {
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly codes = new Map<string, AuthorizationCode>();
  /** Refresh tokens already rotated away: kept only so tests can see a reuse was refused. */
  readonly rotatedRefreshTokens = new Set<string>();

  constructor(private readonly now: () => number) {}

  issueCode(init: Omit<AuthorizationCode, 'code' | 'expiresAt'>): AuthorizationCode {
    const code: AuthorizationCode = { ...init, code: randomToken('code'), expiresAt: this.now() + 120_000 };
    this.codes.set(code.code, code);
    return code;
  }

  /** Codes are single use: taken even when the caller then refuses it. */
  takeCode(code: string): AuthorizationCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found && found.expiresAt > this.now() ? found : undefined;
  }

  issuePair(clientId: string, scopes: string[], expiresIn: number, refreshExpiresIn: number, userId?: number): IssuedPair {
    const access = randomToken('access');
    const refresh = randomToken('refresh');
    this.accessTokens.set(access, { token: access, clientId, scopes, expiresAt: this.now() + expiresIn * 1000, refreshToken: refresh, userId });
    this.refreshTokens.set(refresh, { token: refresh, clientId, scopes, expiresAt: this.now() + refreshExpiresIn * 1000, accessToken: access, userId });
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      scope: scopes.join(' '),
      expires_in: expiresIn,
      refresh_token_expires_in: refreshExpiresIn,
    };
  }

  /** A non-expiring token, as an admin creates with POST /api/v2/oauth/tokens: handy for REST tests. */
  issueStaticToken(scopes: string[] = ['read', 'write']): string {
    const token = randomToken('static');
    this.accessTokens.set(token, { token, clientId: 'admin', scopes, expiresAt: undefined, refreshToken: undefined });
    return token;
  }

  /** Rotation: the old refresh token and its access token are deleted before the new pair exists. */
  rotate(refreshToken: string, clientId: string): RefreshToken | undefined {
    const found = this.refreshTokens.get(refreshToken);
    if (!found || found.clientId !== clientId || found.expiresAt <= this.now()) return undefined;
    this.refreshTokens.delete(refreshToken);
    this.accessTokens.delete(found.accessToken);
    this.rotatedRefreshTokens.add(refreshToken);
    return found;
  }

  /**
   * `DELETE /api/v2/oauth/tokens/current`: the token is gone, and its refresh token with it [U: Zendesk's article
   * speaks of revoking "the token"; whether the refresh token of a pair survives is not documented].
   */
  revoke(token: string): void {
    const found = this.accessTokens.get(token);
    this.accessTokens.delete(token);
    if (found?.refreshToken !== undefined) this.refreshTokens.delete(found.refreshToken);
  }

  validAccessToken(token: string | undefined): AccessToken | undefined {
    if (token === undefined) return undefined;
    const found = this.accessTokens.get(token);
    if (!found) return undefined;
    return found.expiresAt === undefined || found.expiresAt > this.now() ? found : undefined;
  }
}

function randomToken(kind: string): string {
  return `fake-${kind}-${crypto.randomBytes(12).toString('hex')}`;
}
