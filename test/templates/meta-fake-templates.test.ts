import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureJson } from '../support/fixtures';

const WABA = fixtureNumber.wabaId;

describe('Meta fake: GET /{waba-id}/message_templates', () => {
  let fake: MetaFake;

  beforeAll(async () => {
    fake = await startMetaFake();
    fake.state.addNumber({ phoneNumberId: '100000000000005', wabaId: '100000000000055' });
    fake.state.templates.addFixtureTemplates();
    for (let i = 0; i < 4; i += 1) fake.state.templates.add({ name: `extra_${i}`, status: i % 2 ? 'APPROVED' : 'PENDING' });
  });
  afterAll(() => fake?.stop());

  async function get(query: Record<string, string>, token: string = fixtureNumber.accessToken, waba = WABA) {
    const url = new URL(`${fake.baseUrl}/v24.0/${waba}/message_templates`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { data: Record<string, unknown>[]; paging?: { cursors: { before: string; after: string }; next?: string }; error?: { code: number; error_subcode?: number } } };
  }

  it('answers the fixture templates in the fixture shape, with only the requested fields (and id)', async () => {
    const fields = 'name,parameter_format,components,language,status,category,id';
    const { status, body } = await get({ fields, limit: '3' });
    expect(status).toBe(200);
    const fixture = fixtureJson('template-list-response.json') as { data: unknown[] };
    expect(body.data).toEqual(fixture.data);
    expect(Object.keys(body.data[0] ?? {})).toEqual(fields.split(','));

    const narrow = await get({ fields: 'name,status' });
    expect(narrow.body.data[0]).toEqual({ name: 'order_update', status: 'APPROVED', id: '800000000000001' });
  });

  it('pages with limit and the after cursor: cursors on every page, next only while there is more', async () => {
    const first = await get({ limit: '3', fields: 'name' });
    expect(first.body.data.map((t) => t.name)).toEqual(['order_update', 'summer_promo', 'weekly_deals']);
    expect(first.body.paging).toEqual({ cursors: { before: expect.any(String), after: expect.any(String) }, next: expect.stringContaining('after=') });
    const next = new URL(first.body.paging?.next ?? '');
    expect(next.searchParams.get('limit')).toBe('3');
    expect(next.searchParams.get('fields')).toBe('name');

    const second = await get({ limit: '3', fields: 'name', after: first.body.paging?.cursors.after ?? '' });
    expect(second.body.data.map((t) => t.name)).toEqual(['extra_0', 'extra_1', 'extra_2']);
    expect(second.body.paging?.next).toEqual(expect.any(String));
    const last = await get({ limit: '3', fields: 'name', after: second.body.paging?.cursors.after ?? '' });
    expect(last.body.data.map((t) => t.name)).toEqual(['extra_3']);
    expect(last.body.paging).toEqual({ cursors: { before: expect.any(String), after: expect.any(String) } });
    const beyond = await get({ limit: '3', after: last.body.paging?.cursors.after ?? '' });
    expect(beyond.body).toEqual({ data: [] });
  });

  it('filters by status (one or several)', async () => {
    expect((await get({ status: 'APPROVED', fields: 'name' })).body.data.map((t) => t.name)).toEqual(['order_update', 'extra_1', 'extra_3']);
    expect((await get({ status: 'PAUSED,REJECTED', fields: 'name' })).body.data.map((t) => t.name)).toEqual(['summer_promo', 'weekly_deals']);
  });

  it('refuses what Graph refuses: unknown field, bad limit or cursor (100), another WABA (100/33), a bad token (190)', async () => {
    expect(await get({ fields: 'name,nonsense' })).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await get({ limit: '0' })).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await get({ after: 'not-a-cursor' })).toMatchObject({ status: 400, body: { error: { code: 100 } } });
    expect(await get({}, fixtureNumber.accessToken, '100000000000055')).toMatchObject({ status: 400, body: { error: { code: 100, error_subcode: 33 } } });
    expect((await get({}, 'fake-token-100000000000005', '100000000000055')).body).toEqual({ data: [] });
    expect(await get({}, 'nobody')).toMatchObject({ status: 401, body: { error: { code: 190 } } });
  });

  it('the WABA rate limit 80007 is scriptable with failNext', async () => {
    fake.state.failNext(1, 80007, { scope: 'any' });
    expect(await get({})).toMatchObject({ status: 400, body: { error: { code: 80007 } } });
    expect((await get({})).status).toBe(200);
  });
});
