import crypto from 'node:crypto';

/** The public app Threadline registers (reference §1, §2.2 `app-hsmeta.json` auth block). */
export interface FakeApp {
  appId: number;
  clientId: string;
  clientSecret: string;
  redirectUrls: string[];
  requiredScopes: string[];
  optionalScopes: string[];
  /** Access-token lifetime, seconds (§1.2: typically 1800). */
  accessTokenTtlSeconds: number;
  /**
   * False (default): a refresh answers the same refresh token, as HubSpot's long-lived per-install tokens do
   * (§1.2). True: a new one each time and the old one refused, to prove a client stores what it gets [U].
   */
  rotateRefreshTokens: boolean;
}

export interface AccessToken {
  token: string;
  portalId: number;
  userId: number;
  scopes: string[];
  /** ms on the fake's clock. */
  expiresAt: number;
}

export interface RefreshToken {
  token: string;
  portalId: number;
  userId: number;
  scopes: string[];
}

export interface AuthorizationCode {
  code: string;
  portalId: number;
  userId: number;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

/** How long a code can be exchanged [U: HubSpot does not document it]. */
const codeTtlMs = 10 * 60_000;

/** Every grant of the one app: codes, access tokens (expire), refresh tokens (long-lived, per install). */
export class OAuthStore {
  readonly codes = new Map<string, AuthorizationCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();

  constructor(
    private readonly app: FakeApp,
    private readonly now: () => number,
  ) {}

  issueCode(init: Omit<AuthorizationCode, 'code' | 'expiresAt'>): AuthorizationCode {
    const code: AuthorizationCode = { ...init, code: crypto.randomUUID(), expiresAt: this.now() + codeTtlMs };
    this.codes.set(code.code, code);
    return code;
  }

  /** Codes are single use: taken even when the caller then refuses it (wrong redirect_uri). */
  takeCode(code: string): AuthorizationCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found && found.expiresAt > this.now() ? found : undefined;
  }

  issueAccessToken(grant: Omit<AccessToken, 'token' | 'expiresAt'>): AccessToken {
    // Up to ~300 characters in production (§1.2); long enough here to break a narrow column.
    const access: AccessToken = { ...grant, token: `fake-at-${crypto.randomBytes(96).toString('base64url')}`, expiresAt: this.now() + this.app.accessTokenTtlSeconds * 1000 };
    this.accessTokens.set(access.token, access);
    return access;
  }

  issueRefreshToken(grant: Omit<RefreshToken, 'token'>): RefreshToken {
    const refresh: RefreshToken = { ...grant, token: `na1-${crypto.randomUUID()}` };
    this.refreshTokens.set(refresh.token, refresh);
    return refresh;
  }

  /** A refresh: a new access token, and the same refresh token unless the app rotates them. */
  refresh(token: string): { access: AccessToken; refresh: RefreshToken } | undefined {
    const found = this.refreshTokens.get(token);
    if (!found) return undefined;
    const grant = { portalId: found.portalId, userId: found.userId, scopes: found.scopes };
    let refresh = found;
    if (this.app.rotateRefreshTokens) {
      this.refreshTokens.delete(token);
      refresh = this.issueRefreshToken(grant);
    }
    return { access: this.issueAccessToken(grant), refresh };
  }

  /** Deletes a token; revoking a refresh token leaves issued access tokens valid until they expire (§1.3). */
  revoke(token: string): void {
    this.accessTokens.delete(token);
    this.refreshTokens.delete(token);
  }

  /** Uninstall: every token of the portal is gone at once. */
  revokePortal(portalId: number): void {
    for (const [token, t] of this.accessTokens) if (t.portalId === portalId) this.accessTokens.delete(token);
    for (const [token, t] of this.refreshTokens) if (t.portalId === portalId) this.refreshTokens.delete(token);
  }
}
