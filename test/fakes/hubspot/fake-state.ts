import type { RequestRecord } from '../common/request-log';
import crypto from 'node:crypto';
import { FakePortal, type PortalInit } from './fake-portal';
import { FailureScript } from '../common/failure-script';
import { resolveFailure, type FakeHubSpotError, type ScriptedFailure } from './hubspot-errors';
import { OAuthStore, type FakeApp } from './oauth-store';
import { projectScopes } from './project-app';

/** Which requests a scripted failure applies to: CRM and other API routes, CRM search, the OAuth token endpoints. */
export type FailureScope = 'api' | 'search' | 'oauth' | 'any';

export interface RecordedRequest extends RequestRecord {
  /** The portal of the token, once authenticated. */
  portalId: number | undefined;
  token: string | undefined;
}

export interface WebhookDelivery {
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | undefined;
  error: string | undefined;
}

export interface CallbackCompletion {
  callbackId: string;
  portalId: number;
  outputFields: Record<string, unknown>;
}

/** The app the fixtures use: the shipped project's scopes (app-hsmeta.json, reference §1.4). */
export const fixtureApp: FakeApp = {
  appId: 3_000_001,
  clientId: 'fake-hubspot-client-id',
  clientSecret: 'fake-hubspot-client-secret',
  redirectUrls: ['http://127.0.0.1/connectors/hubspot/oauth/callback'],
  ...projectScopes(),
  accessTokenTtlSeconds: 1800,
  rotateRefreshTokens: false,
};

/** Everything the fake knows and has seen. Tests arrange through its methods and assert on its fields. */
export class HubSpotFakeState {
  readonly app: FakeApp;
  readonly oauth: OAuthStore;
  readonly portals = new Map<number, FakePortal>();
  readonly requests: RecordedRequest[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  /** Workflow-action callbacks handed out by `workflowActionRequest`, awaiting completion. */
  readonly openCallbacks = new Map<string, number>();
  readonly callbackCompletions: CallbackCompletion[] = [];
  /** Optional fields of the token answer to leave out (§1.2: `hub_id`, `user_id`, `scopes` are optional): clients then introspect. */
  readonly tokenAnswerOmits = new Set<'hub_id' | 'user_id' | 'scopes'>();
  /** The portal the authorize page installs into when the URL does not pin one (default: the first). */
  installingPortalId: number | undefined;
  outage: { status: number } | undefined;
  private readonly failures = new FailureScript<Exclude<FailureScope, 'any'>, number, ScriptedFailure>();
  private clockOffsetMs = 0;
  private lastId = 50_000_000_000;

  constructor(app: Partial<FakeApp> = {}) {
    this.app = { ...fixtureApp, ...app };
    this.oauth = new OAuthStore(this.app, () => this.now());
  }

  /** Milliseconds on the fake's clock: real time plus `advanceTime`. Token expiry, indexing and rate windows use it. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  addPortal(init: PortalInit): FakePortal {
    // Ids are unique across portals, so another portal's id is a 404 rather than someone else's record.
    const portal = new FakePortal(init, () => this.now(), () => String((this.lastId += 1)));
    this.portals.set(portal.portalId, portal);
    this.installingPortalId ??= portal.portalId;
    return portal;
  }

  portal(portalId: number): FakePortal {
    const found = this.portals.get(portalId);
    if (!found) throw new Error(`HubSpot fake has no portal ${portalId}`);
    return found;
  }

  /** An installed app's access token without the OAuth dance (default: the app's required scopes). */
  issueToken(portalId: number, scopes: string[] = this.app.requiredScopes): string {
    const portal = this.portal(portalId);
    return this.oauth.issueAccessToken({ portalId, userId: portal.userId, scopes }).token;
  }

  /** The customer uninstalls the app in HubSpot (Settings → Connected apps): tokens die, refresh fails (§1.5). */
  uninstall(portalId: number): void {
    this.portal(portalId).installed = false;
    this.oauth.revokePortal(portalId);
  }

  /**
   * The next `count` matching requests get this answer instead of being processed. Scope 'api' is every API
   * route but search, 'search' CRM search, 'oauth' the token endpoints; `portalId` narrows it (not for 'oauth').
   */
  failNext(count: number, failure: ScriptedFailure, options: { scope?: FailureScope; portalId?: number } = {}): void {
    this.failures.add(count, failure, options.scope ?? 'any', options.portalId);
  }

  takeFailure(scope: Exclude<FailureScope, 'any'>, portalId: number | undefined): FakeHubSpotError | undefined {
    const failure = this.failures.take(scope, portalId);
    return failure && resolveFailure(failure);
  }

  /** While on, every request answers this status with an HTML page, as an edge proxy does. */
  setOutage(on: boolean, status = 503): void {
    this.outage = on ? { status } : undefined;
  }

  /** A callback id HubSpot would put in a workflow-action request, to be completed by the app later. */
  openCallback(portalId: number): string {
    const callbackId = `ap-${crypto.randomInt(1e9)}-${crypto.randomInt(1e9)}-${crypto.randomInt(1e6)}`;
    this.openCallbacks.set(callbackId, portalId);
    return callbackId;
  }
}
