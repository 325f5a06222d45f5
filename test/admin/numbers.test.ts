import { registerNumber } from '../../core/numbers/register-number';
import { GraphClient, type PhoneNumberInfo } from '../../core/whatsapp/graph-client';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { ADMIN_AUTH, createOtherWorkspace, textWebhook, waitFor, waitForInboxDrained } from './admin-helpers';

/** A second number the fake knows (token fake-token-100000000000003), connected to no workspace yet. */
const SECOND_NUMBER = '100000000000003';

const fixtureBody = (extra: Record<string, unknown> = {}) => ({
  phone_number_id: fixtureNumber.phoneNumberId,
  waba_id: fixtureNumber.wabaId,
  access_token: fixtureNumber.accessToken,
  ...extra,
});

describe('admin API: connecting WhatsApp numbers (against the Meta fake)', () => {
  let fake: MetaFake;
  let rt: TestRuntime;

  beforeAll(async () => {
    fake = await startMetaFake();
    fake.state.addNumber({ phoneNumberId: SECOND_NUMBER, displayPhoneNumber: '15550003030', verifiedName: 'Second Line' });
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: { pollIntervalMs: 50 } });
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });
  afterEach(() => fake.state.setOutage(false));

  const register = (body: object) => rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH).send(body);
  const numberRow = (phoneNumberId: string) => rt.db('whatsapp_number').where({ phone_number_id: phoneNumberId }).first();
  const inboxRow = (wamid: string) => rt.db('inbox_event').where({ dedupe_key: `m:${wamid}` }).first('state', 'workspace_id');

  it('201 with the details Meta reports; webhooks for the number are routed from the very next request', async () => {
    // Before: Meta's webhooks for the number are kept but belong to no workspace.
    const before = textWebhook({ wamid: 'wamid.ROUTE_BEFORE', from: '15550001111', name: 'Test Customer', timestamp: 1750000000, body: 'anyone there?' });
    expect((await rt.postWebhook(before)).status).toBe(200);
    expect(await inboxRow('wamid.ROUTE_BEFORE')).toEqual({ state: 'unrouted', workspace_id: null });

    const res = await register(fixtureBody());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      phone_number_id: fixtureNumber.phoneNumberId,
      waba_id: fixtureNumber.wabaId,
      display_phone_number: '+1 555-000-2222', // as the Graph API formats it
      verified_name: fixtureNumber.verifiedName,
      quality_rating: 'GREEN',
      state: 'active',
      read_receipts: 'on_assign',
    });
    expect(Object.keys(res.body).filter((k) => /token/i.test(k))).toEqual([]);
    // The token was checked with Meta before anything was saved.
    expect(fake.state.requests.filter((r) => r.path === `/v24.0/${fixtureNumber.phoneNumberId}`).map((r) => r.token)).toEqual([fixtureNumber.accessToken]);

    // Within the directory's one-second miss throttle: only an explicit invalidation makes this routed.
    const after = textWebhook({ wamid: 'wamid.ROUTE_AFTER', from: '15550001111', name: 'Test Customer', timestamp: 1750000100, body: 'hello again' });
    const posted = await rt.postWebhook(after);
    expect(posted.body).toMatchObject({ stored: 1 });
    const routed = await inboxRow('wamid.ROUTE_AFTER');
    expect(routed.workspace_id).toBe(rt.workspace.id);
    expect(['pending', 'processed']).toContain(routed.state);
    await waitFor(async () => (await inboxRow('wamid.ROUTE_AFTER')).state === 'processed', 'the routed event to be processed');
    const conversations = await rt.http().get('/api/v1/conversations').set('authorization', ADMIN_AUTH);
    expect(conversations.body.items).toEqual([expect.objectContaining({ phone_number_id: fixtureNumber.phoneNumberId, contact: expect.objectContaining({ wa_id: '15550001111' }) })]);
  });

  it('stores the access token sealed: no column of the row or its audit entry holds it, and the key opens it', async () => {
    const row = await numberRow(fixtureNumber.phoneNumberId);
    expect(JSON.stringify(row)).not.toContain(fixtureNumber.accessToken);
    expect(row.access_token_sealed).toMatch(/^v1\./);
    expect(rt.secrets.open(row.access_token_sealed)).toBe(fixtureNumber.accessToken);
    const audit = await rt.db('audit_log').where({ entity_id: row.id }).select('actor', 'action', 'data');
    expect(audit).toEqual([expect.objectContaining({ actor: 'admin-token', action: 'number.registered' })]);
    expect(JSON.stringify(audit)).not.toContain(fixtureNumber.accessToken);
  });

  it('registering again answers 200 on the same number, re-seals the token and clears needs_attention', async () => {
    const first = await numberRow(fixtureNumber.phoneNumberId);
    await rt.db('whatsapp_number').where({ id: first.id }).update({ state: 'needs_attention', state_reason: 'mark as read: Graph API error 190' });
    const res = await register(fixtureBody());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: first.id, state: 'active', state_reason: null });
    const again = await numberRow(fixtureNumber.phoneNumberId);
    expect(again.access_token_sealed).not.toBe(first.access_token_sealed);
    expect(rt.secrets.open(again.access_token_sealed)).toBe(fixtureNumber.accessToken);
    expect(await rt.db('whatsapp_number').pluck('id')).toEqual([first.id]);
    expect(await rt.db('audit_log').where({ entity_id: first.id }).orderBy('id').pluck('action')).toEqual(['number.registered', 'number.updated']);
  });

  it('a new read-receipt policy applies to the very next message (no stale engine cache)', async () => {
    const readsOf = (wamid: string) => fake.state.reads.filter((r) => r.messageId === wamid).length;
    expect((await register(fixtureBody({ read_receipts: 'on_receipt' }))).body.read_receipts).toBe('on_receipt');
    await rt.postWebhook(textWebhook({ wamid: 'wamid.RR_ON', from: '15550001111', name: 'Test Customer', timestamp: 1750000200, body: 'first' }));
    await waitFor(async () => readsOf('wamid.RR_ON') === 1, 'the read receipt of the first message');

    expect((await register(fixtureBody({ read_receipts: 'never' }))).body.read_receipts).toBe('never');
    await rt.postWebhook(textWebhook({ wamid: 'wamid.RR_NEVER', from: '15550001111', name: 'Test Customer', timestamp: 1750000300, body: 'second' }));
    await waitForInboxDrained(rt.db);
    await waitFor(async () => (await rt.db('graphile_worker.jobs').where({ task_identifier: 'whatsapp.mark_read' }).pluck('id')).length === 0, 'read-receipt jobs to finish');
    expect(readsOf('wamid.RR_NEVER')).toBe(0);
  });

  it('422 TOKEN_INVALID when Meta rejects the token; the stored token is left as it was', async () => {
    const before = await numberRow(fixtureNumber.phoneNumberId);
    const res = await register(fixtureBody({ access_token: 'EAAGnot-a-token-meta-knows-0123' }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('TOKEN_INVALID');
    expect(res.body.error.message).toMatch(/access token/);
    expect(res.body.error.message).not.toContain('EAAGnot-a-token');
    expect((await numberRow(fixtureNumber.phoneNumberId)).access_token_sealed).toBe(before.access_token_sealed);
  });

  it('422 PHONE_NUMBER_NOT_FOUND naming the id when the token cannot see that number; nothing saved', async () => {
    const res = await register(fixtureBody({ phone_number_id: '100000000000777' }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('PHONE_NUMBER_NOT_FOUND');
    expect(res.body.error.message).toContain('100000000000777');
    expect(await numberRow('100000000000777')).toBeUndefined();
  });

  it.each([
    ['an empty 503 from a load balancer', { graphError: false }],
    ['a Graph code 2 error', { graphError: true, httpStatus: 500 }],
  ])('502 GRAPH_UNAVAILABLE while the Graph API is down (%s); nothing saved', async (_label, outage) => {
    fake.state.setOutage(true, outage);
    const res = await register({ phone_number_id: SECOND_NUMBER, waba_id: fixtureNumber.wabaId, access_token: `fake-token-${SECOND_NUMBER}` });
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({ code: 'GRAPH_UNAVAILABLE', message: expect.stringMatching(/try again/) });
    expect(await numberRow(SECOND_NUMBER)).toBeUndefined();
  });

  it.each([
    ['a missing field', { waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken }, 'phone_number_id'],
    ['an extra field', fixtureBody({ webhook_url: 'https://example.com' }), 'webhook_url'],
    ['a non-numeric id', fixtureBody({ waba_id: 'my-waba' }), 'waba_id'],
    ['a token too short to be one', fixtureBody({ access_token: 'abc' }), 'access_token'],
    ['an unknown read-receipt policy', fixtureBody({ read_receipts: 'always' }), 'read_receipts'],
  ])('400 INVALID_REQUEST for %s, naming the field, without asking Meta', async (_label, body, field) => {
    const asked = fake.state.requests.length;
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain(field);
    expect(fake.state.requests.length).toBe(asked);
  });

  it('400 MALFORMED_JSON for a body that is not JSON', async () => {
    const res = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH).set('content-type', 'application/json').send('{"phone_number_id": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('409 for a number another workspace has connected; that workspace keeps it', async () => {
    const other = await createOtherWorkspace(rt.db, SECOND_NUMBER);
    try {
      const res = await register({ phone_number_id: SECOND_NUMBER, waba_id: fixtureNumber.wabaId, access_token: `fake-token-${SECOND_NUMBER}` });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('NUMBER_IN_OTHER_WORKSPACE');
      expect(await numberRow(SECOND_NUMBER)).toMatchObject({ workspace_id: other.workspaceId, access_token_sealed: other.sealedToken });
    } finally {
      await rt.db('workspace').where({ id: other.workspaceId }).delete();
    }
  });

  it("409 for a number in another workspace's WABA: WABA-level webhooks must route to one workspace", async () => {
    const other = await createOtherWorkspace(rt.db, '100000000000077');
    try {
      const res = await register({ phone_number_id: SECOND_NUMBER, waba_id: '100000000000091', access_token: `fake-token-${SECOND_NUMBER}` });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/WhatsApp Business Account is connected to another workspace/);
      expect(await numberRow(SECOND_NUMBER)).toBeUndefined();
    } finally {
      await rt.db('workspace').where({ id: other.workspaceId }).delete();
    }
  });

  it('409, not a takeover, when another workspace connects the number while Meta is being asked', async () => {
    let other: Awaited<ReturnType<typeof createOtherWorkspace>> | undefined;
    /** Lets the other workspace win the race at the worst moment: between the ownership check and the save. */
    class GraphWhileAnotherWorkspaceConnects extends GraphClient {
      override async getPhoneNumber(phoneNumberId: string, token: string): Promise<PhoneNumberInfo> {
        other = await createOtherWorkspace(rt.db, phoneNumberId);
        return super.getPhoneNumber(phoneNumberId, token);
      }
    }
    const graph = new GraphWhileAnotherWorkspaceConnects({ baseUrl: fake.baseUrl, version: 'v24.0' });
    try {
      const result = await registerNumber({ db: rt.db, graph, secrets: rt.secrets }, rt.workspace.id,
        { phoneNumberId: SECOND_NUMBER, wabaId: fixtureNumber.wabaId, accessToken: `fake-token-${SECOND_NUMBER}` }, 'admin-token');
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'NUMBER_IN_OTHER_WORKSPACE' }) });
      expect(await numberRow(SECOND_NUMBER)).toMatchObject({ workspace_id: other?.workspaceId, access_token_sealed: other?.sealedToken });
    } finally {
      if (other) await rt.db('workspace').where({ id: other.workspaceId }).delete();
    }
  });

  it("GET lists this workspace's numbers and nothing that could carry a token", async () => {
    const other = await createOtherWorkspace(rt.db, SECOND_NUMBER);
    try {
      const res = await rt.http().get('/api/v1/numbers').set('authorization', ADMIN_AUTH);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ phone_number_id: fixtureNumber.phoneNumberId, verified_name: fixtureNumber.verifiedName, state: 'active' })]);
      for (const item of res.body.items) expect(Object.keys(item).filter((k) => /token|sealed/i.test(k))).toEqual([]);
      expect(res.text).not.toContain(fixtureNumber.accessToken);
      expect(res.text).not.toMatch(/"v1\./);
    } finally {
      await rt.db('workspace').where({ id: other.workspaceId }).delete();
    }
  });
});
