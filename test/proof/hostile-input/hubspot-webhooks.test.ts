import fc from 'fast-check';
import { startHubSpotWorld, type HubSpotWorld } from '../../hubspot/hubspot-world';
import { expectAlive, expectCleanJsonAnswer, junkBody, nastyString, RUNS, send, shapedLike, type Answer } from './hostile';
import { hubspotHeaders } from './hubspot-signing';

const ACME = 62515;

describe('hostile input: HubSpot CRM webhooks (v1 + v3 signed)', () => {
  let world: HubSpotWorld;
  const stored = async () => Number((await world.rt.db('hubspot_webhook_event').count({ n: '*' }))[0]?.n);
  const url = () => `${world.publicUrl}/connectors/hubspot/webhooks`;
  const post = (body: Buffer, options: { versions?: Array<'v1' | 'v3'>; timestamp?: number; headers?: Record<string, string> } = {}): Promise<Answer> => send(url(), {
    headers: { ...hubspotHeaders(world.app.clientSecret, { method: 'POST', uri: url(), body, versions: options.versions ?? ['v1', 'v3'], ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }) }), ...options.headers },
    body,
  });
  const batch = () => [world.hubspot.outbound.crmEvent(ACME, { subscriptionType: 'contact.propertyChange', objectId: 501, propertyName: 'phone', propertyValue: '+49 151 0000' })];

  beforeAll(async () => {
    world = await startHubSpotWorld({ portals: [ACME], worker: false });
    await world.install(ACME);
  });
  afterAll(async () => {
    try {
      await expectAlive(world.rt.url);
    } finally {
      await world?.close();
    }
  });

  it('validly signed batches shaped like and unlike HubSpot\'s get 200 or a clear 400, never a 5xx', async () => {
    const body = fc.oneof(shapedLike(batch()).map((b) => Buffer.from(JSON.stringify(b) ?? '')), junkBody);
    await fc.assert(fc.asyncProperty(body, async (raw) => {
      const answer = expectCleanJsonAnswer(await post(raw), 'webhook');
      expect([200, 400]).toContain(answer.status);
    }), RUNS);
  });

  it('stale (v3 over 5 minutes old, v1 alongside), forged or unsigned batches get 401 and store nothing', async () => {
    const before = await stored();
    const body = Buffer.from(JSON.stringify(batch()));
    const forged = fc.oneof(
      fc.integer({ min: 5 * 60_000 + 1_000, max: 10 * 365 * 86_400_000 }).map((age) => ({ timestamp: Date.now() - age })),
      fc.integer({ min: 5 * 60_000 + 1_000, max: 86_400_000 }).map((ahead) => ({ timestamp: Date.now() + ahead })),
      nastyString.map((s) => ({ headers: { 'x-hubspot-signature-v3': s.replace(/[^\x20-\x7e]/g, '') || 'x' } })),
      fc.constant({ versions: [] as Array<'v1' | 'v3'> }),
    );
    await fc.assert(fc.asyncProperty(forged, async (options) => {
      const answer = expectCleanJsonAnswer(await post(body, options), 'forged webhook');
      expect(answer.status).toBe(401);
    }), RUNS);
    expect(await stored()).toBe(before);
  });

  it('a replayed batch (same bytes, same signatures) is acknowledged and changes nothing', async () => {
    const body = Buffer.from(JSON.stringify(batch()));
    const timestamp = Date.now();
    expect((await post(body, { timestamp })).status).toBe(200);
    const before = await stored();
    const replayed = expectCleanJsonAnswer(await post(body, { timestamp }), 'replayed webhook');
    expect({ status: replayed.status, duplicates: JSON.parse(replayed.text).duplicates }).toEqual({ status: 200, duplicates: 1 });
    expect(await stored()).toBe(before);
  });
});
