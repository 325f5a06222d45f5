import crypto from 'node:crypto';
import type { Installation, SyncEvent } from '../../core/connectors/contract';
import { createLogger } from '../../core/observability/logger';
import type { JsonObject } from '../../core/sync/conversation-event';
import { startZendeskFake, type ZendeskFake } from '../../test/fakes/zendesk/zendesk-fake';
import { deliverToZendesk } from './deliver-to-zendesk';
import { threadIdFor } from './map-event-to-resource';
import { zendeskConfigSchema, zendeskLimits, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

/** deliver() against the Zendesk fake over real HTTP, without the runtime: every mapping of a push answer. */
let fake: ZendeskFake;
let installation: Installation<ZendeskConfig, ZendeskCredentials>;
const previousApiBase = process.env.ZENDESK_API_BASE;
const ctx = () => ({ logger: createLogger({ level: 'silent' }), signal: AbortSignal.timeout(5_000) });
const conversationId = crypto.randomUUID();
let outboxId = 0;

function event(type: SyncEvent['type'], externalId: string, data: JsonObject, init: Partial<SyncEvent> = {}): SyncEvent {
  outboxId += 1;
  return {
    outboxId, eventId: crypto.randomUUID(), externalId, type, conversationId, phoneNumberId: '100000000000002', messageId: crypto.randomUUID(),
    origin: { installationId: null, own: false }, occurredAt: new Date('2026-11-21T10:00:00.123Z'), data, links: { conversation: {}, message: {} }, ...init,
  };
}
const inbound = (n: number, data: JsonObject = {}) => event('message.inbound', `wa:wamid.U_${n}`, { wamid: `wamid.U_${n}`, type: 'text', text: `hello ${n}`, from: '15550003333', contactId: 'c1', sentAt: '2026-11-21T10:00:00.000Z', ...data });

beforeEach(async () => {
  fake = await startZendeskFake({ accounts: ['acme'] });
  process.env.ZENDESK_API_BASE = fake.apiBase;
  const pushInstance = fake.state.addPushInstance('acme');
  installation = {
    id: crypto.randomUUID(), workspaceId: crypto.randomUUID(), accountId: 'acme',
    config: zendeskConfigSchema.parse({ subdomain: 'acme', instancePushId: pushInstance.instancePushId }),
    credentials: { pushToken: pushInstance.token, metadataKey: 'k'.repeat(32) },
    updateCredentials: () => Promise.reject(new Error('this test stores no credentials')),
    requireReinstall: () => Promise.reject(new Error('this test changes no installation state')),
  };
});
afterEach(() => fake.stop());
afterAll(() => {
  if (previousApiBase === undefined) delete process.env.ZENDESK_API_BASE;
  else process.env.ZENDESK_API_BASE = previousApiBase;
});

describe('deliverToZendesk', () => {
  it('uses 60% of the plan limit, 100 resources a push', () => {
    expect(zendeskLimits(installation.config)).toEqual({ batchSize: 100, requests: 240, windowMs: 60_000 });
    expect(zendeskLimits({ ...installation.config, plan: 'enterprise' }).requests).toBe(420);
  });

  it('pushes messages, skips its own echo and what tickets do not show, and is idempotent on the event id', async () => {
    const events = [
      inbound(1),
      event('message.outbound', 'tl:e-own', { wamid: null, type: 'text', text: 'from this Zendesk', sender: { platform: 'zendesk', id: 'x', name: 'Agent' } }, { origin: { installationId: installation.id, own: true } }),
      event('message.outbound', 'tl:e-hub', { wamid: null, type: 'text', text: 'from HubSpot', sender: { platform: 'hubspot', id: '42', name: 'Bo' } }, { origin: { installationId: crypto.randomUUID(), own: false } }),
      event('message.status', 'wa:wamid.U_1:read', { wamid: 'wamid.U_1', status: 'read' }),
      inbound(2, { type: 'location', text: '📍 Cafe Central, Herrengasse 14', body: { type: 'location', location: { latitude: 48.2102, longitude: 16.3655, name: 'Cafe Central', address: 'Herrengasse 14' } } }),
    ];
    const first = await deliverToZendesk(installation, events, ctx());
    expect(first.ok && first.results.map((r) => r.status)).toEqual(['delivered', 'skipped', 'delivered', 'skipped', 'delivered']);
    const account = fake.state.account('acme');
    const ticket = account.ticketForThread(threadIdFor(conversationId));
    const comments = account.commentsOf(ticket?.id ?? 0);
    expect(comments.map((c) => [c.external_id, account.users.get(c.author_id)?.external_id])).toEqual([
      ['wa:wamid.U_1', 'whatsapp:15550003333'],
      ['tl:e-hub', 'threadline-agent:hubspot:42'],
      ['wa:wamid.U_2', 'whatsapp:15550003333'],
    ]);
    expect(account.users.get(comments[1]?.author_id ?? 0)?.name).toBe('Bo (hubspot)');
    expect(comments[2]?.body).toBe('📍 Cafe Central, Herrengasse 14\n\nMap: https://www.google.com/maps/search/?api=1&query=48.2102%2C16.3655');
    expect(comments[0]?.created_at).toBe('2026-11-21T10:00:00Z');

    // Redelivered (a retry after a lost answer): already_imported is delivered, nothing is added.
    const again = await deliverToZendesk(installation, events, ctx());
    expect(again.ok && again.results.map((r) => r.status)).toEqual(['delivered', 'skipped', 'delivered', 'skipped', 'delivered']);
    expect(account.commentsOf(ticket?.id ?? 0)).toHaveLength(3);
  });

  it('retries an item Zendesk failed and the ones it halted after it, and delivers the rest', async () => {
    fake.state.account('acme').failResource('wa:wamid.U_2');
    const outcome = await deliverToZendesk(installation, [inbound(1), inbound(2), inbound(3)], ctx());
    expect(outcome).toEqual({
      ok: true,
      results: [
        expect.objectContaining({ status: 'delivered' }),
        { status: 'retry', error: expect.stringContaining('processing_error') },
        { status: 'retry', error: expect.stringContaining('halted') },
      ],
    });
  });

  it('a failed message becomes a private note on an existing ticket, and is skipped before there is one', async () => {
    const failed = (links: Record<string, string>) => event('message.failed', 'wa:wamid.U_9:failed', { wamid: 'wamid.U_9', status: 'failed', errorCode: 131047, errorTitle: 'Re-engagement message' }, { links: { conversation: links, message: {} } });
    expect(await deliverToZendesk(installation, [failed({})], ctx())).toEqual({ ok: true, results: [{ status: 'skipped', reason: 'no ticket for this conversation yet' }] });
    await deliverToZendesk(installation, [inbound(1)], ctx());
    const outcome = await deliverToZendesk(installation, [failed({ zendesk_thread: threadIdFor(conversationId) })], ctx());
    expect(outcome.ok && outcome.results[0]?.status).toBe('delivered');
    const note = fake.state.account('acme').comments.find((c) => c.external_id === 'wa:wamid.U_9:failed');
    expect(note).toMatchObject({ public: false, body: expect.stringContaining('send an approved template') });
  });

  it('a business-started conversation: one private opener in the customer\'s name per ticket, then the sender\'s comments', async () => {
    const contactId = crypto.randomUUID();
    const template = (n: number, links: Record<string, string> = {}) => event('message.outbound', `tl:e-start-${n}`, {
      wamid: null, type: 'template', text: `order_update ${n}`, to: '15550008888', contactId, sender: { platform: 'hubspot', id: 'workflow', name: 'HubSpot workflow' },
    }, { links: { conversation: links, message: {} } });
    const first = await deliverToZendesk(installation, [template(1), template(2)], ctx());
    expect(first.ok && first.results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    // A later push knows the ticket (its thread link): no opener.
    await deliverToZendesk(installation, [template(3, { zendesk_thread: threadIdFor(conversationId) })], ctx());
    const account = fake.state.account('acme');
    const ticket = account.ticketForThread(threadIdFor(conversationId));
    expect(account.users.get(ticket?.requester_id ?? 0)?.external_id).toBe('whatsapp:15550008888');
    expect(account.commentsOf(ticket?.id ?? 0).map((c) => [c.external_id, c.public, account.users.get(c.author_id)?.external_id])).toEqual([
      [`threadline:ticket:${conversationId}`, false, 'whatsapp:15550008888'],
      ['tl:e-start-1', true, 'threadline-agent:hubspot:workflow'],
      ['tl:e-start-2', true, 'threadline-agent:hubspot:workflow'],
      ['tl:e-start-3', true, 'threadline-agent:hubspot:workflow'],
    ]);
  });

  it('maps a 429 to RATE_LIMITED with its Retry-After, and a refused token to a clear error', async () => {
    fake.state.failNext(1, 'rate_limited', { scope: 'push', retryAfterSeconds: 7 });
    expect(await deliverToZendesk(installation, [inbound(1)], ctx())).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: 7_000 } });
    const wrongToken = { ...installation, credentials: { ...installation.credentials, pushToken: 'revoked' } };
    expect(await deliverToZendesk(wrongToken, [inbound(1)], ctx())).toEqual({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: expect.stringMatching(/^ZENDESK_UNAUTHORIZED: the push token was refused \(HTTP 401\)/) } });
  });
});

