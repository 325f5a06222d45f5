import { completeEmbeddedSignup, type EmbeddedSignupDeps, type EmbeddedSignupInput } from '../../core/numbers/embedded-signup';
import { FAKE_APP_ID } from '../fakes/meta/meta-fake';
import { APP_SECRET, startNumbersWorld, type NumbersWorld } from './numbers-support';

/** A customer's WABA and number as Embedded Signup leaves them: new to Threadline, not yet registered. */
const WABA = '100000000000040';
const NUMBER = '100000000000041';

describe('Embedded Signup onboarding (against the Meta fake)', () => {
  let w: NumbersWorld;
  let deps: EmbeddedSignupDeps;

  beforeAll(async () => {
    w = await startNumbersWorld();
    deps = { connect: { db: w.database.db, graph: w.graph, secrets: w.secrets, directory: w.directory }, app: { id: FAKE_APP_ID, secret: APP_SECRET } };
  });
  afterAll(async () => w?.close());
  beforeEach(async () => {
    w.fake.state.numbers.delete(NUMBER);
    w.fake.state.addNumber({ phoneNumberId: NUMBER, wabaId: WABA, displayPhoneNumber: '15550004141', verifiedName: 'Customer Co' });
    w.fake.state.onboarding.unsubscribe(WABA);
    w.fake.state.onboarding.pins.delete(NUMBER);
    w.fake.state.onboarding.registrations.length = 0;
    w.fake.state.setOutage(false);
    await w.database.db('whatsapp_number').where({ phone_number_id: NUMBER }).delete();
  });

  const signup = (input: Partial<EmbeddedSignupInput> = {}) => completeEmbeddedSignup(deps, w.workspaceId,
    { code: w.fake.state.onboarding.issueCode(WABA), wabaId: WABA, phoneNumberId: NUMBER, pin: '246810', ...input }, 'console:admin');
  const requestsSince = (n: number) => w.fake.state.requests.slice(n);
  const saved = () => w.database.db('whatsapp_number').where({ phone_number_id: NUMBER }).first();

  it('exchanges the code, subscribes the app, registers the number with the PIN, then stores it with the business token', async () => {
    const before = w.fake.state.requests.length;
    const result = await signup();
    expect(result).toMatchObject({ ok: true, created: true, generatedPin: undefined, number: { phone_number_id: NUMBER, waba_id: WABA, verified_name: 'Customer Co', state: 'active' } });
    const calls = requestsSince(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v24.0/oauth/access_token',
      `POST /v24.0/${WABA}/subscribed_apps`,
      `POST /v24.0/${NUMBER}/register`,
      `GET /v24.0/${NUMBER}`,
    ]);
    expect(calls[0]?.query).toMatchObject({ client_id: FAKE_APP_ID, client_secret: APP_SECRET });
    const businessToken = calls[1]?.token;
    expect(businessToken).toMatch(/^fake-business-token-/);
    expect(calls.slice(2).map((r) => r.token)).toEqual([businessToken, businessToken]);
    expect(calls[2]?.body).toEqual({ messaging_product: 'whatsapp', pin: '246810' });
    expect([...(w.fake.state.onboarding.subscriptions.get(WABA) ?? [])]).toEqual([FAKE_APP_ID]);
    const row = await saved();
    expect(w.secrets.open(row.access_token_sealed)).toBe(businessToken);
    expect(w.directory.invalidations).toBeGreaterThan(0);
  });

  it('without a PIN, generates a 6-digit one, registers with it and answers it once', async () => {
    const result = await signup({ pin: undefined });
    if (!result.ok) throw new Error(result.message);
    expect(result.generatedPin).toMatch(/^\d{6}$/);
    expect(w.fake.state.onboarding.pins.get(NUMBER)).toBe(result.generatedPin);
    expect(JSON.stringify(await saved())).not.toContain(result.generatedPin);
  });

  it.each([
    ['used', (code: string) => code, /already used/],
    ['expired', (code: string) => { w.fake.state.advanceTime(31_000); return code; }, /expired/],
    ['unknown', () => 'AQ-not-a-code-meta-issued', /not issued to this app/],
  ])('a %s code fails at exchange_code, says to run the flow again, and touches nothing', async (kind, prepare, hint) => {
    const code = w.fake.state.onboarding.issueCode(WABA);
    if (kind === 'used') expect((await signup({ code })).ok).toBe(true);
    await w.database.db('whatsapp_number').where({ phone_number_id: NUMBER }).delete();
    const before = w.fake.state.requests.length;
    const result = await signup({ code: prepare(code) });
    expect(result).toEqual({ ok: false, step: 'exchange_code', code: 'SIGNUP_CODE_INVALID', message: expect.stringMatching(/run Embedded Signup again/) });
    expect(result.ok ? '' : result.message).toMatch(hint);
    expect(requestsSince(before).map((r) => r.path)).toEqual(['/v24.0/oauth/access_token']);
    expect(await saved()).toBeUndefined();
  });

  it("names this server's app credentials when Meta rejects them", async () => {
    const result = await completeEmbeddedSignup({ ...deps, app: { id: FAKE_APP_ID, secret: 'not-the-app-secret' } }, w.workspaceId,
      { code: w.fake.state.onboarding.issueCode(WABA), wabaId: WABA, phoneNumberId: NUMBER }, 'console:admin');
    expect(result).toMatchObject({ ok: false, step: 'exchange_code', code: 'APP_CREDENTIALS_INVALID', message: expect.stringMatching(/META_APP_ID and META_APP_SECRET/) });
  });

  it('fails at subscribe_webhooks for a WABA the customer did not share', async () => {
    const result = await signup({ wabaId: '100000000000099' });
    expect(result).toMatchObject({ ok: false, step: 'subscribe_webhooks', code: 'SUBSCRIBE_FAILED', message: expect.stringMatching(/WhatsApp Business Account 100000000000099.*shared that account/) });
    expect(await saved()).toBeUndefined();
  });

  it("fails at register_number when the number's PIN is another one, asking for the number's PIN", async () => {
    w.fake.state.onboarding.pins.set(NUMBER, '135790');
    const result = await signup({ pin: '246810' });
    expect(result).toMatchObject({ ok: false, step: 'register_number', code: 'PIN_MISMATCH', message: expect.stringMatching(/enter the number's PIN/) });
    expect(await saved()).toBeUndefined();
    expect((await signup({ pin: '135790' })).ok).toBe(true);
  });

  it('fails at register_number once Meta refuses more registrations in 72 hours', async () => {
    for (let i = 0; i < 10; i += 1) w.fake.state.onboarding.registrations.push({ phoneNumberId: NUMBER, pin: '246810', ok: true, at: w.fake.state.now() });
    const result = await signup();
    expect(result).toMatchObject({ ok: false, step: 'register_number', code: 'REGISTRATION_LIMIT', message: expect.stringMatching(/72-hour window/) });
  });

  it('fails at save_number for a number another workspace has connected', async () => {
    const [other] = await w.database.db('workspace').insert({ name: 'Other', slug: 'other-signup' }).returning('id');
    await w.database.db('whatsapp_number').insert({ workspace_id: (other as { id: string }).id, phone_number_id: NUMBER, waba_id: WABA, access_token_sealed: w.secrets.seal('x'.repeat(30)) });
    const result = await signup();
    expect(result).toMatchObject({ ok: false, step: 'save_number', code: 'NUMBER_IN_OTHER_WORKSPACE' });
    expect(await saved()).toMatchObject({ workspace_id: (other as { id: string }).id });
  });

  it('while the Graph API is down, fails at the first step and says to try again', async () => {
    w.fake.state.setOutage(true);
    expect(await signup()).toMatchObject({ ok: false, step: 'exchange_code', code: 'GRAPH_UNAVAILABLE', message: expect.stringMatching(/try again in a minute/) });
  });
});
