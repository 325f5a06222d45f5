import { startZendeskFake, type ZendeskFake } from '../../../test/fakes/zendesk/zendesk-fake';
import { pushExternalResources } from './push';
import { ZendeskRestClient } from './rest-client';
import { fakeConfig, whatsappMessage } from './test-helpers';

let fake: ZendeskFake;
let client: ZendeskRestClient;

beforeEach(async () => {
  fake = await startZendeskFake();
  client = new ZendeskRestClient(fakeConfig(fake.apiBase), 'acme', fake.state.account('acme').oauth.issueStaticToken());
});
afterEach(() => fake.stop());

/** A WhatsApp conversation's ticket, made the way production makes it: a push. */
async function pushedTicket(): Promise<number> {
  const instance = fake.state.addPushInstance('acme');
  await pushExternalResources(fakeConfig(fake.apiBase), { subdomain: 'acme', pushToken: instance.token, instancePushId: instance.instancePushId, resources: [whatsappMessage(1)] });
  const ticketId = fake.state.account('acme').resources.get('wamid.TEST_1')?.ticketId;
  if (ticketId === undefined) throw new Error('push did not create a ticket');
  return ticketId;
}

describe('ZendeskRestClient (node-zendesk)', () => {
  it('finds or creates the WhatsApp requester by external_id and gives it a phone identity once', async () => {
    const first = await client.ensureWhatsAppUser({ waId: '15551234567', name: 'Ana Customer' });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.created).toBe(true);
    expect(first.value.user).toMatchObject({ name: 'Ana Customer', external_id: 'whatsapp:15551234567' });

    const again = await client.ensureWhatsAppUser({ waId: '15551234567', name: 'Ana C.' });
    expect(again).toMatchObject({ ok: true, value: { created: false, user: { id: first.value.user.id, name: 'Ana C.' } } });
    const identities = await client.listIdentities(first.value.user.id);
    expect(identities.ok && identities.value.filter((i) => i.type === 'phone_number').map((i) => i.value)).toEqual(['+15551234567']);

    const found = await client.findUserByExternalId('WHATSAPP:15551234567');
    expect(found.ok && found.value?.id).toBe(first.value.user.id);
    expect(await client.findUserByExternalId('whatsapp:19999999999')).toEqual({ ok: true, value: null });
    const body = fake.state.requests.find((r) => r.path === '/api/v2/users/create_or_update')?.body;
    expect(body).toEqual({ user: { name: 'Ana Customer', external_id: 'whatsapp:15551234567', skip_verify_email: true } });
  });

  it('returns 422 field errors as UNPROCESSABLE', async () => {
    expect(await client.createOrUpdateUser({ name: '', externalId: 'whatsapp:1' })).toMatchObject({
      ok: false,
      error: { code: 'UNPROCESSABLE', status: 422, fieldErrors: { name: [{ error: 'BlankValue', description: expect.stringContaining('too short') }] } },
    });
    const a = await client.createOrUpdateUser({ name: 'A', externalId: 'whatsapp:1' });
    const b = await client.createOrUpdateUser({ name: 'B', externalId: 'whatsapp:2' });
    if (!a.ok || !b.ok) throw new Error('users not created');
    expect((await client.addPhoneIdentity(a.value.user.id, '+1 555 000 1111')).ok).toBe(true);
    // create_or_update never matches on phone, so two users can claim a number: Zendesk refuses the second identity.
    expect(await client.addPhoneIdentity(b.value.user.id, '+15550001111')).toMatchObject({ ok: false, error: { code: 'UNPROCESSABLE', fieldErrors: { value: [{ error: 'DuplicateValue' }] } } });
  });

  it('reads and updates a ticket: status, priority, tags, group, internal note, safe update', async () => {
    const ticketId = await pushedTicket();
    expect(await client.getTicket(ticketId)).toMatchObject({ ok: true, value: { id: ticketId, status: 'new', tags: [] } });

    const updated = await client.updateTicket(ticketId, { status: 'pending', priority: 'high', tags: ['whatsapp', 'vip'], groupId: 360000000001, comment: { body: 'Delivery failed (131047)', public: false } });
    expect(updated).toMatchObject({ ok: true, value: { status: 'pending', priority: 'high', tags: ['whatsapp', 'vip'], group_id: 360000000001 } });
    expect(fake.state.account('acme').commentsOf(ticketId).at(-1)).toMatchObject({ body: 'Delivery failed (131047)', public: false });

    // A safe update from a stale read is refused; from the current stamp it goes through.
    expect(await client.updateTicket(ticketId, { priority: 'urgent', updatedStamp: '2000-01-01T00:00:00Z' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', status: 409 } });
    expect(await client.updateTicket(ticketId, { priority: 'urgent', updatedStamp: updated.ok ? updated.value.updated_at : '' })).toMatchObject({ ok: true, value: { priority: 'urgent' } });
    expect(await client.updateTicket(ticketId, { groupId: 1 })).toMatchObject({ ok: false, error: { code: 'UNPROCESSABLE', fieldErrors: { group_id: [expect.anything()] } } });
    expect((await client.updateTicket(ticketId, { status: 'closed' })).ok).toBe(true);
    expect(await client.updateTicket(ticketId, { status: 'open' })).toMatchObject({ ok: false, error: { code: 'UNPROCESSABLE', fieldErrors: { status: [{ description: 'Status: closed prevents ticket update' }] } } });
    expect(await client.getTicket(999)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', status: 404, message: 'RecordNotFound: Not found' } });
  });

  it('turns the 429 node-zendesk resolves into RATE_LIMITED with Retry-After', async () => {
    fake.state.failNext(1, 'rate_limited', { retryAfterSeconds: 42 });
    expect(await client.getTicket(1)).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', status: 429, retryAfterMs: 42_000, message: 'Zendesk rate limit exceeded (HTTP 429)' },
    });
    fake.state.account('acme').rateLimitPerMinute = 1;
    await client.getTicket(1);
    const limited = await client.getTicket(1);
    expect(limited.ok === false && limited.error.code).toBe('RATE_LIMITED');
    expect(limited.ok === false && limited.error.retryAfterMs).toBeGreaterThan(0);
  });

  it('maps 401, 403, the 502 node-zendesk resolves as success, outages and unreachable hosts', async () => {
    const stranger = new ZendeskRestClient(fakeConfig(fake.apiBase), 'acme', 'not-a-token');
    expect(await stranger.getTicket(1)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
    const readOnly = new ZendeskRestClient(fakeConfig(fake.apiBase), 'acme', fake.state.account('acme').oauth.issueStaticToken(['read']));
    expect(await readOnly.createOrUpdateUser({ name: 'A', externalId: 'whatsapp:1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', status: 403 } });

    fake.state.failNext(1, { status: 502, body: 'Bad Gateway' });
    expect(await client.getTicket(1)).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', status: 502 } });
    fake.state.setOutage(true);
    expect(await client.findUserByExternalId('whatsapp:1')).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', status: 503 } });
    fake.state.setOutage(false);

    await fake.stop();
    expect(await client.getTicket(1)).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: expect.stringContaining('Could not reach Zendesk') } });
    fake = await startZendeskFake();
  });
});
