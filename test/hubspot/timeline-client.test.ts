import { createContact, findContactBy, searchContactsByPhone } from '../../connectors/hubspot/client/crm';
import { callHubSpot, type HubSpotInstallation } from '../../connectors/hubspot/client/hubspot-call';
import { PortalRateLimiter } from '../../connectors/hubspot/client/portal-rate-limiter';
import { startHubSpotFake, type HubSpotFake } from '../fakes/hubspot/hubspot-fake';
import { useHubSpotEnv } from './hubspot-world';

const PORTAL = 62515;

/** An installation as the sync engine hands it over, with a token the fake issued; no database needed here. */
function installationOf(fake: HubSpotFake, scopes?: string[]): HubSpotInstallation {
  const credentials = { accessToken: fake.state.issueToken(PORTAL, scopes), refreshToken: 'unused', accessTokenExpiresAt: new Date(Date.now() + 1_800_000).toISOString() };
  return {
    id: 'installation-1', workspaceId: 'workspace-1', accountId: String(PORTAL),
    config: { portalId: PORTAL, grantedScopes: [], createContacts: true, associateOpenDeals: true, routingOwner: 'if_unowned' },
    credentials,
    updateCredentials: async () => credentials,
    requireReinstall: async () => undefined,
  };
}

describe('HubSpot client: failures as values, our own per-portal budget', () => {
  let fake: HubSpotFake;
  let restoreEnv: () => void;
  let installation: HubSpotInstallation;
  const fresh = () => ({ limiter: new PortalRateLimiter() });

  beforeAll(async () => {
    fake = await startHubSpotFake({ portals: [PORTAL] });
    restoreEnv = useHubSpotEnv(fake);
    installation = installationOf(fake);
  });
  afterAll(async () => {
    await fake.stop();
    restoreEnv();
  });

  test("HubSpot's error answers map to codes a caller can act on", async () => {
    const invalid = await createContact(installation, { lifecyclestage: 'wizard' }, fresh());
    expect(invalid).toMatchObject({ ok: false, error: { code: 'VALIDATION', status: 400, category: 'VALIDATION_ERROR', message: expect.stringContaining('INVALID_OPTION') } });
    expect(await findContactBy(installation, 'threadline_whatsapp_id', 'nobody', fresh())).toEqual({ ok: true, value: null });
    const noScope = await createContact(installationOf(fake, ['oauth', 'crm.objects.contacts.read']), { firstname: 'A' }, fresh());
    expect(noScope).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', status: 403, category: 'MISSING_SCOPES' } });
    fake.state.setOutage(true);
    const outage = await createContact(installation, { firstname: 'A' }, fresh());
    fake.state.setOutage(false);
    expect(outage).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', status: 503 } });
  });

  test('a 429 is RATE_LIMITED with a wait, and nothing more goes to the portal until it is over; DAILY waits an hour', async () => {
    const { limiter } = fresh();
    const before = fake.state.requests.length;
    fake.state.failNext(2, 'rate_limited', { scope: 'api', portalId: PORTAL });
    const first = await createContact(installation, { firstname: 'A' }, { limiter, maxWaitMs: 0 });
    expect(first).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', status: 429 } });
    const firstWait = first.ok ? 0 : first.error.retryAfterMs ?? 0;
    expect(firstWait).toBeGreaterThanOrEqual(400);
    // Refused here, without asking HubSpot (the budget is ours to keep, §7.5: errors count against certification).
    expect(await createContact(installation, { firstname: 'A' }, { limiter, maxWaitMs: 0 })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(fake.state.requests.length).toBe(before + 1);
    // Waited out (slept inside the call), the next 429 in a row waits twice as long.
    const second = await createContact(installation, { firstname: 'A' }, { limiter, maxWaitMs: 5_000 });
    expect(second.ok ? 0 : second.error.retryAfterMs ?? 0).toBeGreaterThanOrEqual(firstWait * 2 - 100);

    fake.state.failNext(1, 'daily_limit', { scope: 'api', portalId: PORTAL });
    const daily = await createContact(installation, { firstname: 'A' }, fresh());
    expect(daily).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: 3_600_000 } });
  });

  test('calls beyond our budget wait for a free slot or, past the longest wait, are refused without reaching HubSpot', async () => {
    const limiter = new PortalRateLimiter({ api: { max: 3, windowMs: 10_000 }, search: { max: 5, windowMs: 1_000 } });
    const before = fake.state.requests.length;
    const calls = await Promise.all(Array.from({ length: 4 }, () => callHubSpot(installation, 'api', (c) => c.crm.contacts.basicApi.create({ properties: { firstname: 'Budget' }, associations: [] }), { limiter, maxWaitMs: 0 })));
    expect(calls.map((c) => c.ok)).toEqual([true, true, true, false]);
    expect(calls[3]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
    expect(fake.state.requests.length).toBe(before + 3);

    // Search: 5 per second; 7 searches in a row are paced, not refused by HubSpot.
    const searches = [];
    for (let i = 0; i < 7; i += 1) searches.push(await searchContactsByPhone(installation, { e164: '+4915100000000', national: '15100000000' }, { limiter }));
    expect(searches.every((s) => s.ok)).toBe(true);
    expect(fake.state.requests.filter((r) => r.status === 429 && r.path.endsWith('/search'))).toHaveLength(0);
  });
});
