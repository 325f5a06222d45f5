import crypto from 'node:crypto';
import fc from 'fast-check';
import { startConsoleSession } from '../../../core/auth/console-sessions';
import { connectors } from '../../../connectors/index';
import { ADMIN_AUTH, textWebhook, waitFor } from '../../admin/admin-helpers';
import { freePort } from '../../send/send-harness';
import { startPlatformRuntime, type PlatformRuntime } from '../../support/platform-runtime';
import { servedRoutes, type ServedRoute } from '../../support/served-routes';
import { expectAlive, expectCleanJsonAnswer, junkBody, nastyScalar, nastyString, nastyValue, send, type Answer } from './hostile';

const MARKUP = "<script>alert(1)</script>' or 1=1 --";

/**
 * Every route of the admin API (/api/v1) and of the console (/admin), read from the running app rather than listed
 * here, called with hostile path parameters, query strings and bodies, authenticated (admin token; console session
 * with its CSRF token) so the parsers behind authentication are what is reached.
 */
describe('hostile input: admin API and console', () => {
  let world: PlatformRuntime;
  let routes: ServedRoute[];
  let conversationId: string;
  let cookie: string;
  let csrf: string;
  let formFields: string[];
  let formActions: string[];
  const base = () => world.rt.url;

  beforeAll(async () => {
    world = await startPlatformRuntime({ port: await freePort(), config: {}, connectors: [...connectors], worker: { pollIntervalMs: 50 }, stopPlatform: async () => {} });
    routes = await servedRoutes(world.rt);
    expect((await world.rt.postWebhook(textWebhook({ wamid: 'wamid.HOSTILE_ADMIN_1', from: '15550006001', name: MARKUP, timestamp: Math.floor(Date.now() / 1000) - 60, body: MARKUP }))).status).toBe(200);
    await waitFor(async () => {
      conversationId = (await world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', 'wamid.HOSTILE_ADMIN_1').first('c.id'))?.id;
      return conversationId !== undefined;
    }, 'the hostile message stored');
    const { token, session } = await startConsoleSession(world.rt.db, { workspaceId: world.rt.workspace.id, role: 'admin', actor: 'test:fuzz', displayName: 'Fuzz' });
    cookie = `threadline_console=${token}`;
    csrf = session.csrfToken;
    // The console's own field names and form actions, read from its pages (and the pages they link to), so hostile
    // forms fill the fields its parsers read and reach the forms behind real ids.
    const names = new Set<string>();
    const actions = new Set<string>();
    const pages = new Set(routes.filter((r) => r.method === 'get' && r.path.startsWith('/admin') && !r.path.includes(':') && !r.path.endsWith('.csv')).map((r) => r.path));
    const read = async (path: string) => {
      const page = await send(`${base()}${path}`, { method: 'GET', headers: { cookie } });
      for (const [, name = 'csrf'] of page.text.matchAll(/name="([^"]+)"/g)) if (name !== 'csrf') names.add(name);
      for (const [, action = '/admin/sign-out'] of page.text.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"/g)) if (action !== '/admin/sign-out') actions.add(action.replace(/&amp;/g, '&'));
      return [...page.text.matchAll(/href="(\/admin\/[a-z-]+\/[^"?#]+)"/g)].map((m) => m[1] ?? '');
    };
    for (const linked of (await Promise.all([...pages].map(read))).flat()) {
      if (pages.has(linked) || linked.startsWith('/admin/assets')) continue;
      pages.add(linked);
      await read(linked);
    }
    formFields = [...names];
    formActions = [...actions];
  }, 60_000);
  afterAll(async () => {
    try {
      await expectAlive(base());
    } finally {
      await world?.close();
    }
  });

  /** A path with each `:param` replaced: a real id, a random one, or a hostile string. */
  const pathOf = (route: ServedRoute) => fc.array(fc.oneof(fc.constant(conversationId), fc.uuid(), fc.constantFrom('answer_faq', 'route_to_team', 'business_hours', 'sync', 'inbox', 'bot'), nastyString), { minLength: 8, maxLength: 8 })
    .map((values) => route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent((values.shift() ?? '').replace(/[\ud800-\udfff]/g, ''))));
  const QUERY_KEYS = ['status', 'limit', 'cursor', 'before', 'after', 'from', 'to', 'q', 'number', 'phone_number_id', 'platform', 'assignee', 'team', 'page', 'kind', 'state', 'next', 'range', 'limit[]'] as const;
  const queryOf = fc.dictionary(fc.constantFrom(...QUERY_KEYS), nastyString.map((v) => v.replace(/[\ud800-\udfff]/g, '').slice(0, 500)), { maxKeys: 4 })
    .map((q) => new URLSearchParams(q).toString());
  /** Besides the random runs, every GET route once with every filter set to each of these (random runs can miss a NUL). */
  const sweep = ['a\u0000b', "' or 1=1 --", '9'.repeat(400), '-1'].map((value) => new URLSearchParams(QUERY_KEYS.map((k): [string, string] => [k, value])).toString());

  it('admin API: hostile paths, queries and JSON bodies get a 2xx or a clear JSON 4xx, never a 5xx', async () => {
    const api = routes.filter((r) => r.path.startsWith('/api/v1/'));
    expect(api.length).toBeGreaterThan(20);
    const body = fc.oneof(nastyValue.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), junkBody);
    for (const route of api) {
      await fc.assert(fc.asyncProperty(pathOf(route), queryOf, body, async (path, query, raw) => {
        const method = route.method.toUpperCase();
        const answer = await send(`${base()}${path}?${query}`, {
          method,
          headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
          ...(method === 'GET' ? {} : { body: raw }),
        });
        // The one 5xx allowed: a platform route on a server without that platform's app, which names the settings.
        if (answer.status === 503 && JSON.parse(answer.text).error?.code === 'NOT_CONFIGURED') return;
        expectCleanJsonAnswer(answer, `${method} ${path}`);
      }), { numRuns: 5 });
    }
    for (const route of api.filter((r) => r.method === 'get' && !r.path.includes(':'))) {
      for (const query of sweep) expectCleanJsonAnswer(await send(`${base()}${route.path}?${query}`, { method: 'GET', headers: { authorization: ADMIN_AUTH } }), `GET ${route.path}?${query}`);
    }
  });

  it('admin API: a hostile message text is stored verbatim, or refused with a clear 422 when it cannot be', async () => {
    for (const text of [MARKUP, 'a\u0000b', 'x\ud800y']) {
      const answer = expectCleanJsonAnswer(await send(`${base()}/api/v1/conversations/${conversationId}/messages`, {
        headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ content: { type: 'text', body: text }, sender: { platform: 'api', id: 'fuzz', name: 'Fuzz' } }),
      }), `send ${JSON.stringify(text)}`);
      expect(answer.status).toBeLessThan(500);
    }
  });

  /**
   * A console refusal is an HTML page with a heading; the pages' fetch endpoints answer JSON, downloads (media, CSV) a
   * plain-text sentence. Never a 5xx.
   */
  const expectCleanPage = (answer: Answer, what: string) => {
    if (answer.status >= 500) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
    if (answer.contentType.includes('application/json')) expectCleanJsonAnswer(answer, what);
    else if (answer.status >= 400 && answer.contentType.includes('text/plain')) expect(answer.text.length).toBeGreaterThan(15);
    else if (answer.status >= 400) {
      expect(answer.contentType).toContain('text/html');
      expect(answer.text).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
    }
  };

  it('console: hostile paths and queries on every page, and hostile forms on every form, never a 5xx', async () => {
    const pages = routes.filter((r) => r.path.startsWith('/admin') && !r.path.startsWith('/admin/assets') && r.path !== '/admin/sign-out');
    expect(pages.length).toBeGreaterThan(15);
    const form = fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom(...formFields), nastyString), fc.oneof(nastyString, nastyScalar.map(String)), { maxKeys: 6 })
        .map((fields) => ({ type: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams({ ...fields, csrf }).toString()) })),
      junkBody.map((body) => ({ type: 'application/json', body })),
      junkBody.map((body) => ({ type: 'application/x-www-form-urlencoded', body })),
    );
    for (const route of pages) {
      await fc.assert(fc.asyncProperty(pathOf(route), queryOf, form, async (path, query, sent) => {
        const method = route.method.toUpperCase();
        const answer = await send(`${base()}${path}?${query}`, {
          method,
          headers: { cookie, 'x-csrf-token': csrf, 'content-type': sent.type },
          ...(method === 'GET' ? {} : { body: sent.body }),
        });
        expectCleanPage(answer, `${method} ${path}`);
      }), { numRuns: 5 });
    }
    for (const route of pages.filter((r) => r.method === 'get' && !r.path.includes(':'))) {
      for (const query of sweep) expectCleanPage(await send(`${base()}${route.path}?${query}`, { method: 'GET', headers: { cookie } }), `GET ${route.path}?${query}`);
    }
    expect(formActions.length).toBeGreaterThan(5);
    for (const action of formActions) {
      for (const value of ['a\u0000b', "' or 1=1 --", '9'.repeat(400)]) {
        const body = new URLSearchParams([...formFields.map((name): [string, string] => [name, value]), ['csrf', csrf]]).toString();
        expectCleanPage(await send(`${base()}${action}`, { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body }), `POST ${action} all fields ${JSON.stringify(value.slice(0, 10))}`);
      }
    }
  });

  it('fault found: a console body its parsers refuse (non-object JSON, malformed JSON) is a 400 page, not a 500', async () => {
    for (const body of ['1e999', '{"token":', '"x"']) {
      for (const path of ['/admin/sign-in', '/admin/templates/sync']) {
        const answer = await send(`${base()}${path}`, { headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body });
        expect({ path, body, status: answer.status }).toEqual({ path, body, status: 400 });
        expectCleanPage(answer, `${path} ${body}`);
      }
    }
  });

  it('fault found: a JSON body that is not UTF-8 is refused with 400 on the admin API and the console, not read with U+FFFD', async () => {
    const notUtf8 = Buffer.concat([Buffer.from('{"type":"text","body":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const api = await send(`${base()}/api/v1/conversations/${conversationId}/messages`, {
      headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }, body: notUtf8,
    });
    expect({ status: api.status, text: api.text }).toEqual({ status: 400, text: expect.stringContaining('not valid UTF-8') });
    const console = await send(`${base()}/admin/automation/closing`, { headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body: notUtf8 });
    expect(console.status).toBe(400);
    expect(Number((await world.rt.db('message').where({ conversation_id: conversationId, direction: 'outbound' }).count<{ count: string }[]>('* as count'))[0]?.count)).toBe(0);
  });

  it('console: SQL and markup in a message and a customer name are escaped on the conversation pages', async () => {
    for (const path of [`/admin/conversations/${conversationId}`, `/admin/conversations?q=${encodeURIComponent(MARKUP)}`, '/admin/conversations']) {
      const page = await send(`${base()}${path}`, { method: 'GET', headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc="\/admin\/assets\/)(?![^>]*type="application\/json")/);
    }
    const thread = await send(`${base()}/admin/conversations/${conversationId}`, { method: 'GET', headers: { cookie } });
    expect(thread.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
