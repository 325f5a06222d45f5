import crypto from 'node:crypto';
import { signInstallationMetadata } from '../../connectors/zendesk/metadata';
import { zendeskConnector } from '../../connectors/zendesk/zendesk-connector';
import type { ZendeskCredentials } from '../../connectors/zendesk/zendesk-settings';
import type { Connector } from '../../core/connectors/define-connector';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureOAuthClient, startZendeskFake, type FakeAccount, type PushInstance, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { freePort } from '../send/send-harness';
import { fixtureText } from '../support/fixtures';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

export { waitFor };

/** A WhatsApp business number besides the fixture one, registered at the Meta fake and in Threadline. */
export interface WhatsAppNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
  verifiedName?: string;
}

export interface ZendeskWorldOptions {
  /** The Zendesk fake's accounts; default `acme`. */
  accounts?: string[];
  otherNumbers?: WhatsAppNumber[];
  /** `false`: the HTTP server only. */
  worker?: false;
  /** Registered besides Zendesk, e.g. the test connector as another platform that writes to customers. */
  otherConnectors?: readonly Connector[];
}

export interface InstallOptions {
  /** Default: the subdomain. */
  accountId?: string;
  /** Default: the fixture number. */
  phoneNumberId?: string;
  /** More settings (tags, groupId, …). */
  config?: Record<string, unknown>;
  /** More credentials, e.g. the REST pair of `authorisedPair`. */
  credentials?: Partial<ZendeskCredentials>;
  /** Installs this integration account again (re-authorising) rather than a new one. */
  instance?: PushInstance;
  metadataKey?: string;
  /** The fake posts this instance's event callbacks to Threadline. */
  eventCallbacks?: boolean;
}

export interface ZendeskAccountInstall {
  subdomain: string;
  installationId: string;
  /** 201 created, 200 the same account installed again. */
  status: number;
  instance: PushInstance;
  metadataKey: string;
  /** What Zendesk sends back on channelback: the installation id, signed. */
  metadata: string;
}

/**
 * The real runtime (server and worker) between the Meta and Zendesk fakes, configured as an operator
 * would: PUBLIC_URL is the server's own address (so the media URLs and manifest it hands Zendesk work),
 * the global OAuth client is set and its redirect registered at the fake, and the fixture number (plus
 * `otherNumbers`) is connected. Installing Zendesk accounts is left to each test.
 */
export interface ZendeskWorld {
  rt: TestRuntime;
  meta: MetaFake;
  zendesk: ZendeskFake;
  account(subdomain: string): FakeAccount;
  /** An installation through the admin API, as the install flow would leave it. */
  install(subdomain: string, options?: InstallOptions): Promise<ZendeskAccountInstall>;
  /** A customer's text, signed as Meta; `secondsAgo` defaults to 60. */
  customerWrites(m: { from: string; wamid: string; body: string; secondsAgo?: number }): Promise<void>;
  /** An inbound fixture for a customer, signed as Meta; `target` replaces the message it reacts or replies to; `to` is the business number. */
  customerSends(fixture: string, m: { from: string; wamid: string; secondsAgo?: number; target?: string; to?: WhatsAppNumber }): Promise<void>;
  /** Whether the message reached that account's Zendesk as a resource. */
  pushed(subdomain: string, wamid: string): boolean;
  /** The thread a message was pushed with, found through its ticket. */
  threadOf(subdomain: string, wamid: string): string;
  /** Waits until the message reached Zendesk, then its ticket and thread. */
  pushedResource(subdomain: string, wamid: string): Promise<{ ticketId: number; threadId: string }>;
  /** Stops everything and restores the environment. */
  close(): Promise<void>;
}

/** The REST pair the install flow stores once an admin authorises (reference §3). */
export function authorisedPair(account: FakeAccount): Required<Pick<ZendeskCredentials, 'accessToken' | 'refreshToken' | 'accessTokenExpiresAt'>> {
  const pair = account.oauth.issuePair(fixtureOAuthClient.clientId, ['read', 'write'], 1800, 2_592_000);
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token, accessTokenExpiresAt: new Date(Date.now() + 1800_000).toISOString() };
}

const ZENDESK_ENV = ['ZENDESK_API_BASE', 'ZENDESK_CLIENT_ID', 'ZENDESK_CLIENT_SECRET'] as const;

/** Points the settings the connector reads from the environment at the fake; returns the restore. */
export function useZendeskEnv(apiBase: string): () => void {
  const saved = ZENDESK_ENV.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, { ZENDESK_API_BASE: apiBase, ZENDESK_CLIENT_ID: fixtureOAuthClient.clientId, ZENDESK_CLIENT_SECRET: fixtureOAuthClient.secret });
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

