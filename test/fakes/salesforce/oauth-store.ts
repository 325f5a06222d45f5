import crypto from 'node:crypto';

/** The External Client App Threadline ships in its package (reference §1.1, §1.2). */
export interface FakeApp {
  clientId: string;
  clientSecret: string;
  /** Callback URLs: `redirect_uri` must equal one exactly (§1.3). */
  callbackUrls: string[];
  /** Scopes the ECA's OAuth settings select; a request for any other is refused. */
  scopes: string[];
  /** Access tokens die after this long without use (session timeout, 2 h by default, §1.5). */
  sessionTimeoutMs: number;
  /** Refresh tokens die after this long without use (the mandatory 30-day idle TTL, §1.2). */
  refreshIdleTtlMs: number;
}

/** Where a grant was made: the production host, the sandbox host, or an org's My Domain. */
export type LoginHost = { kind: 'production' } | { kind: 'sandbox' } | { kind: 'myDomain'; name: string };

export interface AccessToken {
  token: string;
  orgId: string;
  userId: string;
  /** What the authorization granted: the identity URL serves only a token with an identity scope. */
  scopes: string[];
  family: string;
  lastUsedAt: number;
}

export interface RefreshToken {
  token: string;
  orgId: string;
  userId: string;
  scopes: string[];
  family: string;
  loginHost: LoginHost;
  lastUsedAt: number;
  /** Rotated away: presenting it again is reuse, and kills the family. */
  rotated: boolean;
}

export interface AuthorizationCode {
  code: string;
  orgId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  loginHost: LoginHost;
  expiresAt: number;
}

/** Codes live 15 minutes [U: Salesforce documents no figure]. */
const codeTtlMs = 15 * 60_000;

/** Every grant of the one app. A family is one authorization: its refresh tokens (rotated) and access tokens. */
export class OAuthStore {
  readonly codes = new Map<string, AuthorizationCode>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  /** Families killed by refresh-token reuse, for assertions. */
  readonly revokedFamilies = new Set<string>();

  constructor(
    private readonly app: FakeApp,
    private readonly now: () => number,
  ) {}

  issueCode(init: Omit<AuthorizationCode, 'code' | 'expiresAt'>): AuthorizationCode {
    const code: AuthorizationCode = { ...init, code: `aPrx${crypto.randomBytes(48).toString('base64url')}`, expiresAt: this.now() + codeTtlMs };
    this.codes.set(code.code, code);
    return code;
  }

  /** Codes are single use: taken even when the exchange then fails. */
  takeCode(code: string): AuthorizationCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found && found.expiresAt > this.now() ? found : undefined;
  }

  /** A new family: one access and one refresh token. */
  grant(init: { orgId: string; userId: string; scopes: string[]; loginHost: LoginHost }): { access: AccessToken; refresh: RefreshToken } {
    const family = crypto.randomUUID();
    return { access: this.issueAccess(init, family), refresh: this.issueRefresh({ ...init, family }) };
  }

  /** The live access token, touched (sessions time out on inactivity); undefined when unknown or timed out. */
  useAccessToken(token: string): AccessToken | undefined {
    const found = this.accessTokens.get(token);
    if (!found) return undefined;
    if (this.now() - found.lastUsedAt > this.app.sessionTimeoutMs) {
      this.accessTokens.delete(token);
      return undefined;
    }
    found.lastUsedAt = this.now();
    return found;
  }

  /**
   * Refresh Token Rotation (§1.2, mandatory): a new access and refresh token, the presented one retired. Presenting
   * a retired one again revokes the whole family, so a client that lost a race must reconnect ([U]: seen in bug
   * reports, not documented as certain).
   */
  refresh(token: string): { access: AccessToken; refresh: RefreshToken } | 'reused' | undefined {
    const found = this.refreshTokens.get(token);
    if (!found) return undefined;
    if (found.rotated) {
      this.revokeFamily(found.family);
      return 'reused';
    }
    if (this.now() - found.lastUsedAt > this.app.refreshIdleTtlMs) {
      this.revokeFamily(found.family);
      return undefined;
    }
    found.rotated = true;
    return { access: this.issueAccess(found, found.family), refresh: this.issueRefresh({ ...found }) };
  }

  /** §1.3: a refresh token takes its family with it; an access token goes alone. False when unknown. */
  revoke(token: string): boolean {
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      this.revokeFamily(refresh.family);
      return true;
    }
    return this.accessTokens.delete(token);
  }

  private revokeFamily(family: string): void {
    this.revokedFamilies.add(family);
    for (const [token, t] of this.accessTokens) if (t.family === family) this.accessTokens.delete(token);
    for (const [token, t] of this.refreshTokens) if (t.family === family) this.refreshTokens.delete(token);
  }

  private issueAccess({ orgId, userId, scopes }: Pick<AccessToken, 'orgId' | 'userId' | 'scopes'>, family: string): AccessToken {
    // Salesforce session ids start with the 15-character org id and a '!' (not a JWT, §1.4).
    const access: AccessToken = { token: `${orgId.slice(0, 15)}!${crypto.randomBytes(72).toString('base64url')}`, orgId, userId, scopes, family, lastUsedAt: this.now() };
    this.accessTokens.set(access.token, access);
    return access;
  }

  private issueRefresh(init: Pick<RefreshToken, 'orgId' | 'userId' | 'scopes' | 'family' | 'loginHost'>): RefreshToken {
    const refresh: RefreshToken = { ...init, token: `5Aep861${crypto.randomBytes(40).toString('base64url')}`, lastUsedAt: this.now(), rotated: false };
    this.refreshTokens.set(refresh.token, refresh);
    return refresh;
  }
}
