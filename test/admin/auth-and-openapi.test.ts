import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { servedRoutes } from '../support/served-routes';
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from '../support/test-runtime';
import { ADMIN_AUTH } from './admin-helpers';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { oneOf?: { $ref: string }[] }> } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
}
const toOpenApiPath = (expressPath: string) => expressPath.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}

function resolve(doc: unknown, ref: string): unknown {
  return ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null && key in node ? Object.entries(node).find(([k]) => k === key)?.[1] : undefined), doc);
}

type OpenApiDoc = {
  openapi: string; info: { title: string; version: string }; servers: { url: string }[];
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> }; security: Record<string, string[]>[];
  paths: Record<string, Partial<Record<Method, Operation>>>;
};

describe('admin API: authentication and the OpenAPI document', () => {
  let fake: MetaFake;
  let rt: TestRuntime;
  let doc: OpenApiDoc;
  /** Every route the running server mounts under /api/v1. */
  let routes: { method: string; path: string }[];
  /** Those the document does not give a scheme of their own (a bot's secret, a trigger's signature): the admin token's. */
  let adminRoutes: { method: string; path: string }[];

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl, publicUrl: 'https://threadline.example.com' }, worker: false });
    routes = (await servedRoutes(rt)).filter((r) => r.path.startsWith('/api/v1/'));
    const res = await rt.http().get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = res.body;
    adminRoutes = routes.filter((r) => doc.paths[toOpenApiPath(r.path)]?.[r.method as Method]?.security === undefined);
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });

  const call = (method: string, path: string) => {
    const req = rt.http()[method as Method](path.replace(/:\w+/g, '1'));
    return method === 'get' ? req : req.send({});
  };

  it('reads the routes it guards from the running server', () => {
    expect(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual(expect.arrayContaining([
      'GET /api/v1/numbers', 'POST /api/v1/numbers', 'GET /api/v1/conversations', 'GET /api/v1/conversations/:id', 'GET /api/v1/dead-letters', 'POST /api/v1/dead-letters/:id/replay',
      'PUT /api/v1/automation/rules/:kind', 'POST /api/v1/triggers/:name', 'POST /api/v1/bot/conversations/:id/handoff', 'DELETE /api/v1/salesforce/installations/:id',
    ]));
    expect(adminRoutes.map((r) => r.path)).not.toContain('/api/v1/triggers/:name');
  });

  describe.each([
    ['no Authorization header', undefined, 'Send Authorization: Bearer'],
    ['a wrong bearer token', 'Bearer not-the-admin-token-0123456789', 'not valid'],
    ['the admin token with one character more', `${ADMIN_AUTH}x`, 'not valid'],
    ['the admin token as Basic credentials', `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`, 'Send Authorization: Bearer'],
    ['an empty bearer', 'Bearer ', 'Send Authorization: Bearer'],
  ])('with %s', (_label, authorization, hint) => {
    it('every admin route answers 401 with a JSON error', async () => {
      for (const { method, path } of adminRoutes.filter((r) => !r.path.endsWith('openapi.json'))) {
        const req = call(method, path);
        const res = await (authorization === undefined ? req : req.set('authorization', authorization));
        expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 401 });
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(res.body.error).toEqual({ code: 'UNAUTHENTICATED', message: expect.stringContaining(hint) });
      }
    });
  });

  it('a rejected request to connect a number neither asks Meta nor saves anything', async () => {
    const res = await rt.http().post('/api/v1/numbers').set('authorization', 'Bearer wrong-token-0123456789abcdef')
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(fake.state.requests).toEqual([]);
    expect(await rt.db('whatsapp_number').select('id')).toEqual([]);
  });

  it('asks for a bearer token in WWW-Authenticate when none was sent, and accepts the scheme in any case', async () => {
    const res = await rt.http().get('/api/v1/numbers');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="threadline-admin"');
    const lower = await rt.http().get('/api/v1/numbers').set('authorization', `bearer ${TEST_ADMIN_TOKEN}`);
    expect(lower.status).toBe(200);
  });

  describe('GET /api/v1/openapi.json', () => {
    it('is OpenAPI 3.1 for the public URL, secured by a bearer scheme, and needs no token', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(doc.servers).toEqual([{ url: 'https://threadline.example.com/api/v1' }]);
      const [requirement] = doc.security;
      const scheme = Object.keys(requirement ?? {})[0] ?? '';
      expect(doc.components.securitySchemes[scheme]).toEqual({ type: 'http', scheme: 'bearer' });
    });

    it('documents every route the API serves, and no route it does not', () => {
      const served = routes.map((r) => `${r.method} ${toOpenApiPath(r.path)}`).sort();
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
      expect(documented).toEqual(served);
    });

    it('declares the path parameters, a 401 on every operation that needs credentials, known schemes, and every $ref resolves', () => {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const op of Object.values(ops)) {
          for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
            expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name, in: 'path', required: true })]));
          }
          for (const scheme of (op.security ?? doc.security).flatMap(Object.keys)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
          if (op.security?.length === 0) continue;
          expect(op.responses['401']?.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/Error');
        }
      }
      const refs = refsIn(doc);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect({ ref, resolved: resolve(doc, ref) !== undefined }).toEqual({ ref, resolved: true });
    });

    it('describes the register body as the API validates it', () => {
      expect(resolve(doc, '#/components/schemas/RegisterNumber')).toMatchObject({
        type: 'object', required: ['phone_number_id', 'waba_id', 'access_token'], additionalProperties: false,
      });
    });

    it('describes a rule as its kind validates it, one schema per kind', async () => {
      const kinds = (await rt.http().get('/api/v1/automation/rules').set('authorization', ADMIN_AUTH)).body.kinds as string[];
      const body = doc.paths['/automation/rules/{kind}']?.put?.requestBody?.content['application/json']?.schema;
      expect(body).toMatchObject({ additionalProperties: false, required: ['definition'] });
      expect(body?.properties?.definition?.oneOf?.map((s) => s.$ref).sort()).toEqual(kinds.map((k) => `#/components/schemas/Rule_${k}`).sort());
      expect(resolve(doc, '#/components/schemas/Rule_triggers')).toMatchObject({ type: 'object', required: ['triggers'] });
    });

    it('routes with a scheme of their own refuse a call without it, as documented', async () => {
      const own = routes.filter((r) => (doc.paths[toOpenApiPath(r.path)]?.[r.method as Method]?.security ?? []).length > 0);
      expect(own.map((r) => r.path).sort()).toEqual(['/api/v1/bot/conversations/:id/handoff', '/api/v1/bot/conversations/:id/messages', '/api/v1/triggers/:name']);
      for (const { method, path } of own) {
        const res = await call(method, path).set('authorization', ADMIN_AUTH);
        expect({ route: `${method} ${path}`, status: res.status, code: res.body.error?.code }).toEqual({ route: `${method} ${path}`, status: 401, code: 'UNAUTHENTICATED' });
      }
    });

    it.each([
      ['get', '/numbers', 200, '/api/v1/numbers'],
      ['post', '/numbers', 400, '/api/v1/numbers'],
      ['get', '/conversations', 400, '/api/v1/conversations?limit=0'],
      ['get', '/conversations', 400, '/api/v1/conversations?cursor=nope'],
      ['get', '/conversations/{id}', 400, '/api/v1/conversations/not-a-uuid'],
      ['get', '/conversations/{id}', 404, '/api/v1/conversations/00000000-0000-4000-8000-000000000000'],
      ['get', '/dead-letters', 400, '/api/v1/dead-letters?limit=0'],
      ['post', '/dead-letters/{id}/replay', 400, '/api/v1/dead-letters/abc/replay'],
      ['post', '/dead-letters/{id}/replay', 404, '/api/v1/dead-letters/1/replay'],
      ['get', '/automation/rules', 200, '/api/v1/automation/rules'],
      ['put', '/automation/rules/{kind}', 404, '/api/v1/automation/rules/nope'],
      ['put', '/automation/rules/{kind}', 400, '/api/v1/automation/rules/business_hours'],
      ['delete', '/automation/rules/{kind}', 404, '/api/v1/automation/rules/business_hours?phone_number_id=12345'],
      ['get', '/automation/rules/{kind}/versions', 200, '/api/v1/automation/rules/sla/versions'],
      ['post', '/automation/trigger-secret', 201, '/api/v1/automation/trigger-secret'],
      ['post', '/automation/bot/secret', 404, '/api/v1/automation/bot/secret'],
      ['get', '/automation/bot/dead-letters', 200, '/api/v1/automation/bot/dead-letters'],
      ['post', '/automation/bot/dead-letters/{id}/replay', 400, '/api/v1/automation/bot/dead-letters/1/replay'],
      ['post', '/conversations/{id}/hand-to-bot', 404, '/api/v1/conversations/00000000-0000-4000-8000-000000000000/hand-to-bot'],
      ['post', '/salesforce/connect-codes', 201, '/api/v1/salesforce/connect-codes'],
      ['get', '/salesforce/installations', 200, '/api/v1/salesforce/installations'],
      ['delete', '/salesforce/installations/{id}', 400, '/api/v1/salesforce/installations/nope'],
      ['delete', '/salesforce/installations/{id}', 404, '/api/v1/salesforce/installations/00000000-0000-4000-8000-000000000000'],
      ['get', '/hubspot/installations', 200, '/api/v1/hubspot/installations'],
    ] as const)('%s %s: the %s it answers (%s) is documented', async (method, path, status, url) => {
      const req = rt.http()[method](url).set('authorization', ADMIN_AUTH);
      const res = await (method === 'get' ? req : req.send(path === '/automation/bot/secret' ? { phone_number_id: '12345' } : {}));
      expect(res.status).toBe(status);
      expect(Object.keys(doc.paths[path]?.[method]?.responses ?? {})).toContain(String(status));
    });
  });
});