export async function startZendeskWorld(options: ZendeskWorldOptions = {}): Promise<ZendeskWorld> {
  const zendesk = await startZendeskFake({ accounts: options.accounts ?? ['acme'] });
  const restoreEnv = useZendeskEnv(zendesk.apiBase);
  let meta: MetaFake | undefined;
  let rt: TestRuntime | undefined;
  const close = async () => {
    await zendesk.flushEventCallbacks();
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await zendesk.stop();
    restoreEnv();
  };
  try {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    zendesk.state.addOAuthClient({ redirectUris: [`${publicUrl}/connectors/zendesk/oauth/callback`] });
    const metaFake = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `${publicUrl}/webhooks/whatsapp` });
    meta = metaFake;
    metaFake.state.addFixtureMedia();
    const otherNumbers = (options.otherNumbers ?? []).map((n) => metaFake.state.addNumber({ verifiedName: `Business ${n.displayPhoneNumber}`, ...n }));
    rt = await startTestRuntime({
      config: {
        whatsappApiBase: metaFake.baseUrl, port, publicUrl,
        zendesk: { clientId: fixtureOAuthClient.clientId, clientSecret: fixtureOAuthClient.secret, apiBase: zendesk.apiBase },
      },
      worker: options.worker ?? { pollIntervalMs: 50, ioConcurrency: 4 },
      connectors: [zendeskConnector, ...(options.otherConnectors ?? [])],
    });
    for (const number of [fixtureNumber, ...otherNumbers]) {
      const res = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
        .send({ phone_number_id: number.phoneNumberId, waba_id: number.wabaId, access_token: number.accessToken, read_receipts: 'never' });
      if (res.status !== 201) throw new Error(`number not registered: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return worldOf(zendesk, metaFake, rt, publicUrl, close);
  } catch (err) {
    await close();
    throw err;
  }
}

function worldOf(zendesk: ZendeskFake, meta: MetaFake, rt: TestRuntime, publicUrl: string, close: () => Promise<void>): ZendeskWorld {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const post = async (body: string) => {
    const res = await rt.postWebhook(body);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  const account = (subdomain: string) => zendesk.state.account(subdomain);
  const pushed = (subdomain: string, wamid: string) => account(subdomain).resources.has(`wa:${wamid}`);
  const resourceOf = (subdomain: string, wamid: string): { ticketId: number; threadId: string } => {
    const resource = account(subdomain).resources.get(`wa:${wamid}`);
    const threadId = resource && [...account(subdomain).threads.entries()].find(([, ticketId]) => ticketId === resource.ticketId)?.[0];
    if (!resource || threadId === undefined) throw new Error(`no thread for ${wamid} in ${subdomain}`);
    return { ticketId: resource.ticketId, threadId };
  };

  return {
    rt, meta, zendesk, account, pushed, close,
    threadOf: (subdomain, wamid) => resourceOf(subdomain, wamid).threadId,
    async install(subdomain, o = {}) {
      const instance = o.instance ?? zendesk.state.addPushInstance(subdomain, o.eventCallbacks ? { eventCallbackUrl: `${publicUrl}/connectors/zendesk/events` } : {});
      const metadataKey = o.metadataKey ?? crypto.randomBytes(32).toString('hex');
      const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
        connector: 'zendesk',
        account_id: o.accountId ?? subdomain,
        config: { subdomain, instancePushId: instance.instancePushId, phoneNumberId: o.phoneNumberId ?? fixtureNumber.phoneNumberId, ...o.config },
        credentials: { pushToken: instance.token, metadataKey, ...o.credentials },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`installation not saved: ${res.status} ${JSON.stringify(res.body)}`);
      const installationId: string = res.body.id;
      const metadata = signInstallationMetadata(installationId, metadataKey);
      // What the admin UI would have handed back to Zendesk: lets the fake's agents reply by channelback.
      instance.channelbackUrl = `${publicUrl}/connectors/zendesk/channelback`;
      instance.metadata = metadata;
      return { subdomain, installationId, status: res.status, instance, metadataKey, metadata };
    },
    async customerWrites(m) {
      await post(textWebhook({ wamid: m.wamid, from: m.from, name: `Customer ${m.from}`, timestamp: nowSeconds() - (m.secondsAgo ?? 60), body: m.body }));
    },
    async customerSends(fixture, m) {
      let body = fixtureText(fixture)
        .replaceAll('15550001111', m.from)
        .replace(/"id": "wamid\.FAKE_IN_[A-Z_0-9]+"/, `"id": "${m.wamid}"`)
        .replace(/"timestamp": "\d+"/, `"timestamp": "${nowSeconds() - (m.secondsAgo ?? 30)}"`);
      if (m.target !== undefined) body = body.replaceAll('wamid.FAKE_OUTBOUND_0001', m.target);
      if (m.to !== undefined) body = body.replace(`"phone_number_id": "${fixtureNumber.phoneNumberId}"`, `"phone_number_id": "${m.to.phoneNumberId}"`);
      await post(body);
    },
    async pushedResource(subdomain, wamid) {
      await waitFor(() => pushed(subdomain, wamid), `${wamid} on a ${subdomain} ticket`);
      return resourceOf(subdomain, wamid);
    },
  };
}
