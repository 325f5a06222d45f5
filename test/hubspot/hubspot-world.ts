import { hubspotConnector } from '../../connectors/hubspot/hubspot-connector';
import { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from '../../connectors/hubspot/hubspot-settings';
import type { HubSpotOAuthApp } from '../../connectors/hubspot/oauth/oauth-app';
import type { Installation } from '../../core/connectors/contract';
import { parseInstallation } from '../../core/connectors/define-connector';
import { openInstallation } from '../../core/connectors/open-installation';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import type { MetaFake } from '../fakes/meta/meta-fake';
import { startHubSpotFake, type CrmEvent, type HubSpotFake, type PortalInit } from '../fakes/hubspot/hubspot-fake';
import { freePort } from '../send/send-harness';
import { browser, type Browser, type Page } from '../support/browser';
import { startPlatformRuntime } from '../support/platform-runtime';
import type { TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

export { waitFor };

export type HubSpotInstallation = Installation<HubSpotConfig, HubSpotCredentials>;

export interface HubSpotWorldOptions {
  /** The HubSpot fake's portals; default 62515 and 77001. */
  portals?: Array<number | PortalInit>;
  /** Refresh tokens rotate on every refresh (HubSpot's default: they do not). */
  rotateRefreshTokens?: boolean;
  /** `false`: the HTTP server only. */
  worker?: false;
}

export interface OAuthInstall {
  /** The callback's page: 201 installed, 200 installed again, else the refusal. */
  page: Page;
  installationId: string | undefined;
}

/**
 * The real runtime (server and worker, every connector of the build) between the Meta and HubSpot fakes,
 * configured as an operator would: PUBLIC_URL is the server's own address, HUBSPOT_* point at the fake (in the
 * config and in the environment, which the sync engine's token refresh reads), the fake's app has our
 * callback as redirect URL, and the fixture WhatsApp number is connected.
 */
export interface HubSpotWorld {
  rt: TestRuntime;
  meta: MetaFake;
  hubspot: HubSpotFake;
  publicUrl: string;
  app: HubSpotOAuthApp;
  /** A connect code for HubSpot from the admin API. */
  connectCode(): Promise<string>;
  browser(): Browser;
  /** The whole install as an admin clicks through it: code page, connect code, HubSpot's authorize page, callback. */
  installThroughOAuth(options?: { portalId?: number; browser?: Browser }): Promise<OAuthInstall>;
  /** An installation straight through the admin API, with a token the fake issued (no OAuth dance). */
  install(portalId: number, options?: { config?: Partial<HubSpotConfig>; accessTokenExpiresAt?: Date }): Promise<string>;
  /** An installation as a capability sees it: settings and credentials parsed, `updateCredentials` bound. */
  installation(installationId: string): Promise<HubSpotInstallation>;
  /** What is stored now (sealed at rest, opened here). */
  storedCredentials(installationId: string): Promise<HubSpotCredentials>;
  /** CRM webhook events delivered as HubSpot does (v1 + v3 signed), to our webhook URL. */
  deliverEvents(events: CrmEvent[], options?: { duplicates?: number }): ReturnType<HubSpotFake['outbound']['deliverCrmEvents']>;
  close(): Promise<void>;
}

const HUBSPOT_ENV = ['HUBSPOT_API_BASE', 'HUBSPOT_AUTH_BASE', 'HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'HUBSPOT_APP_ID'] as const;

/** Points the settings the connector reads from the environment at the fake; returns the restore. */
export function useHubSpotEnv(hubspot: HubSpotFake): () => void {
  const saved = HUBSPOT_ENV.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, {
    HUBSPOT_API_BASE: hubspot.apiBase, HUBSPOT_AUTH_BASE: hubspot.authBase, HUBSPOT_CLIENT_ID: hubspot.state.app.clientId,
    HUBSPOT_CLIENT_SECRET: hubspot.state.app.clientSecret, HUBSPOT_APP_ID: String(hubspot.state.app.appId),
  });
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

export async function startHubSpotWorld(options: HubSpotWorldOptions = {}): Promise<HubSpotWorld> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const hubspot = await startHubSpotFake({
    portals: options.portals ?? [62515, 77001],
    app: { redirectUrls: [`${publicUrl}/connectors/hubspot/oauth/callback`], rotateRefreshTokens: options.rotateRefreshTokens ?? false },
  });
  const restoreEnv = useHubSpotEnv(hubspot);
  const app: HubSpotOAuthApp = {
    clientId: hubspot.state.app.clientId, clientSecret: hubspot.state.app.clientSecret, appId: hubspot.state.app.appId, apiBase: hubspot.apiBase, authBase: hubspot.authBase,
  };
  const { rt, meta, close } = await startPlatformRuntime({
    port, config: { hubspot: app }, connectors: [hubspotConnector], worker: options.worker,
    stopPlatform: async () => {
      await hubspot.stop();
      restoreEnv();
    },
  });
  return worldOf(rt, meta, hubspot, publicUrl, app, close);
}

function worldOf(rt: TestRuntime, meta: MetaFake, hubspot: HubSpotFake, publicUrl: string, app: HubSpotOAuthApp, close: () => Promise<void>): HubSpotWorld {
  const installUrl = `${publicUrl}/connectors/hubspot/install`;
  const connectCode = async () => {
    const res = await rt.http().post('/api/v1/hubspot/connect-codes').set('authorization', ADMIN_AUTH).send({});
    if (res.status !== 201) throw new Error(`no connect code: ${res.status}`);
    return res.body.code as string;
  };
  const storedCredentials = async (installationId: string) => {
    const row: { credentials_sealed: string } = await rt.db('installation').where({ id: installationId }).first('credentials_sealed');
    return hubspotCredentialsSchema.parse(JSON.parse(rt.secrets.open(row.credentials_sealed)));
  };
  return {
    rt, meta, hubspot, publicUrl, app, close, connectCode, browser, storedCredentials,
    async installThroughOAuth(o = {}) {
      if (o.portalId !== undefined) hubspot.state.installingPortalId = o.portalId;
      const b = o.browser ?? browser();
      const codePage = await b.get(installUrl);
      if (codePage.status !== 200 || codePage.csrf === undefined) throw new Error(`install page: ${codePage.status}`);
      const toHubSpot = await b.post(installUrl, { csrf: codePage.csrf, connect_code: await connectCode() });
      if (toHubSpot.status !== 302 || toHubSpot.location === undefined) throw new Error(`no redirect to HubSpot: ${toHubSpot.status} ${toHubSpot.html}`);
      const consent = await b.get(toHubSpot.location);
      if (consent.status !== 302 || consent.location === undefined) throw new Error(`HubSpot refused the install: ${consent.status} ${consent.html}`);
      const page = await b.get(consent.location);
      const portalId = o.portalId ?? hubspot.state.installingPortalId;
      const row: { id: string } | undefined = page.status < 300 ? await rt.db('installation').where({ connector: 'hubspot', account_id: String(portalId) }).first('id') : undefined;
      return { page, installationId: row?.id };
    },
    async install(portalId, o = {}) {
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'hubspot',
        account_id: String(portalId),
        config: { portalId, grantedScopes: hubspot.state.app.requiredScopes, ...o.config },
        credentials: {
          accessToken: hubspot.state.issueToken(portalId),
          // A refresh token the fake knows, as the OAuth flow would have left.
          refreshToken: hubspot.state.oauth.issueRefreshToken({ portalId, userId: hubspot.state.portal(portalId).userId, scopes: hubspot.state.app.requiredScopes }).token,
          accessTokenExpiresAt: (o.accessTokenExpiresAt ?? new Date(hubspot.state.now() + 1_800_000)).toISOString(),
        },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`installation not saved: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async installation(installationId) {
      const opened = await openInstallation(rt, rt.workspace.id, installationId);
      if (!opened.ok) throw new Error(opened.message);
      const parsed = parseInstallation({ displayName: 'HubSpot', configSchema: hubspotConfigSchema, credentialsSchema: hubspotCredentialsSchema }, opened.record);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.installation;
    },
    deliverEvents: (events, o = {}) => hubspot.outbound.deliverCrmEvents(`${publicUrl}/connectors/hubspot/webhooks`, events, { duplicates: o.duplicates ?? 0 }),
  };
}
