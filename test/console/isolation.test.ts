import { startConsoleSession, type ConsoleRole } from '../../core/auth/console-sessions';
import type { Db } from '../../core/db/connect';
import { seedTenant, type Tenant } from '../support/console-seed';
import { servedRoutes, type ServedRoute } from '../support/served-routes';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';

/**
 * Issue 8 must-show: "A viewer cannot change anything; another workspace's data is never shown." Two workspaces,
 * each with one of everything the console shows, told apart by a marker in every text. The routes come from the
 * running server, so a console page added later is covered (or fails here, asking for its ids).
 */

/** Tables whose rows belong to a workspace, fingerprinted before and after a refused request. */
const TENANT_TABLES = [
  'whatsapp_number', 'contact', 'conversation', 'message', 'installation', 'external_link', 'inbox_event', 'sync_outbox', 'bot_forward',
  'template', 'automation_rule', 'rate_card', 'rate_card_price', 'audit_log', 'connect_code',
];

/** Every concrete path a console route takes with this tenant's ids; a route whose parameters are unknown here fails the test. */
function pathsFor(route: ServedRoute, t: Tenant): string[] {
  const byParams: Record<string, (path: string) => string[]> = {
    '/admin/conversations/:id': (p) => [p.replace(':id', t.conversationId)],
    '/admin/conversations/:id/media/:messageId': (p) => [p.replace(':id', t.conversationId).replace(':messageId', t.messageId)],
    '/admin/numbers/:id/health': (p) => [p.replace(':id', t.numberId)],
    '/admin/installations/:id/disconnect': (p) => [p.replace(':id', t.installationId)],
    '/admin/automation/:kind': (p) => [p.replace(':kind', 'closing')],
    '/admin/automation/:kind/off': (p) => [p.replace(':kind', 'closing')],
    '/admin/dead-letters/:kind/:id/replay': (p) => [
      p.replace(':kind', 'inbox').replace(':id', String(t.inboxDeadId)),
      p.replace(':kind', 'sync').replace(':id', String(t.syncDeadId)),
      p.replace(':kind', 'bot').replace(':id', t.botDeadId),
    ],
  };
  if (!route.path.includes(':')) return [route.path];
  const expand = byParams[route.path];
  if (!expand) throw new Error(`${route.method.toUpperCase()} ${route.path}: add its ids to pathsFor in test/console/isolation.test.ts`);
  return expand(route.path);
}

