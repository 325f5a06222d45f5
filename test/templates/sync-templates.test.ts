import { listTemplates } from '../../core/templates/list-templates';
import { syncTemplates } from '../../core/templates/sync-templates';
import { GraphClient, type ListTemplatesOptions, type TemplatePage } from '../../core/whatsapp/graph-client';
import { createOtherWorkspace } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureJson } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { connectFixtureNumber, listingRequests, resetTemplates, storedTemplates, syncDeps, WABA } from './template-helpers';

describe('syncTemplates against the Meta fake', () => {
  let fake: MetaFake;
  let rt: TestRuntime;

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: false });
    await connectFixtureNumber(rt);
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });
  beforeEach(() => resetTemplates(rt, fake));

  const sync = (now?: Date) => syncTemplates(syncDeps(rt, fake, now), rt.workspace.id, WABA);

  it("stores template-list-response.json as listed: statuses, categories, formats and components, with the number's token", async () => {
    fake.state.templates.addFixtureTemplates();
    const result = await sync();
    expect(result).toEqual({ ok: true, wabaId: WABA, counts: { listed: 3, created: 3, updated: 0, unchanged: 0, deleted: 0 } });

    const fixture = fixtureJson('template-list-response.json') as { data: { components: unknown }[] };
    expect(await storedTemplates(rt)).toEqual([
      expect.objectContaining({ name: 'order_update', language: 'en_US', status: 'APPROVED', category: 'UTILITY', parameter_format: 'POSITIONAL', meta_template_id: '800000000000001', components: fixture.data[0]?.components }),
      expect.objectContaining({ name: 'summer_promo', language: 'en_US', status: 'REJECTED', category: 'MARKETING', parameter_format: 'NAMED', meta_template_id: '800000000000002', components: fixture.data[1]?.components }),
      expect.objectContaining({ name: 'weekly_deals', language: 'en', status: 'PAUSED', category: 'MARKETING', parameter_format: 'POSITIONAL', meta_template_id: '800000000000003', components: fixture.data[2]?.components }),
    ]);
    expect(listingRequests(fake)).toEqual([expect.objectContaining({
      token: fixtureNumber.accessToken,
      status: 200,
      query: { fields: 'name,category,status,language,components,parameter_format,id', limit: '100' },
    })]);
  });

  it('pages through every page with the after cursor (250 templates, 3 pages), and a second sync changes nothing', async () => {
    fake.state.templates.addFixtureTemplates();
    for (let i = 0; i < 247; i += 1) fake.state.templates.add({ name: `bulk_${String(i).padStart(3, '0')}`, language: i % 2 ? 'en_US' : 'pt_BR' });

    expect(await sync()).toMatchObject({ ok: true, counts: { listed: 250, created: 250, updated: 0, unchanged: 0, deleted: 0 } });
    const requests = listingRequests(fake);
    expect(requests).toHaveLength(3);
    expect(requests[0]?.query.after).toBeUndefined();
    expect(requests[1]?.query.after).toEqual(expect.any(String));
    expect(requests[2]?.query.after).toEqual(expect.any(String));
    expect(requests[2]?.query.after).not.toBe(requests[1]?.query.after);
    // The client pages with the cursor, never with `paging.next`, whose URL carries the token.
    expect(requests.every((r) => r.query.access_token === undefined)).toBe(true);
    expect(await rt.db('template').where({ workspace_id: rt.workspace.id }).count({ n: '*' })).toEqual([{ n: 250 }]);

    expect(await sync()).toMatchObject({ ok: true, counts: { listed: 250, created: 0, updated: 0, unchanged: 250, deleted: 0 } });
  });

  it('updates what changed, marks templates no longer listed DELETED, and takes a re-created one back with its new id', async () => {
    const [orderUpdate, summerPromo, weeklyDeals] = fake.state.templates.addFixtureTemplates();
    if (!orderUpdate || !summerPromo || !weeklyDeals) throw new Error('fixture templates missing');
    const first = new Date('2026-01-01T10:00:00Z');
    await sync(first);

    fake.state.templates.remove(weeklyDeals.id);
    fake.state.templates.setStatus(summerPromo.id, 'APPROVED');
    const second = new Date('2026-01-01T11:00:00Z');
    expect(await sync(second)).toMatchObject({ ok: true, counts: { listed: 2, created: 0, updated: 1, unchanged: 1, deleted: 1 } });
    const rows = await storedTemplates(rt);
    expect(rows.find((r) => r.name === 'weekly_deals')).toMatchObject({ status: 'DELETED', status_reason: expect.stringContaining('No longer listed'), status_changed_at: second });
    expect(rows.find((r) => r.name === 'summer_promo')).toMatchObject({ status: 'APPROVED', status_changed_at: second });
    expect(rows.find((r) => r.name === 'order_update')).toMatchObject({ status: 'APPROVED', status_changed_at: first });

    // DELETED templates are kept, but listed only when asked for.
    const visible = await listTemplates(rt.db, rt.workspace.id);
    expect(visible.ok && visible.items.map((t) => t.name)).toEqual(['order_update', 'summer_promo']);
    const deleted = await listTemplates(rt.db, rt.workspace.id, { status: 'DELETED' });
    expect(deleted.ok && deleted.items.map((t) => [t.name, t.sendable])).toEqual([['weekly_deals', false]]);

    // Deleted twice is still one deletion.
    expect(await sync()).toMatchObject({ counts: { deleted: 0, unchanged: 2 } });

    const recreated = fake.state.templates.add({ name: 'weekly_deals', language: 'en', category: 'MARKETING' });
    expect(await sync()).toMatchObject({ counts: { listed: 3, updated: 1, deleted: 0 } });
    expect((await storedTemplates(rt)).find((r) => r.name === 'weekly_deals')).toMatchObject({ status: 'APPROVED', meta_template_id: recreated.id });
  });

  it('a failure on a later page stores nothing and deletes nothing (80007 is RATE_LIMITED)', async () => {
    fake.state.templates.addFixtureTemplates();
    for (let i = 0; i < 150; i += 1) fake.state.templates.add({ name: `bulk_${i}` });
    await sync();
    const before = await storedTemplates(rt);
    const gone = fake.state.templates.list(WABA)[0];
    if (!gone) throw new Error('no template');
    fake.state.templates.remove(gone.id);
    fake.state.templates.add({ name: 'brand_new' });

    /** Scripts Meta's WABA rate limit just before the second page is asked for. */
    class FailingSecondPage extends GraphClient {
      private calls = 0;
      override async listTemplates(wabaId: string, token: string, options?: ListTemplatesOptions): Promise<TemplatePage> {
        this.calls += 1;
        if (this.calls === 2) fake.state.failNext(1, 80007, { scope: 'any' });
        return super.listTemplates(wabaId, token, options);
      }
    }
    const deps = { ...syncDeps(rt, fake), graph: new FailingSecondPage({ baseUrl: fake.baseUrl, version: 'v24.0' }) };
    const result = await syncTemplates(deps, rt.workspace.id, WABA);
    expect(result).toEqual({ ok: false, wabaId: WABA, error: { code: 'RATE_LIMITED', message: expect.stringContaining('80007') } });
    expect(listingRequests(fake).map((r) => r.status).slice(-2)).toEqual([200, 400]);
    expect(await storedTemplates(rt)).toEqual(before);
  });

  it("a token Meta rejects: TOKEN_INVALID with what to do, the number needs attention, nothing stored", async () => {
    fake.state.templates.addFixtureTemplates();
    const number = await rt.db('whatsapp_number').where({ workspace_id: rt.workspace.id, phone_number_id: fixtureNumber.phoneNumberId }).first('id', 'access_token_sealed');
    await rt.db('whatsapp_number').where({ id: number.id }).update({ access_token_sealed: rt.secrets.seal('revoked-token-0123456789') });
    try {
      const result = await sync();
      expect(result).toEqual({ ok: false, wabaId: WABA, error: { code: 'TOKEN_INVALID', message: expect.stringMatching(/code 190.*connect the number again/) } });
      expect(await rt.db('whatsapp_number').where({ id: number.id }).first('state', 'state_reason')).toEqual({ state: 'needs_attention', state_reason: expect.stringContaining('template sync') });
      expect(await rt.db('audit_log').where({ workspace_id: rt.workspace.id, entity_id: number.id, action: 'number.needs_attention' }).count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(await storedTemplates(rt)).toEqual([]);
    } finally {
      await connectFixtureNumber(rt);
    }
    expect(await rt.db('whatsapp_number').where({ id: number.id }).first('state')).toEqual({ state: 'active' });
  });

  it('other failures: an outage is GRAPH_UNAVAILABLE, a WABA the token cannot see GRAPH_REJECTED, an unknown WABA NUMBER_NOT_FOUND', async () => {
    fake.state.setOutage(true);
    expect(await sync()).toMatchObject({ ok: false, error: { code: 'GRAPH_UNAVAILABLE', message: expect.stringContaining('503') } });
    fake.state.setOutage(false);

    const otherWaba = '100000000000077';
    await rt.db('whatsapp_number').insert({
      workspace_id: rt.workspace.id, phone_number_id: '100000000000078', waba_id: otherWaba, access_token_sealed: rt.secrets.seal(fixtureNumber.accessToken),
    });
    try {
      expect(await syncTemplates(syncDeps(rt, fake), rt.workspace.id, otherWaba)).toMatchObject({ ok: false, error: { code: 'GRAPH_REJECTED', message: expect.stringContaining('code 100') } });
    } finally {
      await rt.db('whatsapp_number').where({ workspace_id: rt.workspace.id, phone_number_id: '100000000000078' }).delete();
    }
    expect(await syncTemplates(syncDeps(rt, fake), rt.workspace.id, '100000000000099')).toMatchObject({ ok: false, error: { code: 'NUMBER_NOT_FOUND' } });
  });

  it("never touches another workspace's templates, even of the same WABA", async () => {
    const other = await createOtherWorkspace(rt.db, '100000000000095');
    await rt.db('template').insert({
      workspace_id: other.workspaceId, waba_id: WABA, meta_template_id: '800000000000003', name: 'weekly_deals', language: 'en',
      category: 'MARKETING', status: 'APPROVED', components: JSON.stringify([]),
    });
    fake.state.templates.add({ name: 'only_here' });
    expect(await sync()).toMatchObject({ ok: true, counts: { created: 1, deleted: 0 } });
    expect(await storedTemplates(rt, other.workspaceId)).toEqual([expect.objectContaining({ name: 'weekly_deals', status: 'APPROVED' })]);
    const mine = await listTemplates(rt.db, rt.workspace.id);
    expect(mine.ok && mine.items.map((t) => t.name)).toEqual(['only_here']);
  });
});
