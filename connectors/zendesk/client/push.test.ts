import { z } from 'zod';
import { startZendeskFake, type PushInstance, type ZendeskFake } from '../../../test/fakes/zendesk/zendesk-fake';
import { pushExternalResources } from './push';
import { fakeConfig, whatsappMessage } from './test-helpers';

let fake: ZendeskFake;
let instance: PushInstance;

beforeEach(async () => {
  fake = await startZendeskFake({ accounts: ['acme', 'globex'] });
  instance = fake.state.addPushInstance('acme');
});
afterEach(() => fake.stop());

const push = (resources: Parameters<typeof pushExternalResources>[1]['resources'], init: { token?: string; instancePushId?: string; subdomain?: string } = {}) =>
  pushExternalResources(fakeConfig(fake.apiBase), {
    subdomain: init.subdomain ?? 'acme',
    pushToken: init.token ?? instance.token,
    instancePushId: init.instancePushId ?? instance.instancePushId,
    requestId: 'sync-42',
    resources,
  });

const pushRequests = () => fake.state.requests.filter((r) => r.path === '/api/v2/any_channel/push');

describe('pushExternalResources', () => {
  it('splits 250 resources into pushes of at most 100, and one thread becomes one ticket', async () => {
    const outcome = await push(Array.from({ length: 250 }, (_, i) => whatsappMessage(i)));

    expect(outcome.ok).toBe(true);
    expect(outcome.items).toHaveLength(250);
    expect(outcome.items.every((i) => i.outcome === 'imported' && i.code === 'success')).toBe(true);
    const sizes = pushRequests().map((r) => z.object({ external_resources: z.array(z.unknown()) }).parse(r.body).external_resources.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(outcome.items.map((i) => i.requestId)).toEqual([...Array(100).fill('sync-42-1'), ...Array(100).fill('sync-42-2'), ...Array(50).fill('sync-42-3')]);
    const account = fake.state.account('acme');
    expect(account.tickets.size).toBe(1);
    expect(account.comments).toHaveLength(250);
  });

  it('the fake itself refuses a push of more than 100 resources', async () => {
    const res = await fetch(`${fake.baseUrlFor('acme')}/api/v2/any_channel/push`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${instance.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ instance_push_id: instance.instancePushId, external_resources: Array.from({ length: 101 }, (_, i) => whatsappMessage(i)) }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: 'RecordInvalid', details: { external_resources: [{ error: 'TooLong' }] } });
  });

  it('reads each result of a 200: a missing parent is rejected, what follows is halted, a processing error is retried', async () => {
    fake.state.account('acme').failResource('wamid.TEST_3', 'Temporary glitch');
    const first = await push([whatsappMessage(1), whatsappMessage(2, { thread_id: undefined, parent_id: 'wamid.UNKNOWN' }), whatsappMessage(9)]);
    expect(first.ok && first.items.map((i) => [i.externalId, i.outcome, i.code])).toEqual([
      ['wamid.TEST_1', 'imported', 'success'],
      ['wamid.TEST_2', 'rejected', 'could_not_locate_parent_external_resource'],
      ['wamid.TEST_9', 'retry', 'halted'],
    ]);

    const second = await push([whatsappMessage(1), whatsappMessage(3), whatsappMessage(9)]);
    expect(second.ok && second.items.map((i) => [i.outcome, i.code, i.description])).toEqual([
      ['imported', 'already_imported', undefined],
      ['retry', 'processing_error', 'Temporary glitch'],
      ['retry', 'halted', 'Not processed because an earlier resource failed'],
    ]);

    const third = await push([whatsappMessage(3), whatsappMessage(9)]);
    expect(third.ok && third.items.map((i) => i.code)).toEqual(['success', 'success']);
    // Idempotent on external_id: wamid.TEST_1 is one comment however often it is pushed.
    expect(fake.state.account('acme').comments.map((c) => c.external_id)).toEqual(['wamid.TEST_1', 'wamid.TEST_3', 'wamid.TEST_9']);
  });

  it('refuses a resource our schema rejects without sending it, and sends the others', async () => {
    const outcome = await push([
      whatsappMessage(1, { parent_id: 'wamid.TEST_0' }),
      whatsappMessage(2, { file_urls: Array.from({ length: 11 }, (_, i) => `https://files.example/${i}.jpg`) }),
      whatsappMessage(3, { message: '' }),
      whatsappMessage(4),
    ]);
    expect(outcome.ok && outcome.items.map((i) => [i.externalId, i.code])).toEqual([
      ['wamid.TEST_1', 'invalid'],
      ['wamid.TEST_2', 'invalid'],
      ['wamid.TEST_3', 'invalid'],
      ['wamid.TEST_4', 'success'],
    ]);
    expect(outcome.items[0]?.description).toContain('exclusive');
    expect(pushRequests()).toHaveLength(1);
  });

  it('surfaces a 429 with its Retry-After, and keeps the batches sent before it', async () => {
    fake.state.failNext(1, 'rate_limited', { scope: 'push', retryAfterSeconds: 7 });
    const limited = await push([whatsappMessage(1)]);
    expect(limited).toEqual({ ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 7000 }), items: [] });

    // The account-wide limit (the scripted 429 above did not count): the third push of the minute is over it.
    fake.state.account('acme').rateLimitPerMinute = 2;
    const outcome = await push(Array.from({ length: 300 }, (_, i) => whatsappMessage(i)));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('RATE_LIMITED');
    expect(outcome.error.retryAfterMs).toBeGreaterThan(0);
    expect(outcome.error.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(outcome.items).toHaveLength(200);
    expect(pushRequests().at(-1)?.status).toBe(429);
  });

  it('maps auth failures and outages', async () => {
    expect(await push([whatsappMessage(1)], { token: 'not-a-push-token' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
    const other = fake.state.addPushInstance('acme');
    expect(await push([whatsappMessage(1)], { instancePushId: other.instancePushId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // A push token is only good on its own account.
    expect(await push([whatsappMessage(1)], { subdomain: 'globex' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    fake.state.setOutage(true);
    expect(await push([whatsappMessage(1)])).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', status: 503 } });
  });

  it('tells Threadline which ticket each message landed on through the event callback', async () => {
    const received: unknown[] = [];
    const sink = await startSink(received);
    try {
      const withCallback = fake.state.addPushInstance('acme', { eventCallbackUrl: sink.url });
      await pushExternalResources(fakeConfig(fake.apiBase), {
        subdomain: 'acme',
        pushToken: withCallback.token,
        instancePushId: withCallback.instancePushId,
        requestId: 'req-1',
        resources: [whatsappMessage(1), whatsappMessage(2)],
      });
      await fake.flushEventCallbacks();
      const ticketId = fake.state.account('acme').resources.get('wamid.TEST_1')?.ticketId;
      expect(received).toEqual([
        {
          events: [
            expect.objectContaining({
              type_id: 'resources_created_from_external_ids',
              subdomain: 'acme',
              data: {
                request_id: 'req-1',
                resource_events: [
                  expect.objectContaining({ type_id: 'comment_on_new_ticket', external_id: 'wamid.TEST_1', ticket_id: ticketId }),
                  expect.objectContaining({ type_id: 'comment_on_existing_ticket', external_id: 'wamid.TEST_2', ticket_id: ticketId }),
                ],
              },
            }),
          ],
        },
      ]);
    } finally {
      await sink.stop();
    }
  });
});

async function startSink(received: unknown[]): Promise<{ url: string; stop(): Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/events`, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
