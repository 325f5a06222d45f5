import type { RequestRecord } from '../common/request-log';
import crypto from 'node:crypto';
import { FakeAccount, type PushInstance } from './fake-account';
import type { FakeOAuthClient } from './oauth-store';
import { resolveFailure, type FakeZendeskError, type ScriptedFailure } from './zendesk-errors';

/** Which routes a scripted failure applies to. */
export type FailureScope = 'api' | 'push' | 'oauth' | 'any';

/** `path` is inside the account, `.json` suffix removed (e.g. `/api/v2/users/create_or_update`). */
export interface RecordedRequest extends RequestRecord {
  subdomain: string;
  token: string | undefined;
}

export interface DeliveredEventCallback {
  url: string;
  body: { events: unknown[] };
  status: number | undefined;
  error: string | undefined;
}

/** The global OAuth client the fixtures use (§3: global clients start with `zdg-`). */
export const fixtureOAuthClient: FakeOAuthClient = {
  clientId: 'zdg-threadline',
  secret: 'fake-oauth-client-secret',
  redirectUris: ['http://127.0.0.1/connectors/zendesk/oauth/callback'],
  defaultExpiresIn: 1800,
  defaultRefreshExpiresIn: 2_592_000,
};

/** Everything the fake knows and has seen. Tests arrange through its methods and assert on its fields. */
export class ZendeskFakeState {
  readonly accounts = new Map<string, FakeAccount>();
  readonly oauthClients = new Map<string, FakeOAuthClient>();
  readonly requests: RecordedRequest[] = [];
  readonly eventCallbacks: DeliveredEventCallback[] = [];
  /** Every `report_error` call (§1.4), in order. */
  readonly reportedErrors: Array<{ subdomain: string; body: unknown }> = [];
  outage: { status: number } | undefined;
  private readonly failures: Array<{ scope: FailureScope; subdomain: string | undefined; failure: ScriptedFailure; retryAfterSeconds: number }> = [];
  private clockOffsetMs = 0;

  /** Milliseconds on the fake's clock: real time plus `advanceTime`. Token expiry and rate windows use it. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceTime(ms: number): void {
    this.clockOffsetMs += ms;
  }

  addAccount(subdomain: string): FakeAccount {
    const account = new FakeAccount(subdomain, () => this.now());
    this.accounts.set(subdomain, account);
    return account;
  }

  account(subdomain: string): FakeAccount {
    const found = this.accounts.get(subdomain);
    if (!found) throw new Error(`Zendesk fake has no account ${subdomain}`);
    return found;
  }

  addOAuthClient(init: Partial<FakeOAuthClient> = {}): FakeOAuthClient {
    const client = { ...fixtureOAuthClient, ...init };
    this.oauthClients.set(client.clientId, client);
    return client;
  }

  /** An installed Channel framework integration account: the instance_push_id and push token the admin UI gets. */
  addPushInstance(subdomain: string, init: Partial<PushInstance> = {}): PushInstance {
    const instance: PushInstance = {
      instancePushId: init.instancePushId ?? crypto.randomUUID(),
      token: init.token ?? `fake-push-${crypto.randomBytes(12).toString('hex')}`,
      integrationName: init.integrationName ?? 'Threadline WhatsApp',
      eventCallbackUrl: init.eventCallbackUrl,
    };
    this.account(subdomain).pushInstances.set(instance.instancePushId, instance);
    return instance;
  }

  /**
   * The next `count` matching requests get this answer instead of being processed. Scope 'api' is the REST
   * API (users, tickets), 'push' the any_channel endpoints, 'oauth' the token endpoint; `subdomain` narrows it.
   */
  failNext(count: number, failure: ScriptedFailure, options: { scope?: FailureScope; subdomain?: string; retryAfterSeconds?: number } = {}): void {
    for (let i = 0; i < count; i += 1) {
      this.failures.push({ scope: options.scope ?? 'any', subdomain: options.subdomain, failure, retryAfterSeconds: options.retryAfterSeconds ?? 7 });
    }
  }

  takeFailure(scope: Exclude<FailureScope, 'any'>, account: FakeAccount): FakeZendeskError | undefined {
    const index = this.failures.findIndex((f) => (f.scope === 'any' || f.scope === scope) && (f.subdomain === undefined || f.subdomain === account.subdomain));
    if (index < 0) return undefined;
    const [taken] = this.failures.splice(index, 1);
    return taken && resolveFailure(taken.failure, taken.retryAfterSeconds, account.rateLimitPerMinute);
  }

  /** While on, every request answers this status with a non-JSON body, as a load balancer does. */
  setOutage(on: boolean, status = 503): void {
    this.outage = on ? { status } : undefined;
  }
}
