import crypto from 'node:crypto';
import { zendeskConnector } from '../../connectors/zendesk/zendesk-connector';
import { signInstallationMetadata } from '../../connectors/zendesk/metadata';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import { freePort } from '../send/send-harness';
import { fixtureText } from '../support/fixtures';
import { waitFor } from '../sync/sync-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';

/** A second WhatsApp number, served by another Zendesk account (globex). */
export const OTHER_NUMBER = { phoneNumberId: '100000000000077', displayPhoneNumber: '15550007777' };

export interface ZendeskAccountInstall {
  subdomain: string;
  installationId: string;
  /** What Zendesk sends back on channelback: the installation id, signed. */
  metadata: string;
}

/**
 * The real runtime (server and worker) between the Meta and Zendesk fakes, with two WhatsApp numbers
 * and two Zendesk accounts: acme serves the fixture number, globex the other one. PUBLIC_URL is the
 * server's own address, so the signed media URLs it hands Zendesk can be fetched by the test.
 */
export interface ZendeskMediaWorld {
  rt: TestRuntime;
  meta: MetaFake;
  zendesk: ZendeskFake;
  acme: ZendeskAccountInstall;
  globex: ZendeskAccountInstall;
  /** Posts an inbound fixture for a customer, signed as Meta; `to` is the business number (default acme's). */
  customerSends(fixture: string, m: { from: string; wamid: string; secondsAgo?: number; target?: string; to?: typeof OTHER_NUMBER }): Promise<void>;
  customerWrites(m: { from: string; wamid: string; body: string; secondsAgo?: number }): Promise<void>;
  /** Waits until the message's resource reached Zendesk, and returns it. */
  pushedResource(subdomain: string, wamid: string): Promise<{ ticketId: number; threadId: string }>;
  close(): Promise<void>;
}

export async function startZendeskMediaWorld(): Promise<ZendeskMediaWorld> {
  const previousApiBase = process.env.ZENDESK_API_BASE;
  const zendesk = await startZendeskFake({ accounts: ['acme', 'globex'] });
  process.env.ZENDESK_API_BASE = zendesk.apiBase;
  const port = await freePort();
  const meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
  meta.state.addFixtureMedia();
  meta.state.addNumber({ ...OTHER_NUMBER, verifiedName: 'Globex Support' });
  const rt = await startTestRuntime({
    config: { whatsappApiBase: meta.baseUrl, port, publicUrl: `http://127.0.0.1:${port}` },
    worker: { pollIntervalMs: 50, ioConcurrency: 4 },
    connectors: [zendeskConnector],
  });
  for (const number of [fixtureNumber, { ...fixtureNumber, ...OTHER_NUMBER, accessToken: `fake-token-${OTHER_NUMBER.phoneNumberId}` }]) {
    const res = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: number.phoneNumberId, waba_id: number.wabaId, access_token: number.accessToken, read_receipts: 'never' });
    if (res.status !== 201) throw new Error(`number not registered: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const install = async (subdomain: string, phoneNumberId: string): Promise<ZendeskAccountInstall> => {
    const instance = zendesk.state.addPushInstance(subdomain);
    const metadataKey = crypto.randomBytes(32).toString('hex');
    const res = await rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
      connector: 'zendesk', account_id: subdomain,
      config: { subdomain, instancePushId: instance.instancePushId, phoneNumberId },
      credentials: { pushToken: instance.token, metadataKey },
    });
    if (res.status !== 201) throw new Error(`installation not created: ${res.status} ${JSON.stringify(res.body)}`);
    return { subdomain, installationId: res.body.id, metadata: signInstallationMetadata(res.body.id, metadataKey) };
  };
  const acme = await install('acme', fixtureNumber.phoneNumberId);
  const globex = await install('globex', OTHER_NUMBER.phoneNumberId);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const post = async (body: string) => {
    const res = await rt.postWebhook(body);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  return {
    rt, meta, zendesk, acme, globex,
    async customerSends(fixture, m) {
      let body = fixtureText(fixture)
        .replaceAll('15550001111', m.from)
        .replace(/"id": "wamid\.FAKE_IN_[A-Z_0-9]+"/, `"id": "${m.wamid}"`)
        .replace(/"timestamp": "\d+"/, `"timestamp": "${nowSeconds() - (m.secondsAgo ?? 30)}"`);
      if (m.target !== undefined) body = body.replaceAll('wamid.FAKE_OUTBOUND_0001', m.target);
      if (m.to !== undefined) body = body.replace('"phone_number_id": "100000000000002"', `"phone_number_id": "${m.to.phoneNumberId}"`);
      await post(body);
    },
    async customerWrites(m) {
      await post(textWebhook({ wamid: m.wamid, from: m.from, name: `Customer ${m.from}`, timestamp: nowSeconds() - (m.secondsAgo ?? 60), body: m.body }));
    },
    async pushedResource(subdomain, wamid) {
      const account = zendesk.state.account(subdomain);
      await waitFor(() => account.resources.has(`wa:${wamid}`), `${wamid} on a ${subdomain} ticket`);
      const resource = account.resources.get(`wa:${wamid}`);
      const threadId = [...account.threads.entries()].find(([, ticketId]) => ticketId === resource?.ticketId)?.[0];
      if (!resource || threadId === undefined) throw new Error(`no thread for ${wamid}`);
      return { ticketId: resource.ticketId, threadId };
    },
    async close() {
      await meta.flushWebhooks();
      await rt.close();
      await meta.stop();
      await zendesk.stop();
      if (previousApiBase === undefined) delete process.env.ZENDESK_API_BASE;
      else process.env.ZENDESK_API_BASE = previousApiBase;
    },
  };
}
