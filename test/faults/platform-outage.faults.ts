import { threadIdFor } from '../../connectors/zendesk/map-event-to-resource';
import { textWebhook } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { startHubSpotWorld, type HubSpotWorld } from '../hubspot/hubspot-world';
import { records, field } from '../salesforce/sync-helpers';
import { startSalesforceWorld, type SalesforceWorld } from '../salesforce/salesforce-world';
import type { TestRuntime } from '../support/test-runtime';
import { commentsOfThread } from '../zendesk/zendesk-helpers';
import { authorisedPair, startZendeskWorld, type ZendeskWorld } from '../zendesk/zendesk-world';
import { waitFor } from './fault-support';

const CUSTOMERS = 3;
const MESSAGES_EACH = 4;
/**
 * The sync engine is shared (core/sync): one scenario per platform. The runtime's retry schedule waits
 * about 30 s after a failed delivery (DEFAULT_RETRY_SCHEDULE), so each platform fails the first delivery
 * attempt only; 429 storms cost no attempt (Retry-After, or the connector's own rest) and come on top.
 */
const DELIVERY_TIMEOUT_MS = 75_000;

interface Platform {
  rt: TestRuntime;
  installationId: string;
  /** The platform down: every request answers 5xx while on. */
  setOutage(on: boolean): void;
  /** The next `count` requests refused with the platform's rate limit answer. */
  rateLimitNext(count: number): void;
  /** The wamids the platform holds for a conversation, in the order it stored them. */
  storedWamids(conversationId: string): Promise<string[]>;
}

/**
 * Customers write while the platform is down; it comes back behind a 429 storm while more messages arrive.
 * Every message must end on the platform once, in order per conversation, and no outbox row stay behind.
 */
async function downThenBack(p: Platform, prefix: string, firstCustomer: number): Promise<void> {
  const waIdOf = (c: number) => String(firstCustomer + c);
  const wamidOf = (c: number, m: number) => `wamid.${prefix}_${c}_${m}`;
  const write = async (m: number) => {
    for (let c = 0; c < CUSTOMERS; c++) {
      const res = await p.rt.postWebhook(textWebhook({ wamid: wamidOf(c, m), from: waIdOf(c), name: `Customer ${c}`, timestamp: Math.floor(Date.now() / 1000) - 600 + m, body: `${prefix} ${c} message ${m}` }));
      expect(res.status).toBe(200);
    }
  };
  p.setOutage(true);
  await write(0);
  await write(1);
  // The outage really refused a delivery: an attempt is counted before the platform comes back.
  await waitFor(async () => Number((await p.rt.db('sync_outbox').where({ installation_id: p.installationId }).where('attempts', '>', 0).count({ n: '*' }))[0]?.n) > 0, 'a delivery attempt to fail against the outage');
  p.setOutage(false);
  p.rateLimitNext(4);
  await write(2);
  await write(3);

  await waitFor(async () => {
    const rows: { state: string; n: number }[] = await p.rt.db('sync_outbox').where({ installation_id: p.installationId }).groupBy('state').select('state', p.rt.db.raw('count(*)::int as n'));
    return rows.length > 0 && rows.every((r) => r.state === 'delivered' || r.state === 'skipped');
  }, 'every outbox row delivered after the recovery', DELIVERY_TIMEOUT_MS);
  for (let c = 0; c < CUSTOMERS; c++) {
    const conversation: { id: string } = await p.rt.db('conversation as v').join('contact as k', 'k.id', 'v.contact_id').where('k.wa_id', waIdOf(c)).first('v.id');
    expect(await p.storedWamids(conversation.id)).toEqual(Array.from({ length: MESSAGES_EACH }, (_, m) => wamidOf(c, m)));
  }
}

describe('a platform down for a while, then a 429 storm: everything synced once, in order', () => {
  test('Zendesk', async () => {
    const world: ZendeskWorld = await startZendeskWorld();
    try {
      const installed = await world.install('acme', { credentials: authorisedPair(world.account('acme')) });
      await downThenBack({
        rt: world.rt,
        installationId: installed.installationId,
        setOutage: (on) => world.zendesk.state.setOutage(on),
        rateLimitNext: (count) => world.zendesk.state.failNext(count, 'rate_limited', { retryAfterSeconds: 1 }),
        storedWamids: async (conversationId) => commentsOfThread(world.zendesk, 'acme', threadIdFor(conversationId)).map((x) => (x.external_id ?? '').replace(/^wa:/, '')),
      }, 'ZD_DOWN', 15550500000);
    } finally {
      await world.close();
    }
  }, 120_000);

  test('HubSpot', async () => {
    const world: HubSpotWorld = await startHubSpotWorld();
    try {
      const installationId = await world.install(62515, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
      const portal = () => world.hubspot.state.portal(62515);
      await downThenBack({
        rt: world.rt,
        installationId,
        setOutage: (on) => world.hubspot.state.setOutage(on),
        rateLimitNext: (count) => world.hubspot.state.failNext(count, 'rate_limited', { scope: 'api' }),
        storedWamids: async (conversationId) => wamidsOfMessages(world.rt, conversationId, portal().communications.map((c) => String(c.properties.threadline_message_id))),
      }, 'HS_DOWN', 15550510000);
    } finally {
      await world.close();
    }
  }, 120_000);

  test('Salesforce', async () => {
    const world: SalesforceWorld = await startSalesforceWorld({ orgs: [{}] });
    try {
      const orgId = world.orgIds[0] ?? '';
      const installationId = await world.install(orgId, { config: { phoneNumberId: fixtureNumber.phoneNumberId } });
      await downThenBack({
        rt: world.rt,
        installationId,
        setOutage: (on) => world.salesforce.state.setOutage(on),
        // Salesforce never answers 429: a spent quota is 403 REQUEST_LIMIT_EXCEEDED, and the org rests.
        rateLimitNext: (count) => world.salesforce.state.failNext(count, 'request_limit', { orgId }),
        storedWamids: async (conversationId) => wamidsOfMessages(world.rt, conversationId,
          records(world, orgId, 'WhatsApp_Message__c').map((r) => String(field(world, r, 'Threadline_Id__c')))),
      }, 'SF_DOWN', 15550520000);
    } finally {
      await world.close();
    }
  }, 120_000);
});

/** The wamids of a conversation's messages among `messageIds` (a platform's records, in its order), repeats kept. */
async function wamidsOfMessages(rt: TestRuntime, conversationId: string, messageIds: string[]): Promise<string[]> {
  const rows: { id: string; wamid: string }[] = await rt.db('message').where({ conversation_id: conversationId, direction: 'inbound' }).select('id', 'wamid');
  const wamidOf = new Map(rows.map((r) => [r.id, r.wamid]));
  return messageIds.flatMap((id) => {
    const wamid = wamidOf.get(id);
    return wamid === undefined ? [] : [wamid];
  });
}
