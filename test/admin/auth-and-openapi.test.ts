import type { Router } from 'express';
import { GraphClient } from '../../core/whatsapp/graph-client';
import { adminApiRoutes } from '../../server/routes/admin-api';
import { adminMessagesRoutes } from '../../server/routes/admin-messages';
import { adminTemplateRoutes } from '../../server/routes/admin-templates';
import { adminSyncRoutes } from '../../server/routes/admin-sync';
import { ConnectorRegistry } from '../../core/connectors/registry';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_ADMIN_TOKEN, type TestRuntime } from '../support/test-runtime';
import { ADMIN_AUTH } from './admin-helpers';

type Method = 'get' | 'post';
interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
}

/** The routes the admin router really serves, read from express rather than restated here. */
function servedRoutes(router: Router): { method: string; path: string }[] {
  return router.stack.flatMap((layer) => {
    const route = layer.route;
    if (!route) return [];
    return [...new Set(route.stack.map((l) => l.method))].map((method) => ({ method, path: route.path }));
  });
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

describe('admin API: authentication and the OpenAPI document', () => {
  let fake: MetaFake;
  let rt: TestRuntime;
  let routes: { method: string; path: string }[];

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl, publicUrl: 'https://threadline.example.com' }, worker: false });
    const graph = new GraphClient({ baseUrl: fake.baseUrl, version: 'v24.0' });
    routes = [
      adminApiRoutes({ db: rt.db, graph, secrets: rt.secrets, directory: rt.directory, adminToken: TEST_ADMIN_TOKEN, publicUrl: 'https://threadline.example.com', workspaceId: rt.workspace.id }),
      adminTemplateRoutes({ db: rt.db, graph, secrets: rt.secrets, adminToken: TEST_ADMIN_TOKEN, workspaceId: rt.workspace.id }),
      adminMessagesRoutes({ db: rt.db, adminToken: TEST_ADMIN_TOKEN, workspaceId: rt.workspace.id }),
      adminSyncRoutes({ db: rt.db, secrets: rt.secrets, registry: new ConnectorRegistry([]), adminToken: TEST_ADMIN_TOKEN, workspaceId: rt.workspace.id }),
    ].flatMap(servedRoutes);
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });

  const call = (method: string, path: string) => {
    const url = path.replace(':id', '1');
    return method === 'post' ? rt.http().post(url).send({}) : rt.http().get(url);
  };

  it('serves the routes this test expects to guard', () => {
    expect(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual(expect.arrayContaining([
      'GET /api/v1/numbers', 'POST /api/v1/numbers', 'GET /api/v1/conversations', 'GET /api/v1/conversations/:id', 'GET /api/v1/dead-letters', 'POST /api/v1/dead-letters/:id/replay',
    ]));
  });

  describe.each([
    ['no Authorization header', undefined, 'Send Authorization: Bearer'],
    ['a wrong bearer token', 'Bearer not-the-admin-token-0123456789', 'not valid'],
    ['the admin token with one character more', `${ADMIN_AUTH}x`, 'not valid'],
    ['the admin token as Basic credentials', `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`, 'Send Authorization: Bearer'],
    ['an empty bearer', 'Bearer ', 'Send Authorization: Bearer'],
  ])('with %s', (_label, authorization, hint) => {
    it('every admin route answers 401 with a JSON error', async () => {
      for (const { method, path } of routes.filter((r) => !r.path.endsWith('openapi.json'))) {
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
    let doc: {
      openapi: string; info: { title: string; version: string }; servers: { url: string }[];
      components: { securitySchemes: Record<string, { type: string; scheme: string }> }; security: Record<string, string[]>[];
      paths: Record<string, Partial<Record<Method, Operation>>>;
    };

    beforeAll(async () => {
      const res = await rt.http().get('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      doc = res.body;
    });

    it('is OpenAPI 3.1 for the public URL, secured by a bearer scheme, and needs no token', () => {
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(doc.servers).toEqual([{ url: 'https://threadline.example.com/api/v1' }]);
      const [requirement] = doc.security;
      const scheme = Object.keys(requirement ?? {})[0] ?? '';
      expect(doc.components.securitySchemes[scheme]).toEqual({ type: 'http', scheme: 'bearer' });
    });

    it('documents every route the API serves, and no route it does not', () => {
      const served = routes.filter((r) => !r.path.endsWith('openapi.json')).map((r) => `${r.method} ${toOpenApiPath(r.path)}`).sort();
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
      expect(documented).toEqual(served);
    });

    it('declares the path parameters, a 401 on every operation, and every $ref resolves', () => {
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const op of Object.values(ops)) {
          for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
            expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name, in: 'path', required: true })]));
          }
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
    ] as const)('%s %s: the %s it answers (%s) is documented', async (method, path, status, url) => {
      const res = await (method === 'post' ? rt.http().post(url).set('authorization', ADMIN_AUTH).send({}) : rt.http().get(url).set('authorization', ADMIN_AUTH));
      expect(res.status).toBe(status);
      expect(Object.keys(doc.paths[path]?.[method]?.responses ?? {})).toContain(String(status));
    });
  });
});
