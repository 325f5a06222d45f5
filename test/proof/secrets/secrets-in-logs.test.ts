import type { Writable } from 'node:stream';
import type { createLogger as CreateLogger } from '../../../core/observability/logger';
import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { startHubSpotWorld, waitFor, type HubSpotWorld } from '../../hubspot/hubspot-world';
import { customerWrites, loggedMessage } from '../../hubspot/timeline-helpers';
import { TEST_ADMIN_TOKEN, TEST_APP_SECRET } from '../../support/test-runtime';
import { installationSecrets } from './raw-rows';

/** Every line any logger of this test process writes: the runtime's own pino setup (redaction included) at trace, captured. */
const mockLines: string[] = [];
jest.mock('../../../core/observability/logger', () => {
  const actual = jest.requireActual<{ createLogger: typeof CreateLogger }>('../../../core/observability/logger');
  const { Writable: Sink } = jest.requireActual<{ Writable: typeof Writable }>('node:stream');
  const destination = new Sink({ write(chunk: Buffer, _encoding, done) { mockLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
  return { ...actual, createLogger: () => actual.createLogger({ level: 'trace', destination }) };
});

jest.setTimeout(90_000);

const PORTAL = 62515;
const OTHER_PORTAL = 77001;

describe('no secret in the logs', () => {
  let world: HubSpotWorld;
  beforeAll(async () => {
    world = await startHubSpotWorld();
  });
  afterAll(async () => world.close());

  it('across number registration, OAuth install, token refresh, signed webhooks, console sign-in and failed Graph calls', async () => {
    const secrets: Record<string, string> = {
      'admin token': TEST_ADMIN_TOKEN, 'Meta app secret': TEST_APP_SECRET, 'number access token': fixtureNumber.accessToken,
      'HubSpot client secret': world.app.clientSecret,
    };
    const http = () => world.rt.http();

    // Number registration Meta refuses, and a malformed one that echoes the token in its body.
    const rejectedToken = 'EAAG-rejected-token-for-the-log-proof-0123';
    secrets['rejected access token'] = rejectedToken;
    world.meta.state.failNext(1, 190);
    const rejected = await http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: '123450000', waba_id: fixtureNumber.wabaId, access_token: rejectedToken, read_receipts: 'never' });
    expect(rejected.status).toBe(422);
    expect((await http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH).set('content-type', 'application/json')
      .send(`{"access_token": "${rejectedToken}", `)).status).toBe(400);
    expect((await http().get('/api/v1/numbers').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}x`)).status).toBe(401);

    // The OAuth install through HubSpot's authorize page; then an installation whose token is about to expire.
    const installed = await world.installThroughOAuth({ portalId: PORTAL });
    expect(installed.installationId).toBeDefined();
    const expiring = await world.install(OTHER_PORTAL, { accessTokenExpiresAt: new Date(Date.now() + 60_000), config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    const before = await world.storedCredentials(expiring);
    Object.assign(secrets, { 'access token before refresh': before.accessToken, 'refresh token': before.refreshToken });

    // A signed customer message: synced to HubSpot, which refreshes the expiring token first.
    await customerWrites(world, { from: '4917600000001', wamid: 'wamid.LOG_PROOF_1', body: 'hello' });
    await loggedMessage(world, world.hubspot.state.portal(OTHER_PORTAL), 'wamid.LOG_PROOF_1');
    await waitFor(async () => (await world.storedCredentials(expiring)).accessToken !== before.accessToken, 'the token refreshed');
    // The next one meets a failing token endpoint (the OAuth installation now expiring too) and a failing API: both logged.
    await world.install(PORTAL, { accessTokenExpiresAt: new Date(Date.now() + 60_000), config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    Object.assign(secrets, { 'expiring refresh token': (await world.storedCredentials(installed.installationId ?? '')).refreshToken });
    world.hubspot.state.failNext(1, 'server_error', { scope: 'oauth' });
    world.hubspot.state.failNext(1, 'server_error', { scope: 'api' });
    await customerWrites(world, { from: '4917600000003', wamid: 'wamid.LOG_PROOF_3', body: 'again' });
    await waitFor(async () => mockLines.filter((l) => l.includes('sync batch failed')).length >= 2, 'both failures logged');
    expect((await http().post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', 'sha256=00').send('{}')).status).toBe(401);

    // Console sign-in with the admin token, and a wrong one.
    expect((await http().post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN })).status).toBe(303);
    expect((await http().post('/admin/sign-in').type('form').send({ token: `${TEST_ADMIN_TOKEN}-wrong` })).status).toBe(401);

    // A Graph call with the stored token that Meta refuses (a read receipt) is logged with its error.
    const again = await http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'on_receipt' });
    expect(again.status).toBeLessThan(300);
    world.meta.state.failNext(1, 190);
    await customerWrites(world, { from: '4917600000002', wamid: 'wamid.LOG_PROOF_2', body: 'read me' });
    await waitFor(async () => mockLines.some((l) => l.includes('read receipt not sent')), 'the refused read receipt logged');

    Object.assign(secrets, await installationSecrets(world.rt.db, world.rt.secrets, 'hubspot'));
    const lines = [...mockLines];
    // The flows did log, at trace: the check below reads something.
    expect(lines.length).toBeGreaterThan(3);
    const leaks = lines.flatMap((line) => [
      ...Object.entries(secrets).filter(([, value]) => line.includes(value)).map(([label]) => `${label}: ${line}`),
      ...(/Bearer [\w.-]/.test(line) ? [`Bearer: ${line}`] : []),
      ...(line.includes('access_token=') ? [`access_token=: ${line}`] : []),
    ]);
    expect(leaks).toEqual([]);
  });
});
