import { threadIdFor } from '../../connectors/zendesk/map-event-to-resource';
import { textWebhook } from '../admin/admin-helpers';
import type { ZendeskFake } from '../fakes/zendesk/zendesk-fake';
import type { TestRuntime } from '../support/test-runtime';
import { outboxStates } from '../sync/sync-harness';
import { commentsOfThread } from './zendesk-helpers';
import { authorisedPair, startZendeskWorld, waitFor, type ZendeskWorld } from './zendesk-world';

const CUSTOMERS = 50;
const MESSAGES_EACH = 20;
const RETRY_AFTER_SECONDS = 1;
/**
 * Requests served between two refusals: a storm that never lets a request through would only prove a livelock.
 * Counted in requests, not time, so a fast machine sees as many refusals as a slow one.
 */
const CALM_REQUESTS = 8;

/**
 * Issue 4's must-show: 1,000 WhatsApp messages over 50 conversations, through the real runtime (signed
 * webhooks in, the sync engine out), while Zendesk answers 429 with Retry-After to pushes and to the
 * requesters' user calls alike. Nothing may be lost, duplicated or reordered, and nothing may reach
 * Zendesk before a Retry-After has passed.
 */
describe('a burst of 1,000 messages under a 429 storm', () => {
  let world: ZendeskWorld;
  let rt: TestRuntime;
  let zendesk: ZendeskFake;
  let installationId = '';
  const waIdOf = (c: number) => String(15550020000 + c);
  const wamidOf = (c: number, m: number) => `wamid.BURST_${c}_${m}`;

  beforeAll(async () => {
    world = await startZendeskWorld();
    ({ rt, zendesk } = world);
    const installed = await world.install('acme', { credentials: authorisedPair(world.account('acme')) });
    expect(installed.status).toBe(201);
    installationId = installed.installationId;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('syncs every message exactly once, in order per conversation, waiting out every Retry-After', async () => {
    const acme = zendesk.state.account('acme');
    const started = zendesk.state.requests.length;
    // The storm: once CALM_REQUESTS went through after the last refusal, the next request, push or REST, is refused with Retry-After.
    let scripted = 0;
    const refuseNext = () => {
      scripted += 1;
      zendesk.state.failNext(1, 'rate_limited', { subdomain: 'acme', retryAfterSeconds: RETRY_AFTER_SECONDS });
    };
    refuseNext();
    const storm = setInterval(() => {
      const seen = zendesk.state.requests.slice(started).filter((r) => r.path.startsWith('/api/v2/'));
      const lastRefused = seen.findLastIndex((r) => r.status === 429);
      const refused = seen.filter((r) => r.status === 429).length;
      if (refused === scripted && lastRefused >= 0 && seen.length - 1 - lastRefused >= CALM_REQUESTS) refuseNext();
    }, 20);
    const timestamp = Math.floor(Date.now() / 1000) - 600;
    try {
      // Message m of every customer at once, then m + 1: each conversation's order is the order Meta sent it in.
      for (let m = 0; m < MESSAGES_EACH; m++) {
        const answers = await Promise.all(Array.from({ length: CUSTOMERS }, (_, c) => rt.postWebhook(textWebhook({
          wamid: wamidOf(c, m), from: waIdOf(c), name: `Burst ${c}`, timestamp: timestamp + m, body: `Customer ${c} message ${m}`,
        }))));
        expect(answers.map((a) => a.status)).toEqual(Array.from({ length: CUSTOMERS }, () => 200));
      }
      await waitFor(async () => (await outboxStates(rt.db, installationId)).delivered === CUSTOMERS * MESSAGES_EACH, 'every message delivered', 90_000);
    } finally {
      clearInterval(storm);
    }

    expect(await outboxStates(rt.db, installationId)).toEqual({ delivered: CUSTOMERS * MESSAGES_EACH });
    // Every wamid once, on its conversation's one ticket, in order, from its customer.
    expect(acme.tickets.size).toBe(CUSTOMERS);
    expect(acme.comments).toHaveLength(CUSTOMERS * MESSAGES_EACH);
    for (let c = 0; c < CUSTOMERS; c++) {
      const conversation: { id: string } = await rt.db('contact as k').join('conversation as v', 'v.contact_id', 'k.id').where('k.wa_id', waIdOf(c)).first('v.id');
      expect(commentsOfThread(zendesk, 'acme', threadIdFor(conversation.id)).map((x) => [x.external_id, x.author])).toEqual(
        Array.from({ length: MESSAGES_EACH }, (_, m) => [`wa:${wamidOf(c, m)}`, `whatsapp:${waIdOf(c)}`]),
      );
    }
    // Each customer's requester was set up once, with a phone identity.
    expect([...acme.identities.values()].map((i) => i.value).sort()).toEqual(Array.from({ length: CUSTOMERS }, (_, c) => `+${waIdOf(c)}`).sort());

    // The storm happened, to pushes and user calls, and every Retry-After was waited out before the next request.
    const seen = zendesk.state.requests.slice(started).filter((r) => r.path.startsWith('/api/v2/'));
    const limited = seen.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(new Set(limited.map((r) => (r.path === '/api/v2/any_channel/push' ? 'push' : 'users')))).toEqual(new Set(['push', 'users']));
    for (const refused of limited) {
      const next = seen.find((r) => r.at > refused.at);
      expect(next && next.at - refused.at).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    }
    process.stdout.write(`burst: ${seen.length} Zendesk requests (${seen.filter((r) => r.path === '/api/v2/any_channel/push').length} pushes), ${limited.length} answered 429\n`);
  }, 120_000);
});
