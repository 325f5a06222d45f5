import { startZendeskFake, type ZendeskFake } from '../fakes/zendesk/zendesk-fake';

/** The fake's own contract: what it rejects, so connector tests fail where Zendesk would. */
let fake: ZendeskFake;
let token: string;

beforeEach(async () => {
  fake = await startZendeskFake({ accounts: ['acme', 'globex'] });
  token = fake.state.account('acme').oauth.issueStaticToken();
});
afterEach(() => fake.stop());

const call = (path: string, init: { method?: string; body?: unknown; token?: string; subdomain?: string } = {}) =>
  fetch(`${fake.baseUrlFor(init.subdomain ?? 'acme')}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${init.token ?? token}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

describe('Zendesk fake', () => {
  it('serves each account under its subdomain prefix, with and without .json', async () => {
    const created = await call('/api/v2/users/create_or_update.json', { method: 'POST', body: { user: { name: 'Ana', external_id: 'whatsapp:1' } } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(/\/acme\/api\/v2\/users\/\d+\.json$/);
    expect(created.headers.get('x-rate-limit')).toBe('400');
    const { user } = (await created.json()) as { user: { id: number } };
    expect((await call(`/api/v2/users/${user.id}`)).status).toBe(200);
    // Tokens belong to one account.
    expect((await call(`/api/v2/users/${user.id}`, { subdomain: 'globex' })).status).toBe(401);
    expect((await call('/api/v2/users/1', { subdomain: 'nosuch' })).status).toBe(404);
    expect(await (await call('/api/v2/macros')).json()).toEqual({ error: 'InvalidEndpoint', description: 'Not found' });
  });

  it('rejects what Zendesk rejects: a user without its root key, a push with bad resources', async () => {
    const bare = await call('/api/v2/users/create_or_update', { method: 'POST', body: { name: 'Ana', external_id: 'whatsapp:1' } });
    expect(bare.status).toBe(400);
    const instance = fake.state.addPushInstance('acme');
    const push = await call('/api/v2/any_channel/push', {
      method: 'POST',
      token: instance.token,
      body: { instance_push_id: instance.instancePushId, external_resources: [{ external_id: ' x', message: 'hi', created_at: 'yesterday', author: {} }] },
    });
    expect(push.status).toBe(422);
    const body = (await push.json()) as { details: Record<string, unknown> };
    expect(Object.keys(body.details).sort()).toEqual(['external_resources.0.author.external_id', 'external_resources.0.created_at', 'external_resources.0.external_id']);
  });

  it('opens a follow-up ticket when a thread’s ticket is closed, and reopens a solved one on a customer comment', async () => {
    const instance = fake.state.addPushInstance('acme');
    const account = fake.state.account('acme');
    const resource = (n: number) => ({ external_id: `m${n}`, message: `hi ${n}`, thread_id: 't1', created_at: '2026-11-21T10:00:00Z', author: { external_id: 'whatsapp:1' } });
    const push = (n: number) => call('/api/v2/any_channel/push', { method: 'POST', token: instance.token, body: { instance_push_id: instance.instancePushId, external_resources: [resource(n)] } });
    await push(1);
    const first = account.ticketForThread('t1');
    if (!first) throw new Error('no ticket');
    first.status = 'solved';
    await push(2);
    expect(first.status).toBe('open');
    first.status = 'closed';
    await push(3);
    const followUp = account.ticketForThread('t1');
    expect(followUp?.id).not.toBe(first.id);
    expect(followUp?.via_followup_source_id).toBe(first.id);
  });
});
