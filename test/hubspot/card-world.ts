import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubspotCardRoutes } from '../../connectors/hubspot/card';
import { CONTACT_LINK_TYPE } from '../../connectors/hubspot/contact-link';
import { HUBSPOT_CONNECTOR_ID } from '../../connectors/hubspot/hubspot-id';
import { hubspotConnector } from '../../connectors/hubspot/hubspot-connector';
import { hubspotWorkflowRoutes } from '../../connectors/hubspot/workflow';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { saveLinks } from '../../core/sync/external-links';
import { createApp } from '../../server/app';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startHubSpotFake, type HubSpotFake } from '../fakes/hubspot/hubspot-fake';
import { sendSigned, type SignedRequest } from '../fakes/hubspot/request-signing';
import { freePort } from '../send/send-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';
import { waitFor } from '../sync/sync-harness';

export { waitFor };

/**
 * The card's and the workflow action's world: the real runtime (server, worker, sync engine, send) and the
 * real HubSpot connector between the Meta and HubSpot fakes, with the card and workflow routers served behind
 * a proxy: HubSpot signs PUBLIC_URL (https) while the request reaches the local port.
 */
export const PUBLIC_URL = 'https://threadline.example.com';

/** An answer as the tests read it: JSON of any depth, as supertest's `body`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field with toMatchObject
type Answer = { status: number; body: any };

export interface CardWorld {
  rt: TestRuntime;
  meta: MetaFake;
  hubspot: HubSpotFake;
  /** Where the card and workflow routes listen (the local side of PUBLIC_URL). */
  localUrl: string;
  /** An active installation of a portal, serving the fixture number. */
  install(portalId: number): Promise<string>;
  /** A customer writes; `secondsAgo` over 24 h leaves the window closed. Resolves to Threadline's contact id. */
  customerWrites(m: { from: string; wamid: string; body: string; secondsAgo?: number }): Promise<string>;
  /** What HS2's identity code writes: Threadline's contact ↔ the HubSpot contact, for one installation. */
  linkContact(installationId: string, contactId: string, hubspotContactId: string): Promise<void>;
  /** `hubspot.fetch` from the card on a record, signed as HubSpot signs it. */
  card(op: string, portalId: number, record: { objectTypeId: string; objectId: string }, body?: unknown): Promise<Answer>;
  /** Sends a request HubSpot signed to the local port. */
  send(request: SignedRequest): Promise<Answer>;
  close(): Promise<void>;
}

const HUBSPOT_ENV = ['HUBSPOT_API_BASE', 'HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET'] as const;

export async function startCardWorld(portals: number[] = [62515, 77001]): Promise<CardWorld> {
  const hubspot = await startHubSpotFake({ portals });
  const saved = HUBSPOT_ENV.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, { HUBSPOT_API_BASE: hubspot.apiBase, HUBSPOT_CLIENT_ID: hubspot.state.app.clientId, HUBSPOT_CLIENT_SECRET: hubspot.state.app.clientSecret });
  let meta: MetaFake | undefined;
  let rt: TestRuntime | undefined;
  let routes: http.Server | undefined;
  const close = async () => {
    if (routes) await new Promise<void>((resolve) => routes?.close(() => resolve()));
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await hubspot.stop();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  try {
    const port = await freePort();
    const runtimeUrl = `http://127.0.0.1:${port}`;
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `${runtimeUrl}/webhooks/whatsapp` });
    meta.state.templates.addFixtureTemplates();
    // The fixtures' approved template has a URL button to fill, which a platform's composer does not send.
    meta.state.templates.add({ name: 'shipping_update', components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships today.', example: { body_text: [['Ana', '#1234']] } }] });
    const runtime = await startTestRuntime({
      config: { whatsappApiBase: meta.baseUrl, port, publicUrl: runtimeUrl },
      worker: { pollIntervalMs: 50, ioConcurrency: 4 },
      connectors: [hubspotConnector],
    });
    rt = runtime;
    const number = await runtime.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    if (number.status !== 201) throw new Error(`number not registered: ${number.status}`);
    const synced = await runtime.http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH).send({ phone_number_id: fixtureNumber.phoneNumberId });
    if (synced.status !== 200) throw new Error(`templates not synced: ${synced.status} ${JSON.stringify(synced.body)}`);

    const deps = {
      db: runtime.db, secrets: runtime.secrets, logger: runtime.logger, send: sendFromPlatform({ db: runtime.db }), workspaceId: runtime.workspace.id,
      publicUrl: PUBLIC_URL, clientSecret: hubspot.state.app.clientSecret,
    };
    const app = createApp({ logger: runtime.logger, routers: [hubspotCardRoutes(deps), hubspotWorkflowRoutes(deps)] });
    const server = http.createServer(app);
    routes = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const localUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const sendRequest = async (request: SignedRequest) => {
      const res = await sendSigned(request);
      return { status: res.status, body: res.body === '' ? null : JSON.parse(res.body) };
    };
    return {
      rt: runtime, meta, hubspot, localUrl, close,
      async install(portalId) {
        const res = await runtime.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
          connector: HUBSPOT_CONNECTOR_ID,
          account_id: String(portalId),
          config: { portalId, phoneNumberId: fixtureNumber.phoneNumberId },
          credentials: { accessToken: hubspot.state.issueToken(portalId), refreshToken: `refresh-${portalId}`, accessTokenExpiresAt: new Date(Date.now() + 1_800_000).toISOString() },
        });
        if (res.status !== 201) throw new Error(`installation not saved: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as string;
      },
      async customerWrites(m) {
        const res = await runtime.postWebhook(textWebhook({ wamid: m.wamid, from: m.from, name: `Customer ${m.from}`, timestamp: Math.floor(Date.now() / 1000) - (m.secondsAgo ?? 60), body: m.body }));
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        let contactId: string | undefined;
        await waitFor(async () => {
          contactId = (await runtime.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', m.wamid).first('c.contact_id'))?.contact_id;
          return contactId !== undefined;
        }, `${m.wamid} stored`);
        return contactId as string;
      },
      linkContact: (installationId, contactId, hubspotContactId) => saveLinks(runtime.db, runtime.workspace.id, installationId, [
        { entityType: 'contact', entityId: contactId, externalType: CONTACT_LINK_TYPE, externalId: hubspotContactId },
      ]),
      card: (op, portalId, record, body = {}) => {
        const query = `portalId=${portalId}&userId=9001&userEmail=rep%40example.com&objectTypeId=${record.objectTypeId}&objectId=${record.objectId}`;
        const path = `/connectors/hubspot/card/${op}?${query}`;
        return sendRequest(hubspot.outbound.cardFetchRequest(`${localUrl}${path}`, { method: 'POST', body, publicUrl: `${PUBLIC_URL}${path}` }));
      },
      send: sendRequest,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
