import type { RequestRecord } from '../common/request-log';
import { FakeOrg, type OrgInit } from './fake-org';
import { FailureScript } from '../common/failure-script';
import { resolveFailure, type FakeSalesforceError, type ScriptedFailure } from './salesforce-errors';
import { OAuthStore, type FakeApp } from './oauth-store';
import { packagedScopes } from './packaged-app';

/** Which requests a scripted failure applies to: REST API routes, SOSL search, the OAuth endpoints. */
export type FailureScope = 'api' | 'search' | 'oauth' | 'any';

export interface RecordedRequest extends RequestRecord {
  /** The org of the instance URL, for API requests. */
  orgId: string | undefined;
}

/** The app the fixtures use: the packaged ECA's scopes (`Api,RefreshToken`, so `api refresh_token`, §1.3), nothing more. */
export const fixtureApp: FakeApp = {
  clientId: 'fake-salesforce-consumer-key',
  clientSecret: 'fake-salesforce-consumer-secret',
  callbackUrls: ['http://127.0.0.1/connectors/salesforce/oauth/callback'],
  scopes: packagedScopes(),
  sessionTimeoutMs: 2 * 3_600_000,
  refreshIdleTtlMs: 30 * 86_400_000,
};

/** Everything the fake knows and has seen. Tests arrange through its methods and assert on its fields. */
export class SalesforceFakeState {
  readonly app: FakeApp;
  readonly oauth: OAuthStore;
  readonly orgs = new Map<string, FakeOrg>();
  readonly requests: RecordedRequest[] = [];
  /** The org whose user logs in on the authorize page (default: the first org). */
  loggingInOrgId: string | undefined;
  /** The user of that org who logs in (default: the org's connecting user, `org.userId`). */
  loggingInUserId: string | undefined;
  outage: { status: number } | undefined;
  private readonly failures = new FailureScript<Exclude<FailureScope, 'any'>, string, ScriptedFailure>();
  private clockOffsetMs = 0;

  constructor(
    app: Partial<FakeApp> = {},
    readonly namespace: string | undefined = undefined,
  ) {
    this.app = { ...fixtureApp, ...app };
    this.oauth = new OAuthStore(this.app, () => this.now());
  }

  /** Milliseconds on the fake's clock: real time plus `advanceTime`. Sessions, refresh TTL, search lag, API quota use it. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  addOrg(init: OrgInit = {}): FakeOrg {
    const org = new FakeOrg(init, this.namespace, () => this.now());
    this.orgs.set(org.orgId, org);
    this.loggingInOrgId ??= org.orgId;
    return org;
  }

  org(orgId: string): FakeOrg {
    const found = this.orgs.get(orgId);
    if (!found) throw new Error(`Salesforce fake has no org ${orgId}`);
    return found;
  }

  /** A connected org's tokens without the OAuth dance (production login host). */
  issueTokens(orgId: string): { accessToken: string; refreshToken: string } {
    const org = this.org(orgId);
    const { access, refresh } = this.oauth.grant({ orgId, userId: org.userId, scopes: ['api', 'refresh_token'], loginHost: { kind: org.sandbox ? 'sandbox' : 'production' } });
    return { accessToken: access.token, refreshToken: refresh.token };
  }

  /** The next `count` matching requests get this answer instead; `orgId` narrows API/search failures to one org. */
  failNext(count: number, failure: ScriptedFailure, options: { scope?: FailureScope; orgId?: string } = {}): void {
    this.failures.add(count, failure, options.scope ?? 'any', options.orgId);
  }

  takeFailure(scope: Exclude<FailureScope, 'any'>, orgId: string | undefined): FakeSalesforceError | undefined {
    const failure = this.failures.take(scope, orgId);
    return failure && resolveFailure(failure);
  }

  /** While on, every request answers this status with an HTML page. */
  setOutage(on: boolean, status = 503): void {
    this.outage = on ? { status } : undefined;
  }
}
