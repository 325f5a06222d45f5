import { connectNumber } from '../../core/numbers/connect-number';
import { checkNumberHealth, type NumberHealthDeps } from '../../core/numbers/number-health';
import { FAKE_APP_ID, fixtureNumber } from '../fakes/meta/meta-fake';
import { startNumbersWorld, type NumbersWorld } from './numbers-support';

describe('number health (against the Meta fake)', () => {
  let w: NumbersWorld;
  let numberId: string;
  let deps: NumberHealthDeps;

  beforeAll(async () => {
    w = await startNumbersWorld();
    deps = { db: w.database.db, graph: w.graph, secrets: w.secrets, metaAppId: FAKE_APP_ID };
    const connected = await connectNumber({ db: w.database.db, graph: w.graph, secrets: w.secrets, directory: w.directory }, w.workspaceId,
      { phoneNumberId: fixtureNumber.phoneNumberId, wabaId: fixtureNumber.wabaId, accessToken: fixtureNumber.accessToken }, 'test');
    if (!connected.ok) throw new Error(connected.error.message);
    numberId = connected.number.id;
  });
  afterAll(async () => w?.close());
  afterEach(() => {
    w.fake.state.setOutage(false);
    w.fake.state.onboarding.subscribe(fixtureNumber.wabaId);
  });

  it('connecting stores what the token check saw, and makes the process see the number at once', async () => {
    const row = await w.database.db('whatsapp_number').where({ id: numberId }).first();
    expect(row).toMatchObject({ credentials_valid: true, quality_rating: 'GREEN', messaging_limit_tier: 'TIER_2K', throughput_level: 'STANDARD', webhooks_subscribed: null, health_checked_at: null });
    expect(w.directory.invalidations).toBe(1);
  });

  it('reads token, webhook subscription, quality, messaging limit and throughput from Meta and stores them', async () => {
    const fake = w.fake.state.numbers.get(fixtureNumber.phoneNumberId);
    if (!fake) throw new Error('fixture number missing');
    Object.assign(fake, { qualityRating: 'YELLOW', messagingLimitTier: 'TIER_10K', throughputLevel: 'HIGH' });
    const before = w.fake.state.requests.length;
    const health = await checkNumberHealth(deps, w.workspaceId, numberId);
    expect(health).toMatchObject({ credentials_valid: true, webhooks_subscribed: true, quality_rating: 'YELLOW', messaging_limit_tier: 'TIER_10K', throughput_level: 'HIGH', health_problem: null });
    expect(health?.health_checked_at).toBeInstanceOf(Date);
    const asked = w.fake.state.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.token}`);
    expect(asked).toEqual([
      `GET /v24.0/${fixtureNumber.phoneNumberId} ${fixtureNumber.accessToken}`,
      `GET /v24.0/${fixtureNumber.wabaId}/subscribed_apps ${fixtureNumber.accessToken}`,
    ]);
    Object.assign(fake, { qualityRating: 'GREEN', messagingLimitTier: 'TIER_2K', throughputLevel: 'STANDARD' });
  });

  it('"subscribed" means our app: another app on the WABA does not count', async () => {
    w.fake.state.onboarding.unsubscribe(fixtureNumber.wabaId);
    w.fake.state.onboarding.subscribe(fixtureNumber.wabaId, '999999999999');
    expect(await checkNumberHealth(deps, w.workspaceId, numberId)).toMatchObject({ webhooks_subscribed: false, health_problem: null });
    // Without META_APP_ID, any subscribed app is taken as ours.
    expect(await checkNumberHealth({ ...deps, metaAppId: undefined }, w.workspaceId, numberId)).toMatchObject({ webhooks_subscribed: true });
  });

  it('while the Graph API is down, keeps the last known health and says to try again', async () => {
    w.fake.state.setOutage(true);
    const health = await checkNumberHealth(deps, w.workspaceId, numberId);
    expect(health).toMatchObject({ credentials_valid: true, webhooks_subscribed: true, quality_rating: 'GREEN' });
    expect(health?.health_problem).toMatch(/did not answer; try again in a minute/);
  });

  it('a rejected token: token invalid, the number needs attention, and the WABA is not asked with it', async () => {
    const fake = w.fake.state.numbers.get(fixtureNumber.phoneNumberId);
    if (!fake) throw new Error('fixture number missing');
    fake.accessToken = 'fake-token-rotated-elsewhere';
    try {
      const before = w.fake.state.requests.length;
      const health = await checkNumberHealth(deps, w.workspaceId, numberId);
      expect(health).toMatchObject({ credentials_valid: false, state: 'needs_attention', state_reason: expect.stringMatching(/^health check: Graph API error 190/) });
      expect(health?.health_problem).toMatch(/connect the number again with a new System User token/);
      expect(w.fake.state.requests.slice(before).map((r) => r.path)).toEqual([`/v24.0/${fixtureNumber.phoneNumberId}`]);
      expect(await w.database.db('audit_log').where({ entity_id: numberId, action: 'number.needs_attention' }).pluck('actor')).toEqual(['system']);
    } finally {
      fake.accessToken = fixtureNumber.accessToken;
    }
  });

  it("null for a number of another workspace, which is left untouched", async () => {
    const [other] = await w.database.db('workspace').insert({ name: 'Other', slug: 'other-health' }).returning('id');
    expect(await checkNumberHealth(deps, (other as { id: string }).id, numberId)).toBeNull();
    expect(await checkNumberHealth(deps, w.workspaceId, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