describe('deliverToZendesk: requesters (reference §4.2)', () => {
  const withRestToken = () => ({ ...installation, credentials: { ...installation.credentials, accessToken: fake.state.account('acme').oauth.issueStaticToken() } });
  const customer = (n: number, data: JsonObject) => event('message.inbound', `wa:wamid.R_${n}`, { wamid: `wamid.R_${n}`, type: 'text', text: `hi ${n}`, sentAt: '2026-11-21T10:00:00.000Z', ...data }, { conversationId: crypto.randomUUID() });
  const createOrUpdates = () => fake.state.requests.filter((r) => r.path === '/api/v2/users/create_or_update');

  it('a business-scoped user without a number is the requester whatsapp:<user_id>, named from the profile, with no phone', async () => {
    const contactId = crypto.randomUUID();
    const userId = 'user.fakebsuid0000000000000000000000000000000000000000000000000001';
    const outcome = await deliverToZendesk(withRestToken(), [customer(1, { from: null, fromUserId: userId, profileName: 'Test Customer', username: '@fake.customer', contactId })], ctx());
    const account = fake.state.account('acme');
    const user = [...account.users.values()].find((u) => u.external_id === `whatsapp:${userId}`);
    expect(user).toMatchObject({ name: 'Test Customer' });
    expect(account.identitiesOf(user?.id ?? 0)).toEqual([]);
    expect(account.comments.map((c) => c.author_id)).toEqual([user?.id]);
    expect(outcome.ok && outcome.results[0]).toEqual({ status: 'delivered', links: expect.arrayContaining([{ entityType: 'contact', entityId: contactId, externalType: 'zendesk_user', externalId: String(user?.id) }]) });
  });

  it('a rate-limited user call makes the whole batch RATE_LIMITED with its Retry-After, and nothing is pushed', async () => {
    fake.state.failNext(1, 'rate_limited', { scope: 'api', retryAfterSeconds: 2 });
    const events = [customer(1, { from: '15550004444', contactId: crypto.randomUUID() }), inbound(2)];
    expect(await deliverToZendesk(withRestToken(), events, ctx())).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^Zendesk users: /), retryAfterMs: 2_000 } });
    expect(fake.state.requests.filter((r) => r.path === '/api/v2/any_channel/push')).toEqual([]);
  });

  it('a token without the users scope holds the new customer\'s conversation from there on, with a re-authorise error; others go', async () => {
    const readOnly = { ...installation, credentials: { ...installation.credentials, accessToken: fake.state.account('acme').oauth.issueStaticToken(['read']) } };
    const ana = customer(1, { from: '15550006001', contactId: crypto.randomUUID() });
    const anaReply = event('message.outbound', 'tl:e-ana', { wamid: null, type: 'text', text: 'from HubSpot', sender: { platform: 'hubspot', id: '1', name: 'Bo' } }, { conversationId: ana.conversationId });
    const ben = customer(2, { from: '15550006002', contactId: crypto.randomUUID() });
    const linkedBen = { ...ben, links: { ...ben.links, contact: { zendesk_user: '42' } } };
    const outcome = await deliverToZendesk(readOnly, [ana, linkedBen, anaReply], ctx());
    const reauthorise = { status: 'retry', error: expect.stringMatching(/^ZENDESK_REAUTHORISE: Zendesk says the REST token lacks a scope .*re-authorise Threadline/) };
    expect(outcome).toEqual({ ok: true, results: [reauthorise, expect.objectContaining({ status: 'delivered' }), reauthorise] });
    expect(fake.state.account('acme').comments.map((c) => c.external_id)).toEqual(['wa:wamid.R_2']);
  });

  it('sets up at most 25 new requesters per push; the rest are pushed anyway and set up with their next message', async () => {
    const events = Array.from({ length: 27 }, (_, n) => customer(n, { from: String(15550005000 + n), contactId: crypto.randomUUID() }));
    const outcome = await deliverToZendesk(withRestToken(), events, ctx());
    expect(createOrUpdates()).toHaveLength(25);
    if (!outcome.ok) throw new Error(outcome.error.message);
    const linked = outcome.results.map((r) => r.status === 'delivered' && (r.links ?? []).some((l) => l.entityType === 'contact'));
    expect(linked).toEqual(Array.from({ length: 27 }, (_, n) => n < 25));
    expect(fake.state.account('acme').comments).toHaveLength(27);
  });
});
