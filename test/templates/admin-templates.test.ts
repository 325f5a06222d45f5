import type { Router } from 'express';
import request from 'supertest';
import { createLogger } from '../../core/observability/logger';
import { GraphClient } from '../../core/whatsapp/graph-client';
import { adminOpenApi } from '../../server/admin/openapi';
import { createApp } from '../../server/app';
import { adminTemplateRoutes } from '../../server/routes/admin-templates';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from '../support/test-runtime';
import { connectFixtureNumber, PNID, resetTemplates, WABA } from './template-helpers';

interface Operation { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }

/** The routes the router really serves, read from express. */
function servedRoutes(router: Router): string[] {
  return router.stack.flatMap((layer) => {
    const route = layer.route;
    if (!route) return [];
    return [...new Set(route.stack.map((l) => l.method))].map((method) => `${method} ${route.path.replace(/^\/api\/v1/, '')}`);
  });
}

describe('admin API: GET /api/v1/templates and POST /api/v1/templates/sync', () => {
  let fake: MetaFake;
  let rt: TestRuntime;
  let router: Router;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: false });
    await connectFixtureNumber(rt);
    router = adminTemplateRoutes({ db: rt.db, graph: new GraphClient({ baseUrl: fake.baseUrl, version: 'v24.0' }), secrets: rt.secrets, adminToken: TEST_ADMIN_TOKEN, workspaceId: rt.workspace.id });
    // Mounted on its own: the router must guard itself, whatever is (or is not) in front of it.
    const app = createApp({ logger: createLogger({ level: 'silent' }), routers: [router] });
    http = () => request(app);
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });
  beforeEach(async () => {
    await resetTemplates(rt, fake);
    fake.state.templates.addFixtureTemplates();
  });

  const list = (query = '') => http().get(`/api/v1/templates${query}`).set('authorization', ADMIN_AUTH);
  const sync = (body?: object) => {
    const req = http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH);
    return body === undefined ? req : req.send(body);
  };

  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer not-the-admin-token-0123456789'],
  ])('401 with %s on both routes, and Meta is not asked', async (_label, authorization) => {
    for (const req of [http().get('/api/v1/templates'), http().post('/api/v1/templates/sync').send({})]) {
      const res = await (authorization === undefined ? req : req.set('authorization', authorization));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(fake.state.requests).toEqual([]);
  });

  it('sync of one number, then the list with each template\'s parameters', async () => {
    const res = await sync({ phone_number_id: PNID });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [{ waba_id: WABA, ok: true, counts: { listed: 3, created: 3, updated: 0, unchanged: 0, deleted: 0 } }] });

    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { name: string; status: string; sendable: boolean }) => [t.name, t.status, t.sendable])).toEqual([
      ['order_update', 'APPROVED', true], ['summer_promo', 'REJECTED', false], ['weekly_deals', 'PAUSED', false],
    ]);
    expect(all.body.items[0]).toMatchObject({
      meta_template_id: '800000000000001', waba_id: WABA, language: 'en_US', category: 'UTILITY', parameter_format: 'POSITIONAL',
      synced_at: expect.any(String), components: expect.any(Array),
      parameters: {
        header: { format: 'TEXT', parameters: [{ name: '1', example: '1234' }] },
        body: { parameters: [expect.objectContaining({ name: '1' }), expect.objectContaining({ name: '2' }), expect.objectContaining({ name: '3' })] },
        buttons: [expect.objectContaining({ type: 'QUICK_REPLY' }), expect.objectContaining({ type: 'URL', parameters: [{ name: '1', example: '1234' }] })],
      },
    });
    expect(all.body.items[1].parameters.body.parameters.map((p: { name: string }) => p.name)).toEqual(['first_name', 'code']);
  });

  it('filters: status (any case), language, category, phone_number_id; an unknown number is 404, a bad filter 400', async () => {
    expect((await sync()).status).toBe(200);
    const names = async (query: string) => {
      const res = await list(query);
      expect(res.status).toBe(200);
      return res.body.items.map((t: { name: string }) => t.name);
    };
    expect(await names('?status=approved')).toEqual(['order_update']);
    expect(await names('?language=en')).toEqual(['weekly_deals']);
    expect(await names('?category=MARKETING')).toEqual(['summer_promo', 'weekly_deals']);
    expect(await names(`?phone_number_id=${PNID}&category=MARKETING&status=PAUSED`)).toEqual(['weekly_deals']);

    const unknown = await list('?phone_number_id=100000000000099');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({ code: 'NUMBER_NOT_FOUND', message: expect.stringContaining('100000000000099') });
    const bad = await list('?category=PROMO&language=english!');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ code: 'INVALID_REQUEST', message: expect.stringMatching(/category.*language|language.*category/) });
  });

  it('sync of every WABA without a body; 404 for a number not in the workspace; 400 for an unexpected field', async () => {
    const all = await sync();
    expect(all.status).toBe(200);
    expect(all.body.results).toEqual([expect.objectContaining({ waba_id: WABA, ok: true })]);
    expect((await sync({})).status).toBe(200);

    const missing = await sync({ phone_number_id: '100000000000099' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NUMBER_NOT_FOUND');
    const extra = await sync({ phone_number_id: PNID, waba_id: WABA });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('INVALID_REQUEST');
  });

  it('Meta failures map to statuses a caller can act on: 429 RATE_LIMITED, 502 GRAPH_UNAVAILABLE, 422 TOKEN_INVALID', async () => {
    fake.state.failNext(1, 80007, { scope: 'any' });
    const limited = await sync({ phone_number_id: PNID });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('try the sync again later'), results: [{ waba_id: WABA, ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED' }) }] });

    fake.state.setOutage(true);
    const down = await sync();
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('GRAPH_UNAVAILABLE');
    fake.state.setOutage(false);

    const number = fake.state.numbers.get(fixtureNumber.phoneNumberId);
    if (!number) throw new Error('fixture number missing');
    number.accessToken = 'rotated-on-meta-side-0123456789';
    try {
      const rejected = await sync({ phone_number_id: PNID });
      expect(rejected.status).toBe(422);
      expect(rejected.body.error).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringContaining('connect the number again') });
      expect(await rt.db('whatsapp_number').where({ workspace_id: rt.workspace.id, phone_number_id: PNID }).first('state')).toEqual({ state: 'needs_attention' });
    } finally {
      number.accessToken = fixtureNumber.accessToken;
      await connectFixtureNumber(rt);
    }
    expect(await rt.db('template').where({ workspace_id: rt.workspace.id }).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('the OpenAPI document describes exactly these routes, with a 401 and every status they answer', () => {
    const doc = adminOpenApi('https://threadline.example.com') as { paths: Record<string, Record<string, Operation>> };
    const documented = Object.entries(doc.paths).filter(([p]) => p.startsWith('/templates')).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    expect(documented).toEqual(servedRoutes(router).sort());
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {});
    expect(statuses('/templates', 'get')).toEqual(expect.arrayContaining(['200', '400', '401', '404']));
    expect(statuses('/templates/sync', 'post')).toEqual(expect.arrayContaining(['200', '400', '401', '404', '422', '429', '502']));
    expect(doc.paths['/templates/sync']?.post?.responses['401']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Error');
  });
});