async function fingerprint(db: Db, workspaceId: string): Promise<Record<string, string>> {
  const prints: Record<string, string> = {};
  for (const table of TENANT_TABLES) {
    const { rows } = await db.raw<{ rows: { md5: string | null }[] }>(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as md5 from ${table} t where workspace_id = ?`, [workspaceId]);
    prints[table] = rows[0]?.md5 ?? '';
  }
  return prints;
}

describe('console: workspaces and roles', () => {
  let rt: TestRuntime;
  let a: Tenant;
  let b: Tenant;
  let routes: ServedRoute[];

  beforeAll(async () => {
    rt = await startTestRuntime({ worker: false });
    const [other] = await rt.db('workspace').insert({ name: 'Other', slug: 'other-workspace' }).returning('id');
    a = await seedTenant(rt.db, rt.workspace.id, 'ALPHA');
    b = await seedTenant(rt.db, (other as { id: string }).id, 'BRAVO');
    // Signing in and out is every role's, and what comes before sign-in is no workspace's.
    routes = (await servedRoutes(rt)).filter((r) => r.path.startsWith('/admin') && !r.path.startsWith('/admin/sign-') && !r.path.startsWith('/admin/assets'));
  });
  afterAll(async () => rt?.close());

  const sessionFor = async (t: Tenant, role: ConsoleRole) => {
    const { token, session } = await startConsoleSession(rt.db, { workspaceId: t.workspaceId, role, actor: `test:${t.marker}:${role}`, displayName: `${t.marker} ${role}` });
    return { cookie: `threadline_console=${token}`, csrf: session.csrfToken };
  };
  const request = (method: string, path: string, who: { cookie: string; csrf: string }) => {
    const req = rt.http()[method as 'get' | 'post'](path).set('cookie', who.cookie);
    return method === 'get' ? req : req.type('form').send({ csrf: who.csrf, confirm: 'yes', definition: '{}', currency: 'EUR' });
  };

  it('reads the console routes from the running server', () => {
    expect(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual(expect.arrayContaining([
      'GET /admin/conversations', 'GET /admin/conversations/:id', 'POST /admin/numbers', 'POST /admin/dead-letters/:kind/:id/replay', 'GET /admin/analytics.csv', 'GET /admin/audit',
    ]));
  });

  it('shows each workspace only its own data on every page', async () => {
    const bravo = await sessionFor(b, 'admin');
    const seenOwn: string[] = [];
    for (const route of routes.filter((r) => r.method === 'get' && !r.path.includes(':'))) {
      const res = await request('get', route.path, bravo);
      expect({ path: route.path, status: res.status }).toEqual({ path: route.path, status: route.path === '/admin' ? 303 : 200 });
      expect({ path: route.path, leaks: res.text.includes('ALPHA') || res.text.includes('alpha') }).toEqual({ path: route.path, leaks: false });
      if (res.text.includes('BRAVO') || res.text.includes('bravo')) seenOwn.push(route.path);
    }
    // The pages did show the workspace's own seeded data: an empty page would prove nothing.
    expect(seenOwn).toEqual(expect.arrayContaining(['/admin/conversations', '/admin/numbers', '/admin/installations', '/admin/templates', '/admin/dead-letters', '/admin/audit']));
  });

  it('answers 404 and changes nothing when a request names another workspace\'s ids', async () => {
    const bravo = await sessionFor(b, 'admin');
    const before = await fingerprint(rt.db, a.workspaceId);
    const checked: string[] = [];
    for (const route of routes.filter((r) => r.path.includes(':') && r.path !== '/admin/automation/:kind' && r.path !== '/admin/automation/:kind/off')) {
      for (const path of pathsFor(route, a)) {
        const res = await request(route.method, path, bravo);
        expect({ route: `${route.method} ${path}`, status: res.status }).toEqual({ route: `${route.method} ${path}`, status: 404 });
        expect(res.text).not.toContain('ALPHA');
        checked.push(`${route.method} ${route.path}`);
      }
    }
    const analytics = await request('get', `/admin/analytics?number=${a.numberId}`, bravo);
    expect(analytics.status).toBe(404);
    expect(await fingerprint(rt.db, a.workspaceId)).toEqual(before);
    expect(new Set(checked).size).toBeGreaterThanOrEqual(6);
  });

  it('refuses every change a viewer tries, on every route, and changes nothing', async () => {
    const viewer = await sessionFor(a, 'viewer');
    const before = await fingerprint(rt.db, a.workspaceId);
    const unsafe = routes.filter((r) => r.method !== 'get');
    expect(unsafe.length).toBeGreaterThanOrEqual(9);
    for (const route of unsafe) {
      for (const path of pathsFor(route, a)) {
        const res = await request(route.method, path, viewer);
        expect({ route: `${route.method} ${path}`, status: res.status }).toEqual({ route: `${route.method} ${path}`, status: 403 });
      }
    }
    expect(await fingerprint(rt.db, a.workspaceId)).toEqual(before);
  });

  it('lets a viewer read every page of its own workspace, without the controls that change things', async () => {
    const viewer = await sessionFor(a, 'viewer');
    for (const route of routes.filter((r) => r.method === 'get' && r.path !== '/admin' && !r.path.endsWith('/disconnect') && !r.path.includes('/media/'))) {
      for (const path of pathsFor(route, a)) {
        const res = await request('get', path, viewer);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        if (res.type === 'text/html') {
          // Forms a viewer sees are searches (GET) or sign-out; no enabled submit button posts anything else.
          const posting = [...res.text.matchAll(/<form\b[^>]*method="post"[^>]*action="([^"]+)"[\s\S]*?<\/form>/g)]
            .filter((m) => m[1] !== '/admin/sign-out' && /<button(?![^>]*\bdisabled\b)[^>]*type="submit"/.test(m[0]));
          expect({ path, posting: posting.map((m) => m[1]) }).toEqual({ path, posting: [] });
        }
      }
    }
  });
});
