import crypto from 'node:crypto';
import type { SalesforceInstallation } from '../../connectors/salesforce/client/salesforce-call';
import type { SalesforceOAuthApp } from '../../connectors/salesforce/oauth/oauth-app';
import { salesforceConnector } from '../../connectors/salesforce/salesforce-connector';
import { salesforceConfigSchema, salesforceCredentialsSchema, type SalesforceConfig, type SalesforceCredentials } from '../../connectors/salesforce/salesforce-settings';
import { parseInstallation } from '../../core/connectors/define-connector';
import { openInstallation } from '../../core/connectors/open-installation';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import type { MetaFake } from '../fakes/meta/meta-fake';
import { startSalesforceFake, type OrgInit, type SalesforceFake } from '../fakes/salesforce/salesforce-fake';
import { freePort } from '../send/send-harness';
import { startPlatformRuntime } from '../support/platform-runtime';
import type { TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

export { waitFor };

export interface SalesforceWorldOptions {
  /** The fake's orgs; default two production orgs. */
  orgs?: OrgInit[];
  /** The package namespace the fake's org sees (default 'threadline', as the installation's default). */
  namespace?: string;
  /** `false`: the HTTP server only. */
  worker?: false;
  /** How long an org with a spent API quota rests (SALESFORCE_QUOTA_RETRY_MS); default 300 ms here. */
  quotaRetryMs?: number;
}

/**
 * The real runtime (server and worker, every connector of the build) between the Meta and Salesforce fakes,
 * configured as an operator would: PUBLIC_URL is the server's own address, SALESFORCE_* point at the fake (in the
 * config and in the environment, which the sync engine's token refresh reads), the fake's External Client App has
 * our callback URL, and the fixture WhatsApp number is connected.
 */
export interface SalesforceWorld {
  rt: TestRuntime;
  meta: MetaFake;
  salesforce: SalesforceFake;
  publicUrl: string;
  app: SalesforceOAuthApp;
  /** The fake's org ids, in the order of `options.orgs`. */
  orgIds: string[];
  /** An installation straight through the admin API, with tokens the fake issued (no OAuth dance). */
  install(orgId: string, options?: { config?: Partial<SalesforceConfig>; calloutKey?: string }): Promise<string>;
  /** An installation as a capability sees it: settings and credentials parsed, `updateCredentials` bound. */
  installation(installationId: string): Promise<SalesforceInstallation>;
  /** What is stored now (sealed at rest, opened here). */
  storedCredentials(installationId: string): Promise<SalesforceCredentials>;
  close(): Promise<void>;
}

const SALESFORCE_ENV = ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET', 'SALESFORCE_LOGIN_URL', 'SALESFORCE_SANDBOX_LOGIN_URL', 'SALESFORCE_MY_DOMAIN_URL', 'SALESFORCE_QUOTA_RETRY_MS'] as const;

/** Points the settings the connector reads from the environment at the fake; returns the restore. */
export function useSalesforceEnv(salesforce: SalesforceFake, quotaRetryMs: number): () => void {
  const saved = SALESFORCE_ENV.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, {
    SALESFORCE_CLIENT_ID: salesforce.state.app.clientId, SALESFORCE_CLIENT_SECRET: salesforce.state.app.clientSecret,
    SALESFORCE_LOGIN_URL: salesforce.loginUrl, SALESFORCE_SANDBOX_LOGIN_URL: salesforce.sandboxLoginUrl, SALESFORCE_MY_DOMAIN_URL: salesforce.myDomainUrl('{domain}'),
    SALESFORCE_QUOTA_RETRY_MS: String(quotaRetryMs),
  });
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** A new org callout key, as the install generates one: 32 random bytes, base64url. */
export function newCalloutKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export async function startSalesforceWorld(options: SalesforceWorldOptions = {}): Promise<SalesforceWorld> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const salesforce = await startSalesforceFake({
    orgs: options.orgs ?? [{}, {}],
    namespace: options.namespace ?? 'threadline',
    app: { callbackUrls: [`${publicUrl}/connectors/salesforce/oauth/callback`] },
  });
  const restoreEnv = useSalesforceEnv(salesforce, options.quotaRetryMs ?? 300);
  const app: SalesforceOAuthApp = {
    clientId: salesforce.state.app.clientId, clientSecret: salesforce.state.app.clientSecret,
    loginUrl: salesforce.loginUrl, sandboxLoginUrl: salesforce.sandboxLoginUrl, myDomainUrl: salesforce.myDomainUrl('{domain}'),
  };
  const { rt, meta, close } = await startPlatformRuntime({
    port, config: { salesforce: app }, connectors: [salesforceConnector], worker: options.worker,
    stopPlatform: async () => {
      await salesforce.stop();
      restoreEnv();
    },
  });
  return worldOf(rt, meta, salesforce, publicUrl, app, close);
}

function worldOf(rt: TestRuntime, meta: MetaFake, salesforce: SalesforceFake, publicUrl: string, app: SalesforceOAuthApp, close: () => Promise<void>): SalesforceWorld {
  const storedCredentials = async (installationId: string) => {
    const row: { credentials_sealed: string } = await rt.db('installation').where({ id: installationId }).first('credentials_sealed');
    return salesforceCredentialsSchema.parse(JSON.parse(rt.secrets.open(row.credentials_sealed)));
  };
  return {
    rt, meta, salesforce, publicUrl, app, close, storedCredentials,
    orgIds: [...salesforce.state.orgs.keys()],
    async install(orgId, o = {}) {
      const org = salesforce.state.org(orgId);
      const { accessToken, refreshToken } = salesforce.state.issueTokens(orgId);
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'salesforce',
        account_id: orgId,
        config: { orgId, userId: org.userId, namespace: salesforce.state.namespace ?? '', ...o.config },
        credentials: {
          accessToken, refreshToken,
          instanceUrl: salesforce.instanceUrlFor(orgId),
          loginUrl: org.sandbox ? salesforce.sandboxLoginUrl : salesforce.loginUrl,
          refreshedAt: new Date(salesforce.state.now()).toISOString(),
          calloutKey: o.calloutKey ?? newCalloutKey(),
        } satisfies SalesforceCredentials,
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`installation not saved: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async installation(installationId) {
      const opened = await openInstallation(rt, rt.workspace.id, installationId);
      if (!opened.ok) throw new Error(opened.message);
      const parsed = parseInstallation({ displayName: 'Salesforce', configSchema: salesforceConfigSchema, credentialsSchema: salesforceCredentialsSchema }, opened.record);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.installation;
    },
  };
}
